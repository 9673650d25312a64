"""Due moments: each team's next time for each kind of scheduled work, stored and indexed, so
the planner's pass is one indexed query for what is due now (its cost follows the work due,
not the number of teams).

Kinds: "collection" (the opening, the reminder, and a sweep every SWEEP while collection is
open: newcomers, members back from time off, a question that never went out), "digest",
"agenda", "monthly" (from the team's rhythm); "meeting" (while a meeting runs: the current
speaker's nudge, or the close at 23:59 of its day) and "tasks" (the next morning an open task
is due a reminder), from the rows themselves, and kept only while there is one; and "refresh":
the team's moments must be computed again. A refresh is asked for by the database layer itself
(models/due.py): whenever a team row (its settings, pause, registration), a holiday or a
membership changes, the same flush marks the team. A meeting started, advanced or ended, and
a task created, done, re-dated or reassigned, make that kind due at once (its job finds
nothing to do, or does it, and its next moment is computed after).

The pass takes what is due with one UPDATE that leases it (due_at moves LEASE ahead), so two
replicas never take the same moment, and a moment whose job died is taken again after the
lease. After a job runs, its kind's next moment is computed from the time it finished. The
jobs themselves keep their post-log claims, so running one twice (a retry, a lease taken
again) posts nothing twice; a moment in the past (the bot was down) is run at once, and the
job decides whether it still catches up.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.due import EPOCH, MEETING, REFRESH, TASKS, upsert_moments
from models.tables import DueMoment, Meeting, MeetingSpeaker, Member, PostLog, Task, Team
from services.common import postlog
from services.common.clock import team_now, team_today
from services.team import rhythm
from services.team.schedule import schedule_of

COLLECTION = "collection"
DIGEST = "digest"
AGENDA = "agenda"
MONTHLY = "monthly"
RHYTHM_KINDS = (COLLECTION, DIGEST, AGENDA, MONTHLY)  # from the team's settings and holidays
ROW_KINDS = (MEETING, TASKS)  # from the team's running meeting and open tasks
KINDS = (COLLECTION, DIGEST, AGENDA, MONTHLY, MEETING, TASKS)  # the order due work runs in
TASK_REMIND_AT = time(9, 0)  # services/tasks/tasks.REMIND_AT
MEETING_END_OF_DAY = time(23, 59)  # services/meeting/meetings.END_OF_DAY

SWEEP = timedelta(minutes=1)
LEASE = timedelta(minutes=10)
IDLE = timedelta(days=7)  # nothing found ahead (every cycle skipped): look again in a week
DIGEST_WINDOW = timedelta(minutes=10)  # digest.LATE_AFTER's floor for the catch-up window
AGENDA_NO_LATER_THAN = timedelta(hours=1)


@dataclass(frozen=True)
class Window:
    """A span in which a kind's job has work: from `start` until `end`."""

    start: datetime
    end: datetime


def cycles_ahead(
    team: Team, now: datetime, holidays: Collection[date], n: int = 4, kept: tuple = ()
) -> list:
    """The previous cycle, the current one and the next ones (skipped ones left out); the
    `kept` cycles (collections already opened) as they were opened, the rest after them."""
    return rhythm.Schedule(team, frozenset(holidays), kept).around(now, n)


def windows(
    kind: str,
    team: Team,
    now: datetime,
    holidays: Collection[date],
    catch_up: timedelta,
    kept: tuple = (),
) -> list[Window]:
    """Where `kind`'s job has work, around now."""
    if kind == MONTHLY:
        from services.reports import monthly

        # due_at(month) is when the report ON month goes out (after its last deadline, so in a
        # later month): look from two months back, as monthly.due_month does.
        this = monthly.month_of(team_today(now, team.timezone))
        month = monthly.previous_month(monthly.previous_month(this))
        out = []
        for _ in range(4):
            at = monthly.due_at(team, month, set(holidays))
            if at is not None:
                out.append(Window(at, at + max(catch_up, DIGEST_WINDOW)))
            month = monthly.month_of(month.end + timedelta(days=1))
        return out
    out = []
    for c in cycles_ahead(team, now, holidays, kept=kept):
        if kind == COLLECTION:
            out.append(Window(c.opens_at, c.deadline_at))
        elif kind == DIGEST:
            out.append(Window(c.deadline_at, c.deadline_at + max(catch_up, DIGEST_WINDOW)))
        elif kind == AGENDA:
            end = min(c.agenda_at + catch_up, c.meeting_at + AGENDA_NO_LATER_THAN)
            out.append(Window(c.agenda_at, max(end, c.agenda_at)))
    return out


def next_moment(
    kind: str,
    team: Team,
    now: datetime,
    holidays: Collection[date],
    catch_up: timedelta,
    *,
    after_run: bool,
    kept: tuple = (),
) -> datetime:
    """The kind's next due moment. Within an open window: now (nothing has run yet for it)
    or, after a run, the next thing inside it (the collection's reminder and sweep); else the
    next window's start."""
    found: list[datetime] = []
    for w in windows(kind, team, now, holidays, catch_up, kept):
        if now < w.start:
            found.append(w.start)
        elif now <= w.end:
            if not after_run:
                found.append(now)
            elif kind == COLLECTION:
                found.append(min(now + SWEEP, w.end))
                for c in cycles_ahead(team, now, holidays, kept=kept):
                    if c.opens_at <= now < c.reminder_at <= w.end:
                        found.append(c.reminder_at)
    return min(found, default=now + IDLE)


async def meeting_moment(session: AsyncSession, team: Team) -> datetime | None:
    """While a meeting runs: the current speaker's nudge (not sent yet) or its day's 23:59
    close, whichever is first; None when none runs."""
    meeting = await session.scalar(select(Meeting).where(Meeting.running_team_id == team.id))
    if meeting is None:
        return None
    started = team_now(meeting.started_at, team.timezone)
    found = [datetime.combine(started.date(), MEETING_END_OF_DAY, started.tzinfo)]
    speaker = await session.scalar(
        select(MeetingSpeaker).where(
            MeetingSpeaker.meeting_id == meeting.id,
            MeetingSpeaker.position == meeting.position,
            MeetingSpeaker.status == "current",
            MeetingSpeaker.nudged.is_(False),
            MeetingSpeaker.started_at.is_not(None),
        )
    )
    if speaker is not None:
        found.append(speaker.started_at + timedelta(seconds=team.speaker_seconds))
    return min(found)


async def tasks_moment(session: AsyncSession, team: Team) -> datetime | None:
    """The next reminder of the team's open tasks: 09:00 team time of the first day one is
    due (its due date, or the day after it was last reminded); None without open tasks."""
    rows = await session.execute(
        select(Task.due, Task.last_reminded)
        .join(Member, Member.id == Task.owner_member_id)
        .where(Task.team_id == team.id, Task.status == "open", Member.active.is_(True))
    )
    days = [
        max(due, reminded + timedelta(days=1)) if reminded is not None else due
        for due, reminded in rows
    ]
    if not days:
        return None
    tz = team_now(EPOCH, team.timezone).tzinfo
    return datetime.combine(min(days), TASK_REMIND_AT, tz)


async def _lease(session: AsyncSession, now: datetime, *where: Any) -> list[tuple[int, str]]:
    """The moments due now (and matching `where`), leased to the caller for LEASE: one UPDATE,
    committed; (team_id, kind) of each."""
    result = await session.execute(
        update(DueMoment)
        .where(DueMoment.due_at <= now, *where)
        .values(due_at=now + LEASE)
        .returning(DueMoment.team_id, DueMoment.kind)
        .execution_options(synchronize_session=False)
    )
    taken = [(team_id, kind) for team_id, kind in result]
    await session.commit()
    return taken


async def take_due(session: AsyncSession, now: datetime) -> dict[int, list[str]]:
    """What is due now, leased to the caller: {team_id: kinds} (one indexed UPDATE)."""
    due: dict[int, list[str]] = {}
    for team_id, kind in await _lease(session, now):
        due.setdefault(team_id, []).append(kind)
    return due


async def take_team(
    session: AsyncSession, team_id: int, kinds: Iterable[str], now: datetime
) -> set[str]:
    """Of the team's `kinds`, those still due now, leased to the caller (a refresh found them
    due: leased, another replica's pass doesn't take them too)."""
    kinds = list(kinds)
    if not kinds:
        return set()
    taken = await _lease(session, now, DueMoment.team_id == team_id, DueMoment.kind.in_(kinds))
    return {kind for _, kind in taken}


async def _undone_claims(
    session: AsyncSession, team_id: int, kinds: set[str], now: datetime
) -> list[tuple[str, datetime]]:
    """Posts claimed within the lease and not marked done (the poster may have died): their
    kind is due again when the lease ends, so the post is retaken, not lost."""
    kinds = kinds & {DIGEST, AGENDA, MONTHLY}
    if not kinds:
        return []
    rows = await session.execute(
        select(PostLog.kind, PostLog.posted_at).where(
            PostLog.team_id == team_id,
            PostLog.kind.in_(kinds),
            PostLog.done.is_(False),
            PostLog.posted_at > now - postlog.LEASE,
        )
    )
    return [(kind, at) for kind, at in rows]


async def recompute(
    session: AsyncSession,
    team_id: int,
    now: datetime,
    catch_up: timedelta,
    *,
    ran: Iterable[str] = (),
    refresh: bool = False,
) -> dict[str, datetime]:
    """Stores the team's next moments: for the kinds that just `ran`, the next one after now;
    with `refresh`, every kind's (a window open now counts as due now). A deleted team keeps
    none, a paused one only its running meeting's (unpausing asks for a refresh)."""
    team = await session.get(Team, team_id)
    if team is None:
        await session.execute(delete(DueMoment).where(DueMoment.team_id == team_id))
        await session.commit()
        return {}
    ran = set(ran)
    if team.paused:  # only a meeting still running is closed (its minutes go to the leads)
        await session.execute(
            delete(DueMoment).where(DueMoment.team_id == team_id, DueMoment.kind != MEETING)
        )
        ran &= {MEETING}
    kinds = [k for k in RHYTHM_KINDS if (k in ran or refresh) and not team.paused]
    stored: dict[str, datetime] = {}
    if kinds:
        schedule = await schedule_of(session, team)  # opened collections keep their moments
        holidays, kept = schedule.holidays, schedule.kept
        for kind in kinds:
            after_run = kind in ran or not refresh
            stored[kind] = next_moment(
                kind, team, now, holidays, catch_up, after_run=after_run, kept=kept
            )
        for kind, at in await _undone_claims(session, team_id, ran, now):
            stored[kind] = min(stored[kind], at + postlog.LEASE + timedelta(seconds=1))
    gone: list[str] = []
    for kind in ROW_KINDS:
        if (kind in ran or refresh) and not (team.paused and kind != MEETING):
            at = await (meeting_moment if kind == MEETING else tasks_moment)(session, team)
            if at is None:
                gone.append(kind)
            else:
                stored[kind] = at
    if gone:
        await session.execute(
            delete(DueMoment).where(
                DueMoment.team_id == team_id, DueMoment.kind.in_(gone), DueMoment.due_at > EPOCH
            )
        )
    if stored:
        rows = [{"team_id": team_id, "kind": k, "due_at": at} for k, at in stored.items()]
        await session.execute(upsert_moments(session.bind.dialect.name, rows))
    if refresh:  # a refresh asked for meanwhile (due at EPOCH) stays
        await session.execute(
            delete(DueMoment).where(
                DueMoment.team_id == team_id, DueMoment.kind == REFRESH, DueMoment.due_at > EPOCH
            )
        )
    await session.commit()
    return stored
