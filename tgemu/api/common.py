"""What every send* method does first: resolve the chat, the reply and the keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tgemu.errors import REPLY_NOT_FOUND, bad_request, retry_after
from tgemu.text import render
from tgemu.world import Chat

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator
    from tgemu.params import Params

MAX_TEXT = 4096
MAX_CAPTION = 1024


@dataclass
class SendContext:
    chat: Chat
    reply: dict[str, Any] | None
    markup: dict[str, Any] | None
    thread_id: int | None = None

    @property
    def thread_fields(self) -> dict[str, Any]:
        return self.chat.thread_fields(self.thread_id)

    @property
    def reply_to(self) -> int | None:
        return self.reply["message_id"] if self.reply else None

    @property
    def inline_markup(self) -> dict[str, Any] | None:
        """Only inline keyboards appear in the Message object Telegram returns."""
        if self.markup and self.markup.get("inline_keyboard"):
            return self.markup
        return None


def prepare_send(emu: TelegramEmulator, p: Params) -> SendContext:
    chat = emu.world.resolve(p.require("chat_id"), sending=True)
    markup = p.get_json("reply_markup")
    validate_markup(markup)
    reply = find_reply(chat, p)
    return SendContext(chat, reply, markup, send_thread(chat, p, reply))


def send_thread(chat: Chat, p: Params, reply: dict[str, Any] | None) -> int | None:
    """The topic a message goes to: `message_thread_id` (Telegram's 400 if the chat has no such
    thread), else the replied-to message's topic; None in a private chat."""
    if chat.user is not None:
        return None
    thread_id = p.get_int("message_thread_id")
    if thread_id is None:
        if reply is not None and reply.get("is_topic_message"):
            return reply.get("message_thread_id")
        return None
    chat.check_thread(thread_id)
    return thread_id


def find_reply(chat: Chat, p: Params) -> dict[str, Any] | None:
    params = p.get_json("reply_parameters") or {}
    reply_id = params.get("message_id", p.get_int("reply_to_message_id"))
    if reply_id is None:
        return None
    allow = params.get("allow_sending_without_reply", p.get_bool("allow_sending_without_reply"))
    msg = chat.messages.get(int(reply_id))
    if msg is None:
        if allow:
            return None
        raise bad_request(REPLY_NOT_FOUND)
    return {k: v for k, v in msg.items() if k != "reply_to_message"}


def validate_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")


def render_text(text: str | None, parse_mode: str | None, entities: Any) -> tuple[str, list[Any]]:
    if not text:
        raise bad_request("message text is empty")
    plain, ents = render(text, parse_mode, entities)
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, ents


def render_caption(
    caption: str | None, parse_mode: str | None, entities: Any
) -> tuple[str | None, list[Any]]:
    if not caption:
        return None, []
    plain, ents = render(caption, parse_mode, entities)
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain or None, ents


def take_rate_slot(emu: TelegramEmulator, chat: Chat) -> None:
    """Telegram's flood control: 429 and no delivery when over the limits."""
    if emu.limiter is None:
        return
    wait = emu.limiter.acquire(chat.id)
    if wait is not None:
        emu.stats.rejected_429 += 1
        raise retry_after(wait)
