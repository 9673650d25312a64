"""/export (leads): CSV and XLSX of the raw inputs and the computed KPIs for the last 12 periods
or a typed range. The files hold every member's own numbers, so they go to the lead's private
chat; in the group the bot only says they were sent (or asks to start the bot first)."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.runtime import Runtime
from handlers.common import leads, picker
from handlers.common.filters import GROUP, PRIVATE, PRIVATE_CALLBACK
from models.tables import Team, User
from services.common.clock import team_today
from services.reports import export as exports
from services.team.schedule import schedule_of
from views import export as export_view
from views.common import PickTeam, bot_link
from views.i18n import I18n, Translator, escape
from views.join import deep_link_keyboard


async def export(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    user: User,
    team: Team | None,
    t: Translator,
    i18n: I18n,
    state: FSMContext,
    runtime: Runtime,
) -> None:
    args = (command.args or "").strip()
    private = message.chat.type == "private"
    if private:
        team = await picker.choose(message, "export", args, bot, session, user, t, state, runtime)
        if team is not None:
            await _export(message, bot, session, user, team, args, t, i18n, runtime)
        return
    if team is None:
        await message.answer(t("onboarding.not_set_up"))
        return
    if not await leads.is_lead(bot, session, team, user.id, runtime.admins):
        await message.answer(t("common.leads_only"))
        return
    await _export(message, bot, session, user, team, args, t, i18n, runtime)


async def picked_export(
    query: CallbackQuery,
    callback_data: PickTeam,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    i18n: I18n,
    state: FSMContext,
    runtime: Runtime,
) -> None:
    found = await picker.picked(query, callback_data, bot, session, user, t, state, runtime)
    if found is not None and isinstance(query.message, Message):
        team, args = found
        await _export(query.message, bot, session, user, team, args, t, i18n, runtime)


async def _export(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User,
    team: Team,
    args: str,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
) -> None:
    """The files of `team` to the lead's private chat (the lead right already checked)."""
    private = message.chat.type == "private"
    now = runtime.now()
    if args:
        start, end = exports.parse_range(args, team_today(now, team.timezone))
        periods = exports.periods_between(team, start, end)
    else:
        current = (await schedule_of(session, team)).current(now).period
        periods = exports.last_periods(team, current)
    await session.commit()  # the lead flag refreshed by is_lead, before answering
    own = i18n.for_user(user, team)  # the files: the lead's language
    data = await export_view.collect(session, team, periods, own)
    label = export_view.range_label(periods, own)
    if data.empty:
        await message.answer(t("export.empty", period=export_view.range_label(periods, t)))
        return
    csv_bytes = export_view.to_csv(data, own)
    xlsx = (
        await asyncio.to_thread(export_view.to_xlsx, data) if export_view.xlsx_available() else None
    )
    caption = own("export.caption", team=escape(team.title), period=label)
    try:
        await bot.send_document(
            user.id,
            BufferedInputFile(csv_bytes, filename=export_view.file_name(team, periods, "csv")),
            caption=caption,
        )
        if xlsx is not None:
            await bot.send_document(
                user.id,
                BufferedInputFile(xlsx, filename=export_view.file_name(team, periods, "xlsx")),
            )
        else:
            await bot.send_message(user.id, own("export.no_xlsx"))
    except (TelegramForbiddenError, TelegramBadRequest):
        link = bot_link(runtime.bot_username)
        await message.answer(
            t("export.need_start"),
            reply_markup=deep_link_keyboard(t("export.start_button"), link),
        )
        return
    if not private:
        await message.answer(t("export.sent", period=export_view.range_label(periods, t)))


def setup() -> Router:
    """The export feature's router, new for each Dispatcher."""
    router = Router(name="export")
    router.message.filter(GROUP | PRIVATE)
    router.message.register(export, Command("export"))
    router.callback_query.register(
        picked_export, PickTeam.filter(F.command == "export"), PRIVATE_CALLBACK
    )
    return router
