"""Sending the monthly report on the first working day of a month at 09:00 (team time) to the
leads in private chat and, with the team's `monthly_group` setting, to the group. Claimed in the
post log as kind "monthly" with the month's key "YYYY-MM": exactly once; caught up within
`catch_up_hours` when the bot was down, marked late."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiogram.exceptions import TelegramAPIError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import to_group
from core.runtime import Runtime
from jobs import digest as digest_job
from models.tables import Team, User
from services.common import postlog
from services.reports import digest as digest_data
from services.reports import summary as sm
from services.reports.monthly import _any_answers, due_month, month_key, periods_in
from services.team import teams
from views import digest as digests
from views.monthly import compose

log = logging.getLogger(__name__)

KIND = "monthly"


async def lead_users(runtime: Runtime, session: AsyncSession, team: Team) -> list[User]:
    """The team's leads the bot can write to: the group's admins (members or not) and the
    members named leads, who have started the bot and not blocked it."""
    ids: set[int] = set()
    try:
        ids = {a.user.id for a in await runtime.bot.get_chat_administrators(team.chat_id)}
    except TelegramAPIError as error:
        log.info("admins of %s unknown (%s); named leads only", team.chat_id, error)
    ids |= {m.user_id for m in await teams.members(session, team) if m.is_lead or m.is_admin}
    if not ids:
        return []
    users = await session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))
    return [u for u in users if u.started and not u.blocked]


async def post_due(runtime: Runtime, team_id: int, now: datetime) -> bool:
    catch_up = timedelta(hours=runtime.settings.catch_up_hours)
    async with runtime.sessionmaker() as session:
        team = await session.get(Team, team_id)
        if team is None or team.paused:
            return False
        due = due_month(team, now, await sm.holidays(session, team), catch_up)
        if due is None:
            return False
        month, moment = due
        key = month_key(month)
        if await postlog.posted(session, team.id, KIND, key, now=now):
            return False
        if not periods_in(team, month) or not await _any_answers(session, team, month):
            return False
        late = now - moment > digest_data.LATE_AFTER
        recipients = await lead_users(runtime, session, team)
        composed: dict[str, digests.Digest] = {}

        async def report_in(locale: str) -> digests.Digest:
            if locale not in composed:
                composed[locale] = await compose(
                    session,
                    team,
                    month,
                    runtime.i18n.get(locale),
                    now=now,
                    late=late,
                    render=runtime.charts.render,
                )
            return composed[locale]

        group = await report_in(team.locale)
        private = {}
        for user in recipients:
            t = runtime.i18n.for_user(user, team)
            private[user.id] = await report_in(t.locale)
        async with postlog.claimed(session, team.id, KIND, key, now=now, late=late) as row:
            if row is None:
                return False
            if team.monthly_to_group:
                try:
                    row.message_id = await digest_job.send(
                        runtime.bot, to_group(team), group.text, group.images
                    )
                except TelegramAPIError as error:
                    log.warning("monthly report for team %s not posted: %s", team.id, error)
            for user_id, report in private.items():
                try:
                    await digest_job.send(
                        runtime.bot, {"chat_id": user_id}, report.text, report.images
                    )
                except TelegramAPIError as error:
                    log.warning("monthly report to %s not delivered: %s", user_id, error)
        return True
