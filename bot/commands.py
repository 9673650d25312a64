"""The command menu, per scope and language. The bot works even if Telegram refuses it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
)

from views.i18n import I18n, Translator

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = ["report", "tasks", "summary", "away", "lang", "help"]
GROUP_COMMANDS = ["join", "members", "status", "agenda", "summary", "tasks", "help"]
ADMIN_COMMANDS = [
    "planerka", "end", "task", "agenda", "status", "summary", "targets", "export",
    "members", "lead", "unlead", "away", "holiday", "settings", "setup", "join", "help",
]  # fmt: skip

SCOPES = (
    (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
    (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    (BotCommandScopeAllChatAdministrators(), ADMIN_COMMANDS),
)


def _commands(names: list[str], t: Translator) -> list[BotCommand]:
    return [BotCommand(command=n, description=t(f"cmd.{n}")) for n in names]


async def set_commands(bot: Bot, i18n: I18n) -> bool:
    """True if every scope and language was accepted. Never raises: the menu is an extra,
    and whatever Telegram (or a proxy in front of it) answers is logged once."""
    try:
        for locale, t in i18n.locales.items():
            for scope, names in SCOPES:
                await bot.set_my_commands(_commands(names, t), scope=scope, language_code=locale)
        default = i18n.get(i18n.default)
        for scope, names in ((BotCommandScopeDefault(), PRIVATE_COMMANDS), *SCOPES):
            await bot.set_my_commands(_commands(names, default), scope=scope)
    except TelegramAPIError as error:
        log.warning("setMyCommands refused (%s); the bot works without a menu", error)
        return False
    except asyncio.CancelledError:
        raise
    except Exception as error:  # a non-JSON body, an HTML error page, an unknown method
        log.warning(
            "setMyCommands got an unexpected answer (%s: %s); the bot works without a menu",
            type(error).__name__,
            error,
        )
        return False
    return True


def set_commands_in_background(
    bot: Bot, i18n: I18n, *more: Callable[[], Awaitable[None]]
) -> asyncio.Task[bool]:
    """The menu (and `more` extras after it, each called only when its turn comes, so a
    cancelled start-up leaves no coroutine never awaited) is set while the bot already answers
    people (each call's retries are the delivery layer's, bounded by DELIVERY_MAX_ATTEMPTS)."""

    async def run() -> bool:
        done = await set_commands(bot, i18n)
        for extra in more:
            await extra()
        return done

    return asyncio.create_task(run(), name="set-commands")
