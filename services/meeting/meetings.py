"""The meeting as a state machine in the database.

A running meeting is a `meetings` row with `running_team_id = team.id` (unique: two /planerka at
once start one meeting) and its `meeting_speakers` rows in speaking order. `meetings.position` is
the index of the current speaker; `len(speakers)` means everyone has had the floor.

Speaking order: specialists in the order they joined, leads last (the lead sums up). Members
without a role (they never finished /join) don't speak; members away on the meeting day are listed
as away and skipped. A speaker is pending → current → spoke (next) or skipped (skip); «back»
returns the floor to the previous speaker who spoke or was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Away, Meeting, MeetingSpeaker, Member, Team, User
from services.common.clock import team_now
from services.team import teams

RUNNING, ENDED = "running", "ended"
PENDING, CURRENT, SPOKE, SKIPPED, AWAY = "pending", "current", "spoke", "skipped", "away"
END_OF_DAY = time(23, 59)


class AlreadyRunning(Exception):
    def __init__(self, meeting: Meeting) -> None:
        super().__init__(meeting.id)
        self.meeting = meeting


class StaleAction(Exception):
    """A button pressed on a speaker who no longer has the floor (or a finished meeting)."""


@dataclass(frozen=True)
class Turn:
    meeting: Meeting
    speaker: MeetingSpeaker | None  # None: everyone has had the floor
    member: Member | None


async def running(session: AsyncSession, team: Team | int) -> Meeting | None:
    team_id = team if isinstance(team, int) else team.id
    return await session.scalar(select(Meeting).where(Meeting.running_team_id == team_id))


async def away_member_ids(session: AsyncSession, team: Team, day: date) -> set[int]:
    query = (
        select(Away.member_id)
        .join(Member, Member.id == Away.member_id)
        .where(Member.team_id == team.id, Away.start <= day, Away.end >= day)
    )
    return set(await session.scalars(query))


def speaking_order(members: list[Member]) -> list[Member]:
    with_roles = [m for m in members if m.active and m.role_codes]
    return [m for m in with_roles if not m.leads] + [m for m in with_roles if m.leads]


async def start(
    session: AsyncSession, team: Team, *, started_by: int | None, now: datetime, period_start: date
) -> Meeting:
    """Starts the team's meeting and gives the floor to the first speaker (committed).

    Raises AlreadyRunning with the running meeting when there is one — also when another
    /planerka won the race a moment ago; then the session was rolled back and only `team` is
    loaded again (the caller's other rows are expired)."""
    found = await running(session, team.id)
    if found is not None:
        raise AlreadyRunning(found)
    day = team_now(now, team.timezone).date()
    order = speaking_order(await teams.members(session, team))
    away = await away_member_ids(session, team, day)
    await session.commit()  # the caller's pending changes first: a lost race rolls back only ours
    meeting = Meeting(
        team_id=team.id,
        running_team_id=team.id,
        period_start=period_start,
        status=RUNNING,
        started_by=started_by,
        started_at=now,
        position=0,
    )
    session.add(meeting)
    try:
        await session.flush()
        for index, member in enumerate(order):
            session.add(
                MeetingSpeaker(
                    meeting_id=meeting.id,
                    member_id=member.id,
                    position=index,
                    status=AWAY if member.id in away else PENDING,
                )
            )
        await session.flush()
        speakers = await speakers_of(session, meeting)
        meeting.position = _next_index(speakers, -1)
        _give_floor(speakers, meeting.position, now)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        await session.refresh(team)
        found = await running(session, team.id)
        if found is None:
            raise
        raise AlreadyRunning(found) from None
    return meeting


async def speakers_of(session: AsyncSession, meeting: Meeting) -> list[MeetingSpeaker]:
    query = (
        select(MeetingSpeaker)
        .where(MeetingSpeaker.meeting_id == meeting.id)
        .order_by(MeetingSpeaker.position)
    )
    return list(await session.scalars(query))


def _next_index(speakers: list[MeetingSpeaker], after: int) -> int:
    for speaker in speakers[after + 1 :]:
        if speaker.status == PENDING:
            return speaker.position
    return len(speakers)


def _previous_index(speakers: list[MeetingSpeaker], before: int) -> int | None:
    for speaker in reversed(speakers[:before]):
        if speaker.status in (SPOKE, SKIPPED):
            return speaker.position
    return None


def _give_floor(speakers: list[MeetingSpeaker], index: int, now: datetime) -> None:
    if index < len(speakers):
        speaker = speakers[index]
        speaker.status = CURRENT
        speaker.started_at = now
        speaker.nudged = False


async def turn(session: AsyncSession, meeting: Meeting) -> Turn:
    speakers = await speakers_of(session, meeting)
    if meeting.position >= len(speakers):
        return Turn(meeting, None, None)
    speaker = speakers[meeting.position]
    return Turn(meeting, speaker, await session.get(Member, speaker.member_id))


async def advance(
    session: AsyncSession, meeting: Meeting, action: str, *, position: int, now: datetime
) -> Turn:
    """next / skip / back, pressed on the card of the speaker at `position` (committed).

    A press on a card that is no longer current (pressed twice, or an old message) raises
    StaleAction and changes nothing."""
    if meeting.status != RUNNING or meeting.position != position:
        raise StaleAction
    speakers = await speakers_of(session, meeting)
    if action == "back":
        target = _previous_index(speakers, min(position, len(speakers)))
        if target is None:
            raise StaleAction
        if position < len(speakers):
            speakers[position].status = PENDING
            speakers[position].started_at = None
        speakers[target].status = PENDING
        meeting.position = target
        _give_floor(speakers, target, now)
    else:
        if position >= len(speakers):
            raise StaleAction
        speakers[position].status = SPOKE if action == "next" else SKIPPED
        meeting.position = _next_index(speakers, position)
        _give_floor(speakers, meeting.position, now)
    await session.commit()
    return await turn(session, meeting)


def set_message(meeting: Meeting, message_id: int | None) -> None:
    meeting.message_id = message_id


@dataclass(frozen=True)
class Attendance:
    spoke: list[Member]
    absent: list[Member]  # skipped, or never reached before the end
    away: list[Member]


async def attendance(session: AsyncSession, meeting: Meeting) -> Attendance:
    speakers = await speakers_of(session, meeting)
    ids = [s.member_id for s in speakers]
    found = {m.id: m for m in await session.scalars(select(Member).where(Member.id.in_(ids)))}
    spoke, absent, away = [], [], []
    for speaker in speakers:
        member = found[speaker.member_id]
        if speaker.status in (SPOKE, CURRENT):
            spoke.append(member)
        elif speaker.status == AWAY:
            away.append(member)
        else:
            absent.append(member)
    return Attendance(spoke, absent, away)


async def finish(session: AsyncSession, meeting: Meeting, *, now: datetime, minutes: str) -> None:
    """Ends the meeting with its minutes stored (not committed: the caller commits first)."""
    if meeting.position is not None:
        speakers = await speakers_of(session, meeting)
        if meeting.position < len(speakers) and speakers[meeting.position].status == CURRENT:
            speakers[meeting.position].status = SPOKE
    meeting.status = ENDED
    meeting.running_team_id = None
    meeting.ended_at = now
    meeting.minutes = minutes


async def held_for(
    session: AsyncSession, team: Team, period_start: date, *, ended: bool = False
) -> bool:
    """A meeting for this period has started (running or ended), or with `ended`, has ended."""
    query = select(Meeting.id).where(
        Meeting.team_id == team.id, Meeting.period_start == period_start
    )
    if ended:
        query = query.where(Meeting.status == ENDED)
    return await session.scalar(query.limit(1)) is not None


async def last_ended(session: AsyncSession, team: Team) -> Meeting | None:
    query = (
        select(Meeting)
        .where(Meeting.team_id == team.id, Meeting.status == ENDED)
        .order_by(Meeting.ended_at.desc(), Meeting.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


def speaker_overdue(speaker: MeetingSpeaker, team: Team, now: datetime) -> bool:
    """The current speaker's time box is over and they haven't been nudged yet."""
    return (
        speaker.status == CURRENT
        and not speaker.nudged
        and speaker.started_at is not None
        and now - speaker.started_at >= timedelta(seconds=team.speaker_seconds)
    )


def left_running(meeting: Meeting, team: Team, now: datetime) -> bool:
    """Nobody ended it and its day is over (23:59 team time)."""
    started = team_now(meeting.started_at, team.timezone)
    end = datetime.combine(started.date(), END_OF_DAY, started.tzinfo)
    return team_now(now, team.timezone) >= end


# ----------------------------------------------------------------------------- held minutes
# Minutes the group couldn't get (the bot was removed) wait in `minutes_pending` until the bot
# is added back; then they are taken once (a conditional UPDATE) and posted.


def hold_minutes(meeting: Meeting) -> None:
    """The minutes wait for the group (not committed)."""
    meeting.minutes_pending = True


async def held_minutes(session: AsyncSession, team: Team) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(Meeting.team_id == team.id, Meeting.minutes_pending.is_(True))
        .order_by(Meeting.ended_at, Meeting.id)
    )
    return list(await session.scalars(query))


async def take_held(session: AsyncSession, meeting: Meeting) -> bool:
    """True for the one caller that takes the held minutes to post them (committed)."""
    taken = await session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.minutes_pending.is_(True))
        .values(minutes_pending=False)
    )
    await session.commit()
    return taken.rowcount == 1


async def minutes_readers(session: AsyncSession, team: Team, meeting: Meeting) -> list[User]:
    """Who gets minutes the group couldn't: the team's leads (named, or admins when last
    seen) and whoever started the meeting, if they can be written to in private."""
    leads = select(Member.user_id).where(
        Member.team_id == team.id, Member.active.is_(True), Member.is_lead | Member.is_admin
    )
    ids = set(await session.scalars(leads))
    if meeting.started_by is not None:
        ids.add(meeting.started_by)
    if not ids:
        return []
    users = await session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))
    return [u for u in users if u.started and not u.blocked]
