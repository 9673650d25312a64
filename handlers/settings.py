"""/settings: leads change the team's rhythm, time zone, language and currency."""

from __future__ import annotations

from typing import Literal

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import topic_of
from core.runtime import Runtime
from handlers.common.filters import GROUP, GROUP_CALLBACK
from handlers.common.guards import LEADS_ONLY
from jobs import checkins as checkin_jobs
from models.tables import Team
from services.team import settings as team_settings
from services.team.settings import CADENCES, CURRENCY_CHOICES
from views import checkins as checkin_views
from views.common import settings_text
from views.i18n import I18n, Translator


class SettingPick(CallbackData, prefix="st"):
    """Only the settings the keyboard offers unpack; the value is checked by the setting."""

    name: Literal["cadence", "day", "lang", "currency"]
    value: str = Field(max_length=16)


# The values the settings keyboard offers; a press with anything else is a stale button.
BUTTONS: dict[str, tuple[str, ...]] = {
    "cadence": tuple(CADENCES),
    "day": tuple(str(d) for d in range(7)),
    "lang": ("ru", "en"),
    "currency": tuple(CURRENCY_CHOICES),
}


def settings_keyboard(team: Team, t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    rows: list[int] = []
    labels = {
        "cadence": lambda v: t(f"settings.cadence.{v}"),
        "day": lambda v: t.weekday(int(v), "abbreviated"),
        "lang": lambda v: t(f"settings.lang.{v}"),
        "currency": str,
    }
    for name, values in BUTTONS.items():
        label = labels[name]
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


async def rhythm_changed(
    runtime: Runtime, session: AsyncSession, team: Team, old_zone: str, t: Translator
) -> str:
    """After a rhythm setting changed: the confirmation's line about when it takes effect;
    members told the open collection's deadline get it again if it now reads differently."""
    effect = await team_settings.effect(session, team, runtime.now())
    if effect.kept is not None and team.timezone != old_zone:
        for member in await team_settings.told_deadline(session, team, effect.kept):
            own = runtime.i18n.for_user(member.user, team)
            notice = checkin_views.deadline_moved_in_zone(effect.kept, team, old_zone, own)
            if notice is not None and checkin_jobs.reachable(member.user):
                await checkin_jobs.send(runtime, session, member.user, notice)
    return checkin_views.effect_text(effect, team, t)


async def show_or_set(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    team: Team,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
) -> None:
    args = (command.args or "").split(maxsplit=1)
    if args and args[0].lower() == team_settings.TOPIC:
        await move_here(message, session, team, t)
        return
    if len(args) == 2:
        old_zone = team.timezone
        team_settings.apply(team, args[0], args[1])
        await session.commit()
        t = i18n.get(team.locale)
        text = t("settings.saved", settings=settings_text(team, t))
        if team_settings.moves_rhythm(args[0]):
            text += "\n\n" + await rhythm_changed(runtime, session, team, old_zone, t)
        await message.answer(text)
        return
    if len(args) == 1:
        await message.answer(t("settings.usage"))
        return
    await message.answer(
        t("settings.show", settings=settings_text(team, t)), reply_markup=settings_keyboard(team, t)
    )


async def move_here(message: Message, session: AsyncSession, team: Team, t: Translator) -> None:
    """/settings topic: the team's posts go to the forum topic this was sent in (or General)."""
    thread_id = topic_of(message)
    moved = team_settings.move_to_topic(team, bool(message.chat.is_forum), thread_id)
    await session.commit()
    if not moved:
        await message.answer(t("settings.topic_same"))
        return
    await message.answer(t("settings.topic_moved" if thread_id else "settings.topic_general"))


async def pick(
    query: CallbackQuery,
    callback_data: SettingPick,
    session: AsyncSession,
    team: Team,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
) -> None:
    if callback_data.value not in BUTTONS[callback_data.name]:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    setting = team_settings.SETTINGS[callback_data.name]
    if str(getattr(team, setting.column)) == callback_data.value:
        await query.answer()
        return
    team_settings.apply(
        team, callback_data.name, _day_value(callback_data.name, callback_data.value)
    )
    await session.commit()
    t = i18n.get(team.locale)
    text = t("settings.show", settings=settings_text(team, t))
    if team_settings.moves_rhythm(callback_data.name):
        text += "\n\n" + await rhythm_changed(runtime, session, team, team.timezone, t)
    await query.message.edit_text(text, reply_markup=settings_keyboard(team, t))
    await query.answer(t("settings.saved_short"))


def setup() -> Router:
    """The settings feature's router, new for each Dispatcher."""
    router = Router(name="settings")
    router.message.filter(GROUP)
    router.callback_query.filter(GROUP_CALLBACK)
    router.message.register(show_or_set, Command("settings"), flags=LEADS_ONLY)
    router.callback_query.register(pick, SettingPick.filter(), flags=LEADS_ONLY)
    return router
