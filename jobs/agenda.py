"""Posting the agenda to the group `agenda_minutes_before` the meeting (claimed in the post log
once per period; caught up after downtime within CATCH_UP_HOURS, never later than an hour after
the meeting time); /agenda builds the same text at any time."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import to_group
from core.runtime import Runtime
from models.tables import Team
from services.common import postlog
from services.meeting import meetings
from services.meeting.agenda import collect, cycle_now, upcoming_cycle
from services.team import rhythm
from views import webapp as webapp_view
from views.agenda import render
from views.common import split_message
from views.i18n import Translator

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=5)
NO_LATER_THAN = timedelta(hours=1)  # after the meeting time, a missed agenda isn't posted


# ----------------------------------------------------------------------------- posting
async def build(session: AsyncSession, team: Team, t: Translator, now: datetime) -> list[str]:
    """/agenda: the next meeting's agenda (after this period's meeting, the next period's)."""
    cycle = await upcoming_cycle(session, team, now)
    data = await collect(session, team, cycle, now)
    return split_message(render(data, team, t))


async def send_chunks(
    bot: Bot, where: dict[str, Any], chunks: list[str], markup: InlineKeyboardMarkup | None = None
) -> int | None:
    """Sends the chunks in order to `where` (core/delivery.py's `to_group`, `reply_place`),
    `markup` under the last one; the first message's id."""
    first = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await bot.send_message(**where, text=chunk, reply_markup=markup if last else None)
        first = first or sent.message_id
    return first


def agenda_due(cycle: rhythm.Cycle, now: datetime, catch_up: timedelta) -> bool:
    if cycle.skipped or now < cycle.agenda_at:
        return False
    return now - cycle.agenda_at <= catch_up and now <= cycle.meeting_at + NO_LATER_THAN


async def post_agenda(runtime: Runtime, team_id: int, now: datetime) -> None:
    """Posts the team's agenda when its time has come (once per period)."""
    catch_up = timedelta(hours=runtime.settings.catch_up_hours)
    async with runtime.sessionmaker() as session:
        team = await session.get_one(Team, team_id)
        cycle = await cycle_now(session, team, now)
        if not agenda_due(cycle, now, catch_up):
            return
        if await meetings.held_for(session, team, cycle.period.start):
            return  # /planerka came first and showed the agenda
        late = now - cycle.agenda_at > LATE_AFTER
        async with postlog.claimed(
            session, team.id, "agenda", cycle.period.key, now=now, late=late
        ) as claimed:
            if claimed is None:
                return
            t = runtime.i18n.get(team.locale)
            data = await collect(session, team, cycle, now)
            try:
                claimed.message_id = await send_chunks(
                    runtime.bot,
                    to_group(team),
                    split_message(render(data, team, t, late=late)),
                    dashboard_link(runtime, team, t),
                )
            except TelegramAPIError:
                log.exception("agenda for team %s could not be posted", team.id)


def dashboard_link(runtime: Runtime, team: Team, t: Translator) -> InlineKeyboardMarkup | None:
    """The Mini App's direct link for the team's group (none without WEBAPP_URL)."""
    settings = runtime.settings
    return webapp_view.group_link(
        settings.webapp_url, settings.webapp_name, runtime.bot_username, team.id, t
    )
