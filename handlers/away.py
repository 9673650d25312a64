"""/away (a member for themselves in either chat, a lead for a member in the group) and
/holiday (the team's days off: leads mark them, anyone lists them)."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from core.runtime import Runtime
from handlers.common import leads, people
from handlers.common.filters import GROUP, PRIVATE
from handlers.common.guards import TEAM_REQUIRED
from handlers.common.senders import ANONYMOUS_OK
from models.tables import Member, Team, User
from services.common.clock import team_today
from services.common.errors import UserError
from services.team import availability, rhythm, teams
from services.team.schedule import schedule_of
from views.checkins import moment_text, period_text
from views.common import user_name
from views.i18n import Translator

CANCEL_WORDS = {"отмена", "отменить", "нет", "cancel", "off", "no", "-"}
REMOVE_WORDS = {"del", "delete", "remove", "удалить", "убрать", "-"}


def range_text(start: date, end: date, t: Translator) -> str:
    skeleton = "MMMd" if start.year == end.year else "yMMMd"
    if start == end:
        return t.date(start, skeleton)
    return f"{t.date(start, skeleton)} – {t.date(end, skeleton)}"


async def _member_rows(session: AsyncSession, user: User) -> list[Member]:
    rows = []
    for team in await teams.teams_of(session, user):
        member = await teams.member(session, team, user.id)
        if member is not None:
            rows.append(member)
    return rows


# ----------------------------------------------------------------------------- /away
async def _set_away(
    message: Message,
    session: AsyncSession,
    members: list[Member],
    whose: User,
    args: str,
    today: date,
    setter: User,
    t: Translator,
) -> None:
    """Parses the dates (or a cancel word) and stores them for `members` (all one person)."""
    name = user_name(whose)
    if args.lower() in CANCEL_WORDS:
        count = await availability.cancel_away(session, members, today)
        await session.commit()
        await message.answer(t("away.cancelled" if count else "away.none", name=name))
        return
    try:
        start, end = availability.parse_range(args, today)
    except UserError as error:
        await session.commit()  # what was learnt of the sender is kept; the refusal is told
        raise error.hinted("away.usage") from None
    await availability.add_away(session, members, start, end, setter.id)
    await session.commit()
    await message.answer(t("away.saved", name=name, dates=range_text(start, end, t)))


async def _list_away(
    message: Message, session: AsyncSession, members: list[Member], today: date, t: Translator
) -> None:
    ranges = await availability.aways(session, [m.id for m in members], today)
    seen = sorted({(r.start, r.end) for rows in ranges.values() for r in rows})
    if not seen:
        await message.answer(t("away.nothing") + "\n\n" + t("away.usage"))
        return
    listed = "\n".join(f"• {range_text(s, e, t)}" for s, e in seen)
    await message.answer(t("away.list", ranges=listed) + "\n\n" + t("away.usage"))


async def away_private(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    t: Translator,
    runtime: Runtime,
) -> None:
    members = await _member_rows(session, user)
    if not members:
        await message.answer(t("checkin.not_member"))
        return
    team = await session.get(Team, members[0].team_id)
    today = team_today(runtime.now(), team.timezone)
    args = (command.args or "").strip()
    if not args:
        await _list_away(message, session, members, today, t)
        return
    await _set_away(message, session, members, user, args, today, user, t)


async def away_group(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    user: User,
    team: Team,
    t: Translator,
    runtime: Runtime,
) -> None:
    today = team_today(runtime.now(), team.timezone)
    who = await people.named(message, command.args or "", session)
    args = who.args
    whose: User | None = user
    if who.user_id is not None:
        whose = await session.get(User, who.user_id) if who.user_id else None
    member = await teams.member(session, team, whose.id) if whose else None
    if whose is None or member is None or not member.active:
        key = "checkin.not_member" if whose is not None and whose.id == user.id else "away.who"
        await message.answer(t(key))
        return
    if whose.id != user.id and not await leads.is_lead(bot, session, team, user.id):
        await session.commit()
        await message.answer(t("common.leads_only"))
        return
    if not args:
        await _list_away(message, session, [member], today, t)
        return
    await _set_away(message, session, [member], whose, args, today, user, t)


# ----------------------------------------------------------------------------- /holiday
def _moments(cycle: rhythm.Cycle) -> tuple:
    return cycle.skipped, cycle.opens_at, cycle.meeting_at


def changes_text(
    team: Team, schedule: rhythm.Schedule, before: set[date], now: datetime, t: Translator
) -> list[str]:
    """What marking or unmarking days does to the team's cycles near them. The open collection
    keeps its moments (said when the days would have moved it); the cycles after it change."""
    after = set(schedule.holidays)
    days = sorted(before ^ after)
    if not days:
        return []
    lines = []
    last = schedule.last_kept
    if last is not None and now < last.meeting_at:
        old, new = rhythm.cycle_for(team, last.period, before), schedule.computed(last.period)
        if _moments(old) != _moments(new):
            lines.append(
                t(
                    "holiday.kept",
                    period=period_text(last.period, t),
                    deadline=moment_text(last.deadline_at, team, t),
                )
            )
    cadence = rhythm.cadence(team)
    period = rhythm.period_of(team, days[0])
    period = kpi.previous_period(period, cadence, team.anchor_date)
    while period.start <= days[-1]:
        old, new = rhythm.cycle_for(team, period, before), schedule.computed(period)
        if last is not None and not rhythm.follows(new, last):
            pass  # opened already (kept as it was), or before the open collection
        elif new.skipped and not old.skipped:
            lines.append(t("holiday.skipped", date=moment_text(old.meeting_at, team, t)))
        elif old.skipped and not new.skipped:
            lines.append(t("holiday.restored", date=moment_text(new.meeting_at, team, t)))
        elif not new.skipped:
            if new.meeting_at != old.meeting_at:
                lines.append(
                    t(
                        "holiday.meeting_moved",
                        old=moment_text(old.meeting_at, team, t),
                        new=moment_text(new.meeting_at, team, t),
                    )
                )
            if new.opens_at != old.opens_at:
                lines.append(
                    t(
                        "holiday.opening_moved",
                        old=moment_text(old.opens_at, team, t),
                        new=moment_text(new.opens_at, team, t),
                    )
                )
        period = kpi.next_period(period, cadence, team.anchor_date)
    return lines


async def holiday(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    team: Team,
    t: Translator,
    runtime: Runtime,
    anonymous_admin: bool = False,
) -> None:
    today = team_today(runtime.now(), team.timezone)
    args = (command.args or "").strip()
    before = set(await availability.holidays(session, team))
    if not args:
        upcoming = sorted(d for d in before if d >= today)
        policy = t(f"holiday.policy.{team.holiday_policy}")
        if upcoming:
            listed = ", ".join(t.date(d) for d in upcoming)
            text = t("holiday.list", days=listed, policy=policy)
        else:
            text = t("holiday.none", policy=policy)
        await message.answer(text + "\n\n" + t("holiday.usage"))
        return
    lead = anonymous_admin or (
        user is not None and await leads.is_lead(bot, session, team, user.id)
    )
    if not lead:
        await session.commit()
        await message.answer(t("common.leads_only"))
        return
    word, _, rest = args.partition(" ")
    removing = word.lower() in REMOVE_WORDS
    try:
        days = availability.parse_holidays(rest.strip() if removing else args, today)
    except UserError as error:
        await session.commit()
        raise error.hinted("holiday.usage") from None
    if removing:
        changed = await availability.remove_holidays(session, team, days)
        key = "holiday.removed" if changed else "holiday.not_marked"
    else:
        changed = await availability.add_holidays(session, team, days)
        key = "holiday.added" if changed else "holiday.already"
    await session.commit()
    schedule = await schedule_of(session, team)
    lines = [t(key, days=", ".join(t.date(d) for d in (changed or days)))]
    lines += changes_text(team, schedule, before, runtime.now(), t)
    await message.answer("\n".join(lines))


def setup() -> Router:
    """The away feature's router, new for each Dispatcher."""
    router = Router(name="away")
    router.message.register(away_private, Command("away"), PRIVATE)
    router.message.register(away_group, Command("away"), GROUP, flags=TEAM_REQUIRED)
    router.message.register(
        holiday, Command("holiday"), GROUP, flags={**TEAM_REQUIRED, **ANONYMOUS_OK}
    )
    return router
