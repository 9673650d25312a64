"""The emulated Telegram world: users, chats and the messages in them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tgemu.errors import (
    BLOCKED,
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    THREAD_NOT_FOUND,
    bad_request,
    forbidden,
    migrated,
)

Buttons = list[list[tuple[str, str | None]]]


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False
    blocked: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data


@dataclass
class Chat:
    """A private chat (id == user id) or a group/supergroup (negative id).

    bot_status: "none" (never joined: chat not found), "member", "administrator",
    "kicked" (removed by someone) or "left" (left by itself).
    A forum supergroup (`is_forum`) has topics: `topics` maps each one's message_thread_id
    (the id of its «topic created» service message) to its name; General has none.
    """

    id: int
    type: str
    title: str | None = None
    user: User | None = None
    creator: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    bot_status: str = "none"
    migrated_to: int | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    next_message_id: int = 1
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    @property
    def bot_in(self) -> bool:
        return self.bot_status in ("member", "administrator")

    @property
    def display_title(self) -> str:
        if self.user is not None:
            return self.user.full_name
        return self.title or str(self.id)

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_api(self) -> dict[str, Any]:
        if self.user is not None:
            data = self.user.to_api()
            data.pop("is_bot")
            data.pop("language_code", None)
            return {**data, "type": "private"}
        data: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            data["is_forum"] = True
        return data

    def thread_fields(self, thread_id: int | None) -> dict[str, Any]:
        """What a message in that topic (or reply thread) carries, as Telegram sends it."""
        if thread_id is None:
            return {}
        if self.is_forum:
            return {"message_thread_id": thread_id, "is_topic_message": True}
        return {"message_thread_id": thread_id}

    def check_thread(self, thread_id: int | None) -> None:
        """The ApiError Telegram answers for a message_thread_id the chat doesn't have: a
        topic that was deleted (or never was), or in a plain supergroup no such message."""
        if thread_id is None or self.user is not None:
            return
        known = thread_id in self.topics if self.is_forum else thread_id in self.messages
        if not known:
            raise bad_request(THREAD_NOT_FOUND)

    def status_of(self, user_id: int) -> str:
        if user_id == self.creator and user_id in self.members:
            return "creator"
        if user_id in self.members:
            return "administrator" if user_id in self.admins else "member"
        return "left"


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent; mutable: edits and deletion update it in place.

    For photos, albums and documents `text`/`plain` hold the caption.
    An album is one SentMessage per photo, sharing `media_group_id`.
    """

    method: str
    chat_id: int
    message_id: int
    text: str | None = None
    plain: str | None = None
    parse_mode: str | None = None
    buttons: Buttons = field(default_factory=list)
    photos: list[bytes] = field(default_factory=list)
    document: tuple[str, bytes] | None = None
    reply_to: int | None = None
    thread_id: int | None = None  # the forum topic (or reply thread) it was sent to
    deleted: bool = False
    edits: int = 0
    at: float = field(default_factory=time.monotonic)
    seq: int = 0
    updated_seq: int = 0
    media_group_id: str | None = None
    reply_markup: dict[str, Any] | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    def to_json(self) -> dict[str, Any]:
        """JSON-friendly summary (bytes replaced by sizes)."""
        return {
            "method": self.method,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
            "plain": self.plain,
            "parse_mode": self.parse_mode,
            "buttons": [[list(b) for b in row] for row in self.buttons],
            "photos": [len(p) for p in self.photos],
            "document": (
                {"filename": self.document[0], "size": len(self.document[1])}
                if self.document
                else None
            ),
            "reply_to": self.reply_to,
            "thread_id": self.thread_id,
            "deleted": self.deleted,
            "edits": self.edits,
            "seq": self.seq,
            "updated_seq": self.updated_seq,
            "media_group_id": self.media_group_id,
        }


@dataclass
class UserMessage:
    """A message a person sent (via TelegramEmulator.send)."""

    chat_id: int
    message_id: int
    user_id: int
    text: str
    update_id: int | None
    raw: dict[str, Any] = field(repr=False)

    @property
    def thread_id(self) -> int | None:
        return self.raw.get("message_thread_id")


def buttons_of(markup: dict[str, Any] | None) -> Buttons:
    rows = (markup or {}).get("inline_keyboard") or []
    return [
        [(b.get("text", ""), b.get("callback_data") or b.get("url")) for b in row] for row in rows
    ]


class World:
    """Users and chats, plus the Bot API's rules about who the bot may talk to."""

    def __init__(self, bot: User) -> None:
        self.bot = bot
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}

    def add_user(self, user: User) -> User:
        if user.id <= 0:
            raise ValueError(f"user ids must be positive, got {user.id}")
        self.users[user.id] = user
        self.chats.setdefault(user.id, Chat(id=user.id, type="private", user=user))
        self.chats[user.id].user = user
        return user

    def user(self, user_id: int) -> User:
        if user_id == self.bot.id:
            return self.bot
        try:
            return self.users[user_id]
        except KeyError:
            raise ValueError(f"no such user {user_id}; add it with add_user()") from None

    def chat(self, chat_id: int) -> Chat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise ValueError(f"no such chat {chat_id}") from None

    def group(self, chat_id: int) -> Chat:
        chat = self.chat(chat_id)
        if not chat.is_group:
            raise ValueError(f"chat {chat_id} is not a group")
        return chat

    def resolve(self, chat_id: Any, *, sending: bool = False) -> Chat:
        """The chat the bot addresses, or the ApiError Telegram would answer."""
        if isinstance(chat_id, str):
            chat_id = self._by_username(chat_id)
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        if chat.migrated_to is not None:
            raise migrated(chat.migrated_to)
        if chat.user is not None:
            if not chat.user.started:
                if sending:
                    raise forbidden(CANT_INITIATE)
                raise bad_request(CHAT_NOT_FOUND)
            if sending and chat.user.blocked:
                raise forbidden(BLOCKED)
            return chat
        kind = "group" if chat.type == "group" else "supergroup"
        if chat.bot_status == "none":
            raise bad_request(CHAT_NOT_FOUND)
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    def _by_username(self, name: str) -> int | None:
        if name.lstrip("-").isdigit():
            return int(name)
        name = name.lstrip("@").lower()
        for user in self.users.values():
            if (user.username or "").lower() == name:
                return user.id
        return None

    def bot_member_status(self, chat: Chat) -> str:
        if chat.bot_status in ("member", "administrator"):
            return chat.bot_status
        if chat.bot_status == "kicked" and chat.type == "supergroup":
            return "kicked"
        return "left"

    def member_api(self, chat: Chat, user_id: int) -> dict[str, Any]:
        """A ChatMember object as getChatMember returns it."""
        user = self.user(user_id).to_api()
        if user_id == self.bot.id:
            status = self.bot_member_status(chat)
        elif chat.user is not None:
            status = "member"
        else:
            status = chat.status_of(user_id)
        return member_object(status, user)


def member_object(status: str, user: dict[str, Any]) -> dict[str, Any]:
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        rights = {**dict.fromkeys(ADMIN_RIGHTS, True), "is_anonymous": False}
        return {"status": status, "user": user, "can_be_edited": False, **rights}
    if status == "kicked":
        return {"status": status, "user": user, "until_date": 0}
    return {"status": status, "user": user}


ADMIN_RIGHTS = (
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
    "can_pin_messages",
)
