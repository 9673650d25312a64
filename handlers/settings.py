"""/settings: leads change the team's rhythm, time zone, language and currency."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common.filters import GROUP, GROUP_CALLBACK
from handlers.common.guards import LEADS_ONLY
from models.tables import Team
from services.team import settings as team_settings
from services.team.settings import CADENCES, CURRENCY_CHOICES
from views.common import settings_text
from views.i18n import I18n, Translator


class SettingPick(CallbackData, prefix="st"):
    name: str
    value: str


def settings_keyboard(team: Team, t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    rows: list[int] = []
    for name, values, label in (
        ("cadence", CADENCES, lambda v: t(f"settings.cadence.{v}")),
        ("day", [str(d) for d in range(7)], lambda v: t.weekday(int(v), "abbreviated")),
        ("lang", ("ru", "en"), lambda v: t(f"settings.lang.{v}")),
        ("currency", CURRENCY_CHOICES, str),
    ):
        current = str(getattr(team, team_settings.SETTINGS[name].column))
        for value in values:
            mark = "• " if value == current else ""
            builder.button(
                text=mark + label(value), callback_data=SettingPick(name=name, value=value)
            )
        rows.append(len(values))
    builder.adjust(*rows)
    return builder.as_markup()


def _day_value(name: str, value: str) -> str:
    return str(int(value) + 1) if name == "day" else value


async def show_or_set(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    team: Team,
    t: Translator,
    i18n: I18n,
) -> None:
    args = (command.args or "").split(maxsplit=1)
    if len(args) == 2:
        team_settings.apply(team, args[0], args[1])
        await session.commit()
        t = i18n.get(team.locale)
        await message.answer(t("settings.saved", settings=settings_text(team, t)))
        return
    if len(args) == 1:
        await message.answer(t("settings.usage"))
        return
    await message.answer(
        t("settings.show", settings=settings_text(team, t)), reply_markup=settings_keyboard(team, t)
    )


async def pick(
    query: CallbackQuery,
    callback_data: SettingPick,
    session: AsyncSession,
    team: Team,
    t: Translator,
    i18n: I18n,
) -> None:
    setting = team_settings.SETTINGS[callback_data.name]
    if str(getattr(team, setting.column)) == callback_data.value:
        await query.answer()
        return
    team_settings.apply(
        team, callback_data.name, _day_value(callback_data.name, callback_data.value)
    )
    await session.commit()
    t = i18n.get(team.locale)
    await query.message.edit_text(
        t("settings.show", settings=settings_text(team, t)), reply_markup=settings_keyboard(team, t)
    )
    await query.answer(t("settings.saved_short"))


def setup() -> Router:
    """The settings feature's router, new for each Dispatcher."""
    router = Router(name="settings")
    router.message.filter(GROUP)
    router.callback_query.filter(GROUP_CALLBACK)
    router.message.register(show_or_set, Command("settings"), flags=LEADS_ONLY)
    router.callback_query.register(pick, SettingPick.filter(), flags=LEADS_ONLY)
    return router
