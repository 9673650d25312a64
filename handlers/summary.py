"""/summary: in the group the team's summary for the last period (or the one containing a typed
day); in private chat one's own numbers, with one's card."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.runtime import Runtime
from handlers.common import picker
from handlers.common.filters import GROUP, PRIVATE, PRIVATE_CALLBACK
from handlers.common.guards import TEAM_REQUIRED
from kpi import Period, charts
from models.tables import Member, Task, Team, User
from services.common.clock import team_today
from services.reports import summary as sm
from services.team import rhythm, teams
from views import summary as summary_view
from views import webapp as webapp_view
from views.common import PickTeam, split_message
from views.i18n import Translator


async def _period(session: AsyncSession, team: Team, args: str, runtime: Runtime) -> Period:
    now = runtime.now()
    if args.strip():
        return rhythm.period_of(team, sm.parse_day(args, team_today(now, team.timezone)))
    return await sm.due_period_now(session, team, now)


async def _answer(message: Message, session: AsyncSession, text: str) -> None:
    await session.commit()  # the update is recorded before anyone is answered
    for part in split_message(text):
        await message.answer(part)


async def team_summary(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    team: Team,
    t: Translator,
    runtime: Runtime,
) -> None:
    period = await _period(session, team, command.args or "", runtime)
    data = await sm.load(session, team, period)
    await _answer(message, session, summary_view.team_text(data, t))


async def own_summary(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    state: FSMContext,
    runtime: Runtime,
) -> None:
    """In private: one's own numbers in the one team, or the team picked (several teams)."""
    args = command.args or ""
    team = await picker.choose(message, "summary", args, bot, session, user, t, state, runtime)
    if team is not None:
        await _own_summary(message, session, user, team, args, t, runtime)


async def picked_summary(
    query: CallbackQuery,
    callback_data: PickTeam,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    state: FSMContext,
    runtime: Runtime,
) -> None:
    found = await picker.picked(query, callback_data, bot, session, user, t, state, runtime)
    if found is not None and isinstance(query.message, Message):
        await _own_summary(query.message, session, user, found[0], found[1], t, runtime)


async def _own_summary(
    message: Message,
    session: AsyncSession,
    user: User,
    team: Team,
    args: str,
    t: Translator,
    runtime: Runtime,
) -> None:
    member = await teams.member(session, team, user.id)
    if member is None or not member.active:
        await message.answer(t("summary.not_member"))
        return
    period = await _period(session, team, args, runtime)
    data = await sm.load(session, team, period)
    await _answer(message, session, summary_view.member_text(data, member, t))
    if member.role_codes:
        footer = t("summary.card_footer", tasks=await _open_tasks(session, member))
        png = await asyncio.to_thread(
            charts.render, summary_view.card_spec(data, member, t, footer)
        )
        dashboard = webapp_view.with_private_button(None, runtime.settings.webapp_url, t)
        await message.answer_photo(
            BufferedInputFile(png, filename="card.png"), reply_markup=dashboard
        )


async def _open_tasks(session: AsyncSession, member: Member) -> int:
    query = select(func.count()).where(Task.owner_member_id == member.id, Task.status == "open")
    return int(await session.scalar(query) or 0)


def setup() -> Router:
    """The summary feature's router, new for each Dispatcher."""
    router = Router(name="summary")
    router.message.filter(GROUP | PRIVATE)
    router.message.register(team_summary, Command("summary"), GROUP, flags=TEAM_REQUIRED)
    router.message.register(own_summary, Command("summary"), PRIVATE)
    router.callback_query.register(
        picked_summary, PickTeam.filter(F.command == "summary"), PRIVATE_CALLBACK
    )
    return router
