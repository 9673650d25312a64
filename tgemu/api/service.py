"""getMe, getUpdates, webhooks, bot commands and other bot-level settings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tgemu.api.registry import api_method
from tgemu.errors import ApiError, bad_request

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator
    from tgemu.params import Params

COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@api_method("getMe")
async def get_me(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    return {
        **emu.bot_user.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not emu.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("getUpdates")
async def get_updates(emu: TelegramEmulator, p: Params) -> list[dict[str, Any]]:
    if emu.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    return await emu.queue.get(
        offset=p.get_int("offset", 0),
        limit=p.get_int("limit", 100),
        timeout=float(p.get_int("timeout", 0)),
        allowed=p.get_json("allowed_updates"),
    )


@api_method("setWebhook")
async def set_webhook(emu: TelegramEmulator, p: Params) -> bool:
    url = p.get_str("url", "")
    emu.webhook = p.summary() if url else None
    if p.get_bool("drop_pending_updates"):
        emu.queue.drop_pending()
    return True


@api_method("deleteWebhook")
async def delete_webhook(emu: TelegramEmulator, p: Params) -> bool:
    emu.webhook = None
    if p.get_bool("drop_pending_updates"):
        emu.queue.drop_pending()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    hook = emu.webhook or {}
    return {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(emu.queue.pending()),
    }


def _commands_key(p: Params) -> tuple[str, int | None, str | None]:
    scope = p.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return scope["type"], scope.get("chat_id"), p.get_str("language_code") or None


@api_method("setMyCommands")
async def set_my_commands(emu: TelegramEmulator, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not COMMAND_RE.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _commands_key(p)
    if commands:
        emu.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        emu.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(emu: TelegramEmulator, p: Params) -> list[dict[str, str]]:
    return emu.commands.get(_commands_key(p), [])


@api_method("deleteMyCommands")
async def delete_my_commands(emu: TelegramEmulator, p: Params) -> bool:
    emu.commands.pop(_commands_key(p), None)
    return True


@api_method(
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
    "logOut",
    "close",
)
async def accepted(emu: TelegramEmulator, p: Params) -> bool:
    """Settings the emulator only records (see emu.calls)."""
    return True
