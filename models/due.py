"""The database's part of due moments (services/schedule/moments.py computes them): any flush that
registers a team, changes its row (settings, pause), adds a holiday or changes a membership
marks the team for a refresh of its moments, in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from models.tables import DueMoment, Holiday, Member, Team

REFRESH = "refresh"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def upsert_moments(dialect_name: str, rows: list[dict]):
    """INSERT the moments, or move those that exist to the new time."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(DueMoment).values(rows)
    return insert.on_conflict_do_update(
        index_elements=["team_id", "kind"], set_={"due_at": insert.excluded.due_at}
    )


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


def _after_flush(session: Session, _context: object) -> None:
    teams = _changed_teams(session)
    if teams:
        rows = [{"team_id": t, "kind": REFRESH, "due_at": EPOCH} for t in sorted(teams)]
        session.connection().execute(upsert_moments(session.bind.dialect.name, rows))


def install() -> None:
    """Once per process: every session marks the teams it changed."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
