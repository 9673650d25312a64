"""Who sent a group message: a person, an admin posting anonymously as the group, or no one
the bot answers (a linked channel's automatic forward, another bot).

- `SenderMiddleware` (outer, on messages): drops automatic forwards from a linked channel and
  messages of other bots, quietly; marks an anonymous admin with `anonymous_admin=True`
  (`from` is GroupAnonymousBot and `sender_chat` is the group itself: only its admins can).
- `PressedMessageMiddleware` (outer, on callback queries): a press on an inline message (the
  bot has no inline mode: not its button) or on a message Telegram no longer lets the bot
  touch (InaccessibleMessage: older than 48 h) is refused as stale; every feature's buttons
  then may rely on `query.message` being a real message.
- `AnonymousAdminGuard` (inner, on messages): an anonymous admin counts as a group admin for
  the lead commands (LEADS_ONLY) and the handlers flagged ANONYMOUS_OK; any other command
  needs a person and is answered so; any other message is ignored.
"""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, InaccessibleMessage, Message, TelegramObject

from handlers.common.guards import Handler

ANONYMOUS_OK = {"anonymous": True}


def is_anonymous_admin(message: Message) -> bool:
    sender_chat = message.sender_chat
    return sender_chat is not None and sender_chat.id == message.chat.id


def ignored(message: Message) -> bool:
    """A message the bot doesn't answer: a linked channel's post or another bot's."""
    if message.is_automatic_forward:
        return True
    if message.migrate_to_chat_id or message.migrate_from_chat_id:
        return False
    if is_anonymous_admin(message):
        return False
    if message.sender_chat is not None:  # someone posting as a channel
        return True
    sender = message.from_user
    return sender is not None and sender.is_bot


class SenderMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Message):
            if ignored(event):
                return None
            data["anonymous_admin"] = is_anonymous_admin(event)
        return await handler(event, data)


class PressedMessageMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        gone = isinstance(event, CallbackQuery) and (
            event.message is None or isinstance(event.message, InaccessibleMessage)
        )
        if gone:
            await event.answer(data["t"]("common.button_stale"), show_alert=True)
            return None
        return await handler(event, data)


class AnonymousAdminGuard(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not data.get("anonymous_admin") or not isinstance(event, Message):
            return await handler(event, data)
        if get_flag(data, "team") == "lead" or get_flag(data, "anonymous"):
            return await handler(event, data)
        if (event.text or "").startswith("/"):
            await event.answer(data["t"]("common.write_as_yourself"))
        return None
