"""Running a meeting in the group: giving the floor, closing with the minutes, and the
periodic part (the speaker's gentle nudge, closing a meeting nobody ended at the end of its day).
Used by the meeting handlers and by the due-moments pass (kind "meeting") alike."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import to_group
from core.runtime import Runtime
from jobs import agenda as agenda_job
from models.due import MEETING, RUNNING_KIND
from models.tables import Meeting, Member, Team
from services.common.clock import team_today
from services.meeting import meetings
from views import meeting as meeting_views
from views.common import mention, split_message
from views.i18n import Translator, html_join

log = logging.getLogger(__name__)


async def drop_buttons(bot: Bot, chat_id: int, message_id: int | None) -> None:
    if message_id is None:
        return
    with contextlib.suppress(TelegramAPIError):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)


async def give_floor(
    bot: Bot,
    session: AsyncSession,
    team: Team,
    meeting: Meeting,
    t: Translator,
    now: datetime,
    header: str | None = None,
) -> None:
    """Posts the current speaker's card (or «everyone has spoken») and remembers it (commits).
    `header` goes on top (the start of the meeting), sparing the group a message."""
    turn = await meetings.turn(session, meeting)
    text, keyboard = await meeting_views.speaker_card(
        session, team, turn, t, team_today(now, team.timezone)
    )
    if header:
        text = f"{header}\n\n{text}"
    previous = meeting.message_id
    sent = await bot.send_message(**to_group(team), text=text, reply_markup=keyboard)
    meetings.set_message(meeting, sent.message_id)
    await session.commit()
    if previous != sent.message_id:
        await drop_buttons(bot, team.chat_id, previous)


async def away_note(session: AsyncSession, meeting: Meeting, t: Translator) -> str | None:
    came = await meetings.attendance(session, meeting)
    if not came.away:
        return None
    names = html_join(", ", [mention(m.user) for m in came.away])
    return t.n("meeting.away_skipped", len(came.away), names=names)


async def close(
    bot: Bot,
    session: AsyncSession,
    team: Team,
    meeting: Meeting,
    t: Translator,
    now: datetime,
    *,
    auto: bool = False,
    link: InlineKeyboardMarkup | None = None,
) -> str:
    """Ends the meeting, stores and posts its minutes (`link`: the dashboard's, under them);
    returns them. If the bot was removed from the group (403), the minutes go to the leads in
    private at once and wait for the group (`post_held_minutes` when the bot is back)."""
    minutes = await meeting_views.minutes_text(session, team, meeting, t, auto=auto)
    card = meeting.message_id
    await meetings.finish(session, meeting, now=now, minutes=minutes)
    await session.commit()
    await drop_buttons(bot, team.chat_id, card)
    try:
        await agenda_job.send_chunks(bot, to_group(team), split_message(minutes), link)
    except TelegramForbiddenError as error:
        log.warning("minutes of meeting %s held: the group refused (%s)", meeting.id, error)
        meetings.hold_minutes(meeting)
        await session.commit()
        await minutes_to_leads(bot, session, team, meeting, t, minutes)
    return minutes


async def minutes_to_leads(
    bot: Bot, session: AsyncSession, team: Team, meeting: Meeting, t: Translator, minutes: str
) -> None:
    text = t("meeting.minutes_held", team=team.title) + "\n\n" + minutes
    for user in await meetings.minutes_readers(session, team, meeting):
        try:
            await agenda_job.send_chunks(bot, {"chat_id": user.id}, split_message(text))
        except TelegramAPIError as error:
            log.warning("held minutes of meeting %s not sent to %s: %s", meeting.id, user.id, error)


async def post_held_minutes(bot: Bot, session: AsyncSession, team: Team, t: Translator) -> int:
    """The bot is back in the group: the minutes it couldn't post go there, each once;
    how many were posted."""
    posted = 0
    for meeting in await meetings.held_minutes(session, team):
        if not meeting.minutes or not await meetings.take_held(session, meeting):
            continue
        text = t("meeting.minutes_late") + "\n\n" + meeting.minutes
        try:
            await agenda_job.send_chunks(bot, to_group(team), split_message(text))
        except TelegramAPIError as error:
            log.warning("held minutes of meeting %s still not posted: %s", meeting.id, error)
            meetings.hold_minutes(meeting)
            await session.commit()
            continue
        posted += 1
    return posted


async def team_due(runtime: Runtime, team_id: int, now: datetime) -> str:
    """The team's running meeting, when its moment comes: nudges a speaker whose time box is
    over (once), or closes it with its minutes when it is left running past 23:59 of its day."""
    async with runtime.sessionmaker(info={RUNNING_KIND: MEETING}) as session:
        team = await session.get(Team, team_id)
        meeting = None if team is None else await meetings.running(session, team.id)
        if team is None or meeting is None:
            return "no meeting running"
        t = runtime.i18n.get(team.locale)
        try:
            if meetings.left_running(meeting, team, now):
                link = agenda_job.dashboard_link(runtime, team, t)
                await close(runtime.bot, session, team, meeting, t, now, auto=True, link=link)
                return "closed at the end of its day"
            if await nudge(runtime.bot, session, team, meeting, t, now):
                return "speaker nudged"
        except TelegramAPIError:
            log.exception("meeting %s of team %s: the group can't be reached", meeting.id, team_id)
            return "the group can't be reached"
    return "nothing due"


async def nudge(
    bot: Bot, session: AsyncSession, team: Team, meeting: Meeting, t: Translator, now: datetime
) -> bool:
    turn = await meetings.turn(session, meeting)
    if turn.speaker is None or not meetings.speaker_overdue(turn.speaker, team, now):
        return False
    turn.speaker.nudged = True
    await session.commit()
    member: Member = turn.member  # type: ignore[assignment]
    await bot.send_message(**to_group(team), text=t("meeting.nudge", name=mention(member.user)))
    return True
