"""sendMessage, edits, deletion, callback answers, pins and chat actions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tgemu.api.common import (
    prepare_send,
    render_caption,
    render_text,
    take_rate_slot,
    validate_markup,
)
from tgemu.api.registry import api_method
from tgemu.errors import DELETE_NOT_FOUND, EDIT_NOT_FOUND, NOT_MODIFIED, QUERY_INVALID, bad_request
from tgemu.world import Chat, SentMessage

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator
    from tgemu.params import Params


@api_method("sendMessage")
async def send_message(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    ctx = prepare_send(emu, p)
    text, parse_mode = p.get_str("text"), p.get_str("parse_mode")
    plain, entities = render_text(text, parse_mode, p.get_json("entities"))
    take_rate_slot(emu, ctx.chat)
    msg = emu._message(
        ctx.chat,
        emu.bot_user,
        text=plain,
        entities=entities or None,
        reply_markup=ctx.inline_markup,
        reply_to_message=ctx.reply,
        **ctx.thread_fields,
    )
    sent = emu._record_bot_message(
        ctx.chat,
        "sendMessage",
        msg,
        text=text,
        plain=plain,
        parse_mode=parse_mode,
        reply_to=ctx.reply_to,
        thread_id=ctx.thread_id,
        reply_markup=ctx.markup,
        entities=entities,
    )
    emu._emit_bot("bot_message", sent)
    return msg


def _editable(emu: TelegramEmulator, p: Params) -> tuple[Chat, SentMessage]:
    if "inline_message_id" in p:
        raise bad_request("inline messages are not supported by the emulator")
    chat = emu.world.resolve(p.require("chat_id"), sending=True)
    message_id = p.get_int("message_id", required=True)
    msg = chat.messages.get(message_id)
    if msg is None:
        raise bad_request(EDIT_NOT_FOUND)
    sent = emu.bot_message(chat.id, message_id)
    if sent is None:
        raise bad_request("message can't be edited")
    return chat, sent


def _new_inline_markup(p: Params) -> dict[str, Any] | None:
    markup = p.get_json("reply_markup")
    validate_markup(markup)
    return markup if markup and markup.get("inline_keyboard") else None


def _set(msg: dict[str, Any], key: str, value: Any) -> None:
    if value:
        msg[key] = value
    else:
        msg.pop(key, None)


def _apply_edit(
    emu: TelegramEmulator,
    sent: SentMessage,
    field: str,
    entities_field: str,
    source: str | None,
    parse_mode: str | None,
    plain: str,
    entities: list[dict[str, Any]],
    p: Params,
) -> dict[str, Any]:
    """A new text or caption (and keyboard), or "message is not modified" as Telegram says."""
    msg = sent.raw
    markup = _new_inline_markup(p)
    same = (
        plain == msg.get(field)
        and entities == msg.get(entities_field, [])
        and markup == msg.get("reply_markup")
    )
    if same:
        raise bad_request(NOT_MODIFIED)
    if field == "text":
        msg["text"] = plain
    else:
        _set(msg, field, plain)
    _set(msg, entities_field, entities)
    _set(msg, "reply_markup", markup)
    msg["edit_date"] = int(time.time())
    sent.text, sent.plain, sent.parse_mode, sent.entities = source, plain, parse_mode, entities
    sent.reply_markup = markup
    emu._record_edit(sent)
    return msg


@api_method("editMessageText")
async def edit_message_text(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    _, sent = _editable(emu, p)
    msg = sent.raw
    if "text" not in msg:
        raise bad_request("there is no text in the message to edit")
    text, parse_mode = p.get_str("text"), p.get_str("parse_mode")
    plain, entities = render_text(text, parse_mode, p.get_json("entities"))
    return _apply_edit(emu, sent, "text", "entities", text, parse_mode, plain, entities, p)


@api_method("editMessageCaption")
async def edit_message_caption(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    _, sent = _editable(emu, p)
    msg = sent.raw
    if "text" in msg:
        raise bad_request("there is no caption in the message to edit")
    caption, parse_mode = p.get_str("caption"), p.get_str("parse_mode")
    plain, entities = render_caption(caption, parse_mode, p.get_json("caption_entities"))
    return _apply_edit(
        emu, sent, "caption", "caption_entities", caption, parse_mode, plain, entities, p
    )


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    _, sent = _editable(emu, p)
    msg = sent.raw
    markup = _new_inline_markup(p)
    if markup == msg.get("reply_markup"):
        raise bad_request(NOT_MODIFIED)
    _set(msg, "reply_markup", markup)
    msg["edit_date"] = int(time.time())
    sent.reply_markup = markup
    emu._record_edit(sent)
    return msg


def _delete(emu: TelegramEmulator, chat: Chat, message_id: int) -> None:
    msg = chat.messages.get(message_id)
    if msg is None:
        raise bad_request(DELETE_NOT_FOUND)
    from_bot = msg.get("from", {}).get("id") == emu.bot_user.id
    if not from_bot and chat.is_group and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    del chat.messages[message_id]
    if chat.pinned and message_id in chat.pinned:
        chat.pinned.remove(message_id)
    sent = emu.bot_message(chat.id, message_id)
    if sent is not None:
        sent.deleted = True
        emu._emit_bot("bot_delete", sent, f"deleted #{message_id}: {(sent.plain or '')[:60]}")
    emu._pulse()


@api_method("deleteMessage")
async def delete_message(emu: TelegramEmulator, p: Params) -> bool:
    chat = emu.world.resolve(p.require("chat_id"))
    _delete(emu, chat, p.get_int("message_id", required=True))
    return True


@api_method("deleteMessages")
async def delete_messages(emu: TelegramEmulator, p: Params) -> bool:
    chat = emu.world.resolve(p.require("chat_id"))
    for message_id in p.get_json("message_ids") or []:
        if int(message_id) in chat.messages:
            _delete(emu, chat, int(message_id))
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(emu: TelegramEmulator, p: Params) -> bool:
    query_id = p.get_str("callback_query_id", required=True)
    if emu.callback_expired(query_id) or query_id in emu.callback_answers:
        raise bad_request(QUERY_INVALID)
    text = p.get_str("text")
    answer = {
        "text": text,
        "show_alert": p.get_bool("show_alert"),
        "url": p.get_str("url"),
        "cache_time": p.get_int("cache_time", 0),
        **emu.callbacks[query_id],
    }
    emu.callback_answers[query_id] = answer
    if text:
        chat = emu.world.chat(answer["chat_id"])
        prefix = "⚠️ " if answer["show_alert"] else ""
        emu._emit("bot_answer", chat, f"🤖 {emu.bot_user.first_name}", prefix + text)
    emu._touch()
    emu._pulse()
    return True


def _pin_rights(emu: TelegramEmulator, chat: Chat) -> None:
    if chat.is_group and chat.bot_status != "administrator":
        raise bad_request("not enough rights to manage pinned messages in the chat")


@api_method("pinChatMessage")
async def pin_chat_message(emu: TelegramEmulator, p: Params) -> bool:
    chat = emu.world.resolve(p.require("chat_id"), sending=True)
    _pin_rights(emu, chat)
    message_id = p.get_int("message_id", required=True)
    if message_id not in chat.messages:
        raise bad_request("message to pin not found")
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    chat.pinned.append(message_id)
    pinned = {k: v for k, v in chat.messages[message_id].items() if k != "reply_to_message"}
    emu._message(chat, emu.bot_user, pinned_message=pinned)
    emu._emit("service", chat, emu.bot_user.first_name, f"the bot pinned message #{message_id}")
    return True


@api_method("unpinChatMessage")
async def unpin_chat_message(emu: TelegramEmulator, p: Params) -> bool:
    chat = emu.world.resolve(p.require("chat_id"), sending=True)
    _pin_rights(emu, chat)
    message_id = p.get_int("message_id")
    if message_id is None and chat.pinned:
        message_id = chat.pinned[-1]
    if message_id is not None and message_id in chat.pinned:
        chat.pinned.remove(message_id)
        emu._emit("service", chat, emu.bot_user.first_name, f"the bot unpinned #{message_id}")
    return True


@api_method("unpinAllChatMessages")
async def unpin_all_chat_messages(emu: TelegramEmulator, p: Params) -> bool:
    chat = emu.world.resolve(p.require("chat_id"), sending=True)
    _pin_rights(emu, chat)
    chat.pinned.clear()
    return True


@api_method("sendChatAction")
async def send_chat_action(emu: TelegramEmulator, p: Params) -> bool:
    emu.world.resolve(p.require("chat_id"), sending=True)
    p.get_str("action", required=True)
    return True
