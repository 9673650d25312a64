"""The scheduled side of check-ins, run by the planner's tick for every team that isn't paused:

- opening: once a cycle's collection has opened (and until its deadline), every active member
  with questions who has no check-in yet and isn't away gets the intro and the first question
  — at the opening, and later for someone back from time off or newly joined;
- reaching: a member the bot can't write to (never started it, or blocked it: 403) is noted on
  their user row and their check-in stays pending; it is asked once they can be reached;
- the reminder: once, at the cycle's reminder time (caught up within CATCH_UP_HOURS, never
  after the deadline), to each member not done — the `reminded` flag makes it once a member;
- resuming: a member whose answer was saved but whose next question never went out (the bot
  died in between) gets that question again.

Every step is committed before the message goes out, so two replicas or a restart never send
the same thing twice; the post log records the opening and the reminder of each period.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import Message
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from core.delivery import fan_out
from core.runtime import Runtime
from models.tables import Answer, Checkin, Collection, Member, Team, User
from services.checkins import flow as checkins
from services.checkins.flow import ASKING, DONE, OPEN, PENDING, Flow
from services.common import postlog
from services.common.clock import team_today
from services.team import availability, rhythm, teams
from views import checkins as checkin_views
from views.i18n import Translator

log = logging.getLogger(__name__)

OPEN_KIND = "collection_open"
REMINDER_KIND = "collection_reminder"
LATE_AFTER = timedelta(minutes=10)
RESUME_AFTER = timedelta(seconds=60)


async def team_due(runtime: Runtime, team_id: int, now: datetime) -> None:
    async with runtime.sessionmaker() as session:
        team = await session.get(Team, team_id)
        if team is None or team.paused:
            return
        cycle = await checkins.cycle_now(session, team, now)
        if cycle.skipped or now < cycle.opens_at or _before_team(team, cycle):
            return
        collection = await checkins.collection_of(session, team, cycle.period.start)
        if now < cycle.deadline_at:
            collection = await open_collection(session, team, cycle, now)
            await ask_members(runtime, session, team, collection, now)
            catch_up = timedelta(hours=runtime.settings.catch_up_hours)
            if cycle.reminder_at <= now <= cycle.reminder_at + catch_up:
                await remind(runtime, session, team, collection, cycle, now)
        if collection is not None:
            await resume(runtime, session, team, collection, now)


async def open_collection(
    session: AsyncSession, team: Team, cycle: rhythm.Cycle, now: datetime
) -> Collection:
    """The period's collection row, recorded once in the post log (late if caught up)."""
    key = cycle.period.key
    await postlog.record(
        session, team.id, OPEN_KIND, key, now=now, late=now - cycle.opens_at > LATE_AFTER
    )
    collection = await checkins.ensure_collection(session, team, cycle, now)
    await session.commit()
    return collection


def _before_team(team: Team, cycle: rhythm.Cycle) -> bool:
    """A cycle that opened before the team was registered isn't opened by the schedule
    (its members can still answer it with /report)."""
    return team_today(cycle.opens_at, team.timezone) < team.anchor_date


def reachable(user: User) -> bool:
    return user.started and not user.blocked


async def ask_members(
    runtime: Runtime, session: AsyncSession, team: Team, collection: Collection, now: datetime
) -> None:
    """Intro and first question to each member not asked yet (not away, reachable) — and again
    to one a replica that died left half-asked — several members at a time (fan_out). The
    check-ins are created, and the flows read, for the whole team at once."""
    members = [m for m in await teams.members(session, team) if checkins.inputs_of(m)]
    existing = await checkins.checkins_of(session, [m.id for m in members], collection.period_start)
    away = await availability.away_on(
        session, [m.id for m in members], team_today(now, team.timezone)
    )
    fresh = [m for m in members if m.id not in existing and m.id not in away]
    created = await checkins.create_checkins(session, fresh, collection, now)
    await session.commit()
    due: list[int] = []
    half_asked: list[int] = []  # the intro went out, the first question didn't
    for member in members:
        if member.id in away:
            continue
        checkin = existing.get(member.id)
        if checkin is None:
            if member.id not in created:  # a replica created it meanwhile
                continue
            checkin_id = created[member.id]
        elif checkin.state == ASKING and checkin.question_message_id == checkins.DELIVERING:
            if not await _undeliver(session, checkin):
                continue
            checkin_id = checkin.id
        elif checkin.state == ASKING and (checkin.question_message_id or 0) < 0:
            half_asked.append(checkin.id)
            continue
        elif not (
            checkin.state == PENDING
            and checkin.question_message_id is None
            and reachable(member.user)
        ):
            continue
        else:
            checkin_id = checkin.id
        if not reachable(member.user) and member.user.blocked:
            continue
        due.append(checkin_id)
    flows = await checkins.flows_by_ids(session, due)
    await session.commit()
    await fan_out(half_asked, lambda checkin_id: _ask_again(runtime, checkin_id, now))
    await fan_out(
        [flows[c] for c in due if c in flows], lambda flow: _deliver_one(runtime, flow, now)
    )


async def _deliver_one(runtime: Runtime, flow: Flow, now: datetime) -> None:
    """One member's intro and first question, in a session of its own (the flow was read by
    the team's pass; every write is a compare-and-set or a plain UPDATE by id)."""
    async with runtime.sessionmaker() as session:
        await deliver(runtime, session, flow, now)


async def _ask_again(runtime: Runtime, checkin_id: int, now: datetime) -> None:
    async with runtime.sessionmaker() as session:
        flow = await checkins.flow_by_id(session, checkin_id)
        if flow is not None and reachable(flow.member.user):
            t = runtime.i18n.for_user(flow.member.user, flow.team)
            await ask(runtime, session, flow, t, now)


async def _undeliver(session: AsyncSession, checkin: Checkin) -> bool:
    """A first question whose sending died with its replica goes back to pending."""
    result = await session.execute(
        update(Checkin)
        .where(
            Checkin.id == checkin.id,
            Checkin.state == ASKING,
            Checkin.question_message_id == checkins.DELIVERING,
        )
        .values(state=PENDING, question_message_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return result.rowcount == 1


async def deliver(runtime: Runtime, session: AsyncSession, flow: Flow, now: datetime) -> bool:
    """Writes the intro and the first question; False if the member can't be reached. What
    went out is recorded after each message (checkins.DELIVERING), so a replica dying in
    between leaves the rest to the next tick."""
    user = flow.member.user
    t = runtime.i18n.for_user(user, flow.team)
    other = await checkins.other_open_flow(session, flow, now)
    if other is not None:
        text, markup = checkin_views.intro(flow, t, now, waiting_for=other)
        sent = await send(runtime, session, user, text, markup)
        if sent is not None:
            await checkins.mark_asked(session, flow, sent.message_id)
        return sent is not None
    if not await checkins.activate(session, flow):
        return False
    text, _ = checkin_views.intro(flow, t, now)
    sent = await send(runtime, session, user, text)
    if sent is None:
        await _back_to_pending(session, flow)
        return False
    await checkins.mark_asked(session, flow, -sent.message_id)
    if flow.many_teams:
        await _set_user(session, user, active_team_id=flow.team.id)
        await session.commit()
    return await ask(runtime, session, flow, t, now)


async def ask(
    runtime: Runtime,
    session: AsyncSession,
    flow: Flow,
    t: Translator,
    now: datetime,
    prefix: str = "",
) -> bool:
    """Sends the current question and remembers its message."""
    text, markup = checkin_views.question(flow, t, many_teams=flow.many_teams, prefix=prefix)
    sent = await send(runtime, session, flow.member.user, text, markup)
    if sent is None:
        return False
    await checkins.mark_asked(session, flow, sent.message_id)
    return True


async def _back_to_pending(session: AsyncSession, flow: Flow) -> None:
    await session.execute(
        update(Checkin)
        .where(Checkin.id == flow.checkin.id, Checkin.state == ASKING)
        .values(state=PENDING, question_message_id=None)
    )
    await session.commit()


async def send(
    runtime: Runtime, session: AsyncSession, user: User, text: str, markup: object = None
) -> Message | None:
    """A private message; None (and the user row says why) if the user can't be reached."""
    await session.commit()  # hold no connection while Telegram is waited for (limits, retries)
    try:
        return await runtime.bot.send_message(user.id, text, reply_markup=markup)
    except TelegramForbiddenError as error:
        if "blocked" in error.message.lower():
            await _set_user(session, user, blocked=True)
        else:
            await _set_user(session, user, started=False)
    except TelegramBadRequest as error:
        if "chat not found" not in error.message.lower():
            log.warning("can't write to user %s: %s", user.id, error.message)
            return None
        await _set_user(session, user, started=False)
    except TelegramAPIError as error:
        log.warning("can't write to user %s: %s", user.id, error)
        return None
    await session.commit()
    return None


async def _set_user(session: AsyncSession, user: User, **values: object) -> None:
    """An UPDATE by id: the user row may have been read by another session (the team's pass)."""
    await session.execute(
        update(User)
        .where(User.id == user.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for name, value in values.items():
        set_committed_value(user, name, value)


async def remind(
    runtime: Runtime,
    session: AsyncSession,
    team: Team,
    collection: Collection,
    cycle: rhythm.Cycle,
    now: datetime,
) -> None:
    """One reminder to each member asked before the reminder time and not done yet."""
    key = cycle.period.key
    await postlog.record(session, team.id, REMINDER_KIND, key, now=now)
    members = {m.id: m for m in await teams.members(session, team)}
    away = await availability.away_on(session, list(members), team_today(now, team.timezone))
    due = await session.scalars(
        select(Checkin).where(
            Checkin.member_id.in_(list(members)),
            Checkin.period_start == collection.period_start,
            Checkin.state.in_(OPEN),
            Checkin.reminded.is_(False),
            Checkin.opened_at < cycle.reminder_at,
        )
    )
    for checkin in list(due):
        member = members[checkin.member_id]
        if checkin.member_id in away or not reachable(member.user):
            continue
        won = await session.execute(
            update(Checkin)
            .where(Checkin.id == checkin.id, Checkin.reminded.is_(False))
            .values(reminded=True)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        if won.rowcount != 1:
            continue
        flow = await checkins.flow_by_id(session, checkin.id)
        if flow is None or flow.checkin.state == DONE:
            continue
        t = runtime.i18n.for_user(member.user, team)
        text, markup = checkin_views.reminder(flow, t, now, many_teams=flow.many_teams)
        sent = await send(runtime, session, member.user, text, markup)
        if sent is not None:
            await checkins.mark_asked(session, flow, sent.message_id)


async def resume(
    runtime: Runtime, session: AsyncSession, team: Team, collection: Collection, now: datetime
) -> None:
    """Asks again a question that never went out after the previous answer was saved."""
    last_answer = (
        select(Answer.member_id, func.max(Answer.answered_at).label("at"))
        .where(Answer.period_start == collection.period_start)
        .group_by(Answer.member_id)
        .subquery()
    )
    rows = await session.execute(
        select(Checkin, last_answer.c.at)
        .join(Member, Member.id == Checkin.member_id)
        .join(last_answer, last_answer.c.member_id == Checkin.member_id)
        .where(
            Member.team_id == team.id,
            Checkin.period_start == collection.period_start,
            Checkin.state.in_(OPEN),
            Checkin.question_message_id.is_(None),
        )
    )
    for checkin, answered_at in list(rows):
        if answered_at is None or now - _aware(answered_at) < RESUME_AFTER:
            continue
        flow = await checkins.load_flow(session, checkin)
        if flow is None or not reachable(flow.member.user):
            continue
        t = runtime.i18n.for_user(flow.member.user, team)
        await ask(runtime, session, flow, t, now, prefix=t("checkin.resume"))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
