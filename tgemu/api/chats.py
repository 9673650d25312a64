"""getChat, getChatMember, getChatAdministrators, getChatMemberCount, leaveChat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tgemu.api.registry import api_method
from tgemu.errors import bad_request

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator
    from tgemu.params import Params

GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


@api_method("getChat")
async def get_chat(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    chat = emu.world.resolve(p.require("chat_id"))
    info = {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": GIFT_TYPES,
    }
    if chat.pinned:
        info["pinned_message"] = chat.messages.get(chat.pinned[-1])
    return {k: v for k, v in info.items() if v is not None}


@api_method("getChatMember")
async def get_chat_member(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    chat = emu.world.resolve(p.require("chat_id"))
    user_id = p.get_int("user_id", required=True)
    if user_id != emu.bot_user.id and user_id not in emu.world.users:
        raise bad_request("PARTICIPANT_ID_INVALID")
    return emu.world.member_api(chat, user_id)


@api_method("getChatAdministrators")
async def get_chat_administrators(emu: TelegramEmulator, p: Params) -> list[dict[str, Any]]:
    chat = emu.world.resolve(p.require("chat_id"))
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    ids = [uid for uid in [chat.creator, *sorted(chat.admins)] if uid in chat.members]
    if chat.bot_status == "administrator":
        ids.append(emu.bot_user.id)
    return [emu.world.member_api(chat, uid) for uid in dict.fromkeys(ids) if uid is not None]


@api_method("getChatMemberCount", "getChatMembersCount")
async def get_chat_member_count(emu: TelegramEmulator, p: Params) -> int:
    chat = emu.world.resolve(p.require("chat_id"))
    if chat.user is not None:
        return 2
    return len(chat.members) + (1 if chat.bot_in else 0)


@api_method("leaveChat")
async def leave_chat(emu: TelegramEmulator, p: Params) -> bool:
    chat = emu.world.resolve(p.require("chat_id"))
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_status = "left"
    emu._emit("service", chat, emu.bot_user.first_name, "the bot left the group")
    return True
