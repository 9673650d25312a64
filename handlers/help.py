"""/help, a plain /start, and /lang — in both chats."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common.filters import GROUP, PRIVATE
from handlers.common.senders import ANONYMOUS_OK
from models.tables import Team, User
from services.common.locales import SUPPORTED_LOCALES
from services.team import teams, users
from views.i18n import I18n, Translator, escape


async def start(message: Message, session: AsyncSession, user: User, t: Translator) -> None:
    users.mark_reachable(user)
    await session.commit()
    mine = await teams.teams_of(session, user)
    key = "help.start_member" if mine else "help.start_stranger"
    await message.answer(t(key, name=escape(user.full_name)))


async def help_private(message: Message, t: Translator) -> None:
    await message.answer(t("help.private"))


async def help_group(message: Message, team: Team | None, t: Translator) -> None:
    await message.answer(t("help.group") if team else t("onboarding.greet"))


async def choose_language(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    i18n: I18n,
    t: Translator,
) -> None:
    choice = (command.args or "").strip().lower()
    if choice not in SUPPORTED_LOCALES:
        await message.answer(t("help.lang_usage", choices=", ".join(SUPPORTED_LOCALES)))
        return
    user.locale = choice
    await session.commit()
    await message.answer(i18n.get(choice)("help.lang_saved"))


# Commands that act on the group's team: in private chat they say where they work.
GROUP_ONLY = ("members", "settings", "lead", "unlead", "holiday", "join", "setup")


async def group_only_in_private(message: Message, command: CommandObject, t: Translator) -> None:
    await message.answer(t("common.group_only", command=command.command))


def setup() -> Router:
    """The help feature's router, new for each Dispatcher."""
    router = Router(name="help")
    router.message.register(start, CommandStart(), PRIVATE)
    router.message.register(help_private, Command("help"), PRIVATE)
    router.message.register(help_group, Command("help"), GROUP, flags=ANONYMOUS_OK)
    router.message.register(choose_language, Command("lang"), PRIVATE)
    router.message.register(group_only_in_private, Command(*GROUP_ONLY), PRIVATE)
    return router
