"""The database's part of due moments (services/schedule/moments.py computes them): any flush that
registers a team, changes its row (settings, pause), adds a holiday or changes a membership
marks the team for a refresh of its moments, in the same transaction; one that starts, advances
or ends a meeting, or creates, closes, re-dates or reassigns a task, makes the team's "meeting"
or "tasks" moment due at once (the pass runs that job, which computes the next one)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import case, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from models.tables import DueMoment, Holiday, Meeting, Member, Task, Team

REFRESH = "refresh"
MEETING = "meeting"
TASKS = "tasks"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "due now, asked for": a mark no recompute overwrites
MEETING_FIELDS = ("status", "position", "running_team_id")
RUNNING_KIND = "due_moments.running"  # session.info key: the kind whose own job this session is
TASK_FIELDS = ("status", "due", "owner_member_id")


def upsert_moments(dialect_name: str, rows: list[dict]):
    """INSERT the moments, or move those that exist to the new time; a moment marked due now
    (EPOCH: asked for while its job ran) stays due."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(DueMoment).values(rows)
    keep = case((DueMoment.due_at == EPOCH, DueMoment.due_at), else_=insert.excluded.due_at)
    return insert.on_conflict_do_update(index_elements=["team_id", "kind"], set_={"due_at": keep})


async def ask_refresh(session: AsyncSession, team_id: int) -> None:
    """For changes made by a bulk statement, which flush events don't see."""
    rows = [{"team_id": team_id, "kind": REFRESH, "due_at": EPOCH}]
    await session.execute(upsert_moments(session.bind.dialect.name, rows))


def _changed_teams(session: Session) -> set[int]:
    teams: set[int | None] = set()
    for obj in session.new:
        if isinstance(obj, Team | Holiday | Member):
            teams.add(obj.id if isinstance(obj, Team) else obj.team_id)
    for obj in session.dirty:
        if isinstance(obj, Team) and session.is_modified(obj):
            teams.add(obj.id)
        elif isinstance(obj, Member) and inspect(obj).attrs.active.history.has_changes():
            teams.add(obj.team_id)
    for obj in session.deleted:
        if isinstance(obj, Holiday | Member):
            teams.add(obj.team_id)
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Team)}
    return {t for t in teams if t is not None} - deleted


def _changed(obj: object, fields: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)


def _rows_due(session: Session) -> set[tuple[int, str]]:
    """(team, kind) of the meetings and tasks this flush changed in a way that moves their
    moment (a reminder marked sent doesn't: its job recomputes it)."""
    due: set[tuple[int, str]] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Meeting) and (obj in session.new or _changed(obj, MEETING_FIELDS)):
            due.add((obj.team_id, MEETING))
        elif isinstance(obj, Task) and (
            obj in session.new or obj in session.deleted or _changed(obj, TASK_FIELDS)
        ):
            due.add((obj.team_id, TASKS))
    running = session.info.get(RUNNING_KIND)  # its job recomputes it after the run
    return {(team, kind) for team, kind in due if team is not None and kind != running}


def _after_flush(session: Session, _context: object) -> None:
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Team)}
    teams = sorted(_changed_teams(session))
    rows = [{"team_id": t, "kind": REFRESH, "due_at": EPOCH} for t in teams]
    rows += [
        {"team_id": t, "kind": k, "due_at": EPOCH}
        for t, k in sorted(_rows_due(session))
        if t not in deleted
    ]
    if rows:
        session.connection().execute(upsert_moments(session.bind.dialect.name, rows))


def install() -> None:
    """Once per process: every session marks the teams it changed."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
