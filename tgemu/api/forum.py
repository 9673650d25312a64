"""createForumTopic and deleteForumTopic: forum supergroups' topics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tgemu.api.registry import api_method
from tgemu.errors import THREAD_NOT_FOUND, bad_request

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator
    from tgemu.params import Params
    from tgemu.world import Chat


def _forum(emu: TelegramEmulator, p: Params) -> Chat:
    chat = emu.world.resolve(p.require("chat_id"), sending=True)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if chat.bot_status != "administrator":
        raise bad_request("not enough rights to manage topics in the chat")
    return chat


@api_method("createForumTopic")
async def create_forum_topic(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    chat = _forum(emu, p)
    name = p.get_str("name", required=True)
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_TITLE_EMPTY" if not name else "topic name is too long")
    thread_id = emu._open_topic(chat, emu.bot_user, name)
    return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}


@api_method("deleteForumTopic")
async def delete_forum_topic(emu: TelegramEmulator, p: Params) -> bool:
    chat = _forum(emu, p)
    thread_id = p.get_int("message_thread_id", required=True)
    if thread_id not in chat.topics:
        raise bad_request(THREAD_NOT_FOUND)
    emu._close_topic(chat, thread_id)
    return True
