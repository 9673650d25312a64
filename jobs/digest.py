"""Posting the weekly digest (views/digest.py): due when the period's collection closes (the
cycle's deadline), posted exactly once per period (claimed in the post log first), and if the bot
was down then, posted on start within `catch_up_hours`, saying it is late."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, InputMediaPhoto
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import to_group
from core.runtime import Runtime
from jobs.agenda import dashboard_link
from models.tables import Member, Team
from services.common import postlog
from services.reports.digest import LATE_AFTER
from services.team import rhythm
from services.team.rhythm import Cycle
from services.team.schedule import schedule_of
from views.common import split_message
from views.digest import compose

log = logging.getLogger(__name__)

KIND = "digest"


async def send(
    bot: Bot,
    where: dict[str, Any],
    text: str,
    images: list[tuple[str, bytes]],
    markup: InlineKeyboardMarkup | None = None,
) -> int | None:
    """The text (in as many messages as it takes, `markup` under the last), then the charts as
    one album, to `where` (`to_group(team)`, or {"chat_id": user_id}); the first message's id."""
    first: int | None = None
    parts = split_message(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await bot.send_message(**where, text=part, reply_markup=markup if last else None)
        first = first or message.message_id
    photos = [BufferedInputFile(png, filename=name) for name, png in images]
    if len(photos) == 1:
        await bot.send_photo(**where, photo=photos[0])
    elif photos:
        for start in range(0, len(photos), 10):
            group = photos[start : start + 10]
            if len(group) == 1:
                await bot.send_photo(**where, photo=group[0])
            else:
                await bot.send_media_group(**where, media=[InputMediaPhoto(media=p) for p in group])
    return first


# ----------------------------------------------------------------------------- schedule


def due_cycles(schedule: rhythm.Schedule, now: datetime, catch_up: timedelta) -> list[Cycle]:
    """Cycles whose collection has closed and whose digest may still go out, oldest first
    (an opened collection's at the deadline it was opened with)."""
    current = schedule.current(now)
    cycles = [schedule.previous(current), current]
    return [
        c
        for c in cycles
        if not c.skipped and c.deadline_at <= now <= c.deadline_at + max(catch_up, LATE_AFTER)
    ]


async def post_due(runtime: Runtime, team_id: int, now: datetime) -> bool:
    """Posts the team's digest if one is due and nobody posted it yet; True if this call did."""
    posted = False
    catch_up = timedelta(hours=runtime.settings.catch_up_hours)
    async with runtime.sessionmaker() as session:
        team = await session.get(Team, team_id)
        if team is None or team.paused:
            return False
        for cycle in due_cycles(await schedule_of(session, team), now, catch_up):
            key = cycle.period.key
            if await postlog.posted(session, team.id, KIND, key, now=now):
                continue
            if not await _has_members(session, team):
                continue
            late = now - cycle.deadline_at > LATE_AFTER
            t = runtime.i18n.get(team.locale)
            digest = await compose(
                session, team, cycle.period, t, now=now, late=late, render=runtime.charts.render
            )
            async with postlog.claimed(session, team.id, KIND, key, now=now, late=late) as row:
                if row is None:
                    continue
                try:
                    row.message_id = await send(
                        runtime.bot,
                        to_group(team),
                        digest.text,
                        digest.images,
                        dashboard_link(runtime, team, t),
                    )
                except TelegramAPIError as error:
                    log.warning("digest for team %s not delivered: %s", team.id, error)
            posted = True
    return posted


async def _has_members(session: AsyncSession, team: Team) -> bool:
    from models.tables import MemberRole

    query = (
        select(func.count())
        .select_from(Member)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(Member.team_id == team.id, Member.active.is_(True))
    )
    return bool(await session.scalar(query))
