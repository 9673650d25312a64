"""Acting as people: each call enqueues the Update Telegram would send to the bot."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tgemu.text import detect_entities
from tgemu.world import Chat, SentMessage, User, UserMessage, member_object

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator

# Telegram's service account that signs the messages of admins who post as the group.
GROUP_ANONYMOUS_BOT = User(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)


class PeopleMixin:
    """The acting half of TelegramEmulator's Python API."""

    # ----------------------------------------------------------------- setup
    def add_user(
        self: TelegramEmulator,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "ru",
    ) -> User:
        return self.world.add_user(User(user_id, first_name, last_name, username, language_code))

    def add_group(
        self: TelegramEmulator,
        chat_id: int,
        title: str,
        *,
        creator: int,
        admins: Iterable[int] = (),
        members: Iterable[int] = (),
        supergroup: bool = False,
        with_bot: bool = False,
        forum: bool = False,
    ) -> Chat:
        """A group (negative id). Creator and admins are members too.

        with_bot=True puts the bot in silently (no updates); otherwise use add_bot_to_group.
        forum=True: a forum supergroup (topics: create_topic, delete_topic).
        """
        if chat_id >= 0:
            raise ValueError(f"group ids must be negative, got {chat_id}")
        admins = set(admins)
        everyone = {creator, *admins, *members}
        for user_id in everyone:
            self.world.user(user_id)
        chat = Chat(
            id=chat_id,
            type="supergroup" if supergroup or forum else "group",
            title=title,
            creator=creator,
            admins=admins - {self.bot_user.id},
            members=everyone - {self.bot_user.id},
            is_forum=forum,
        )
        if with_bot or self.bot_user.id in everyone:
            chat.bot_status = "administrator" if self.bot_user.id in admins else "member"
        self.world.chats[chat_id] = chat
        return chat

    # ----------------------------------------------------------------- messages
    def send(
        self: TelegramEmulator,
        user_id: int,
        chat_id: int,
        text: str,
        reply_to: SentMessage | UserMessage | int | None = None,
        *,
        anonymous: bool = False,
        forwarded_from: int | None = None,
        thread_id: int | None = None,
    ) -> UserMessage:
        """`user_id` writes `text` in `chat_id` (== user_id for the private chat with the bot).

        anonymous=True: a group admin posting as the group — `from` is GroupAnonymousBot and
        `sender_chat` the group, as Telegram sends it.
        thread_id: the forum topic written in (None: General); a reply is in its message's
        topic.
        """
        user = self.world.user(user_id)
        if chat_id == user_id:
            chat = self.world.chat(chat_id)
            if user.blocked:
                self.unblock_bot(user_id)
            user.started = True
        else:
            chat = self._group_for(user_id, chat_id)
        reply = None
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
            if not isinstance(reply_to, int) and reply_to.chat_id != chat.id:
                raise ValueError(
                    f"can't reply in chat {chat.id} to a message in {reply_to.chat_id}"
                )
            if reply_id not in chat.messages:
                raise ValueError(f"no message {reply_id} in chat {chat_id} to reply to")
            reply = _without_reply(chat.messages[reply_id])
            if thread_id is None and reply.get("is_topic_message"):
                thread_id = reply.get("message_thread_id")
        if thread_id is not None and (not chat.is_forum or thread_id not in chat.topics):
            raise ValueError(f"chat {chat.id} has no topic {thread_id}")
        entities = detect_entities(text)
        sender_chat = None
        if anonymous:
            if chat.user is not None or chat.status_of(user_id) not in ("creator", "administrator"):
                raise ValueError(f"only an admin of a group posts anonymously, not {user_id}")
            sender_chat = chat.to_api()
        extra: dict[str, Any] = {}
        if forwarded_from is not None:  # a message forwarded from another user's chat
            origin = self.world.user(forwarded_from).to_api()
            extra["forward_origin"] = {
                "type": "user",
                "date": int(time.time()),
                "sender_user": origin,
            }
        msg = self._message(
            chat,
            GROUP_ANONYMOUS_BOT if anonymous else user,
            text=text,
            entities=entities or None,
            reply_to_message=reply,
            sender_chat=sender_chat,
            **chat.thread_fields(thread_id),
            **extra,
        )
        self._emit("user_message", chat, user.full_name, text)
        update_id = None
        if self._bot_sees(chat, msg):
            update_id = self.queue.put("message", msg)
        self._acted()
        return UserMessage(chat.id, msg["message_id"], user_id, text, update_id, msg)

    def edit(self: TelegramEmulator, sent: UserMessage, text: str) -> UserMessage:
        """The person edits their message `sent` to `text`: Telegram sends `edited_message`
        (the same message_id, an edit_date, the new text and entities)."""
        chat = self.world.chat(sent.chat_id)
        stored = chat.messages.get(sent.message_id)
        if stored is None:
            raise ValueError(f"no message {sent.message_id} in chat {sent.chat_id} to edit")
        msg = {k: v for k, v in stored.items() if k not in ("text", "entities")}
        msg["text"] = text
        entities = detect_entities(text)
        if entities:
            msg["entities"] = entities
        msg["edit_date"] = int(time.time())
        chat.messages[sent.message_id] = msg
        user = self.world.user(sent.user_id)
        self._emit("user_edit", chat, user.full_name, text)
        update_id = None
        if self._bot_sees(chat, msg):
            update_id = self.queue.put("edited_message", msg)
        self._acted()
        return UserMessage(chat.id, sent.message_id, sent.user_id, text, update_id, msg)

    def press(
        self: TelegramEmulator,
        user_id: int,
        message: SentMessage | int,
        button: str,
        *,
        chat_id: int | None = None,
        crafted: bool = False,
    ) -> str:
        """Press an inline button (by exact text, unique substring, or callback_data).
        crafted=True sends `button` as the callback data itself, as a modified client can."""
        user = self.world.user(user_id)
        sent = self._find_bot_message(message, chat_id)
        if sent.deleted:
            raise ValueError(f"message {sent.message_id} in chat {sent.chat_id} was deleted")
        chat = self.world.chat(sent.chat_id)
        if chat.user is not None and chat.id != user_id:
            raise ValueError(f"user {user_id} can't see the private chat {chat.id}")
        if chat.user is None:
            self._group_for(user_id, chat.id)
        if crafted:  # a client sending callback data no button carries (a hostile press)
            label, data = button, button
        else:
            label, data = _find_button(sent, button)
        if data is None or _is_url_button(sent, label):
            raise ValueError(f"button {label!r} has no callback_data (URL/other button)")
        query_id = str(4_000_000_000_000 + len(self.callbacks) + 1)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": copy.deepcopy(sent.raw),
            "chat_instance": str(abs(chat.id) * 7 + 1),
            "data": data,
        }
        self.callbacks[query_id] = {
            "user_id": user_id,
            "chat_id": chat.id,
            "message_id": sent.message_id,
            "data": data,
            "at": time.monotonic(),
        }
        self._emit("press", chat, user.full_name, label)
        self.queue.put("callback_query", query)
        self._acted()
        return query_id

    # ----------------------------------------------------------------- forum topics
    def create_topic(self: TelegramEmulator, chat_id: int, name: str, by_user_id: int) -> int:
        """`by_user_id` opens a topic in a forum supergroup; its message_thread_id (the id of
        the «topic created» service message, which the bot gets like Telegram sends it)."""
        chat = self.world.group(chat_id)
        if not chat.is_forum:
            raise ValueError(f"chat {chat_id} is not a forum")
        by = self._group_member(chat, by_user_id)
        return self._open_topic(chat, by, name)

    def delete_topic(self: TelegramEmulator, chat_id: int, thread_id: int) -> None:
        """The topic is deleted with all its messages (the bot gets no update, as in
        Telegram); sends to it then get 400 «message thread not found»."""
        chat = self.world.group(chat_id)
        if thread_id not in chat.topics:
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        self._close_topic(chat, thread_id)
        self._acted()

    def _open_topic(self: TelegramEmulator, chat: Chat, by: User, name: str) -> int:
        message_id = chat.next_message_id
        created = {"name": name, "icon_color": 7322096}
        msg = self._message(
            chat,
            by,
            forum_topic_created=created,
            message_thread_id=message_id,
            is_topic_message=True,
        )
        chat.topics[message_id] = name
        if chat.bot_in:
            self.queue.put("message", msg)
        self._emit("service", chat, by.full_name, f"{by.full_name} created the topic «{name}»")
        self._acted()
        return message_id

    def _close_topic(self: TelegramEmulator, chat: Chat, thread_id: int) -> None:
        name = chat.topics.pop(thread_id)
        for message_id, msg in list(chat.messages.items()):
            if msg.get("message_thread_id") == thread_id:
                del chat.messages[message_id]
        for sent in self.sent:
            if sent.chat_id == chat.id and sent.thread_id == thread_id:
                sent.deleted = True
        self._emit("service", chat, "Telegram", f"the topic «{name}» was deleted")
        self._pulse()

    # ----------------------------------------------------------------- membership
    def add_bot_to_group(
        self: TelegramEmulator, chat_id: int, by_user_id: int, *, as_admin: bool = False
    ) -> UserMessage:
        """my_chat_member (left → member) and a new_chat_members message, like Telegram."""
        chat = self.world.group(chat_id)
        by = self._group_member(chat, by_user_id)
        old = self.world.bot_member_status(chat)
        chat.bot_status = "administrator" if as_admin else "member"
        self._my_chat_member(chat, by, old, chat.bot_status)
        bot = self.bot_user.to_api()
        msg = self._message(
            chat, by, new_chat_members=[bot], new_chat_member=bot, new_chat_participant=bot
        )
        update_id = self.queue.put("message", msg)
        self._emit("service", chat, by.full_name, f"{by.full_name} added the bot to the group")
        self._acted()
        return UserMessage(chat.id, msg["message_id"], by.id, "", update_id, msg)

    def remove_bot_from_group(self: TelegramEmulator, chat_id: int, by_user_id: int) -> int:
        """my_chat_member member → left; the bot's sends there then get 403 kicked."""
        chat = self.world.group(chat_id)
        by = self._group_member(chat, by_user_id)
        old = self.world.bot_member_status(chat)
        chat.bot_status = "kicked"
        update_id = self._my_chat_member(chat, by, old, self.world.bot_member_status(chat))
        self._emit("service", chat, by.full_name, f"{by.full_name} removed the bot")
        self._acted()
        return update_id

    def add_member(
        self: TelegramEmulator, chat_id: int, user_id: int, by_user_id: int | None = None
    ) -> UserMessage:
        chat = self.world.group(chat_id)
        user = self.world.user(user_id)
        by = self.world.user(by_user_id) if by_user_id is not None else user
        was = chat.status_of(user_id)
        chat.members.add(user_id)
        payload = user.to_api()
        if chat.bot_in:
            self._chat_member(chat, by, user, was, chat.status_of(user_id))
        msg = self._message(
            chat,
            by,
            new_chat_members=[payload],
            new_chat_member=payload,
            new_chat_participant=payload,
        )
        update_id = self.queue.put("message", msg) if chat.bot_in else None
        self._emit("service", chat, by.full_name, f"{user.full_name} joined")
        self._acted()
        return UserMessage(chat.id, msg["message_id"], by.id, "", update_id, msg)

    def remove_member(
        self: TelegramEmulator,
        chat_id: int,
        user_id: int,
        by_user_id: int | None = None,
        *,
        service_message: bool = True,
    ) -> UserMessage:
        """`user_id` leaves (or `by_user_id` removes them): a chat_member update (delivered
        only if the bot asked for chat_member in allowed_updates) and, unless
        service_message=False, a left_chat_member message — like Telegram."""
        chat = self.world.group(chat_id)
        user = self.world.user(user_id)
        by = self.world.user(by_user_id) if by_user_id is not None else user
        was = chat.status_of(user_id)
        chat.members.discard(user_id)
        chat.admins.discard(user_id)
        payload = user.to_api()
        if chat.bot_in:
            self._chat_member(chat, by, user, was, "left" if by is user else "kicked")
        msg = self._message(chat, by, left_chat_member=payload, left_chat_participant=payload)
        update_id = None
        if chat.bot_in and service_message:
            update_id = self.queue.put("message", msg)
        self._emit("service", chat, user.full_name, f"{user.full_name} left")
        self._acted()
        return UserMessage(chat.id, msg["message_id"], user_id, "", update_id, msg)

    def set_admins(self: TelegramEmulator, chat_id: int, user_ids: Iterable[int]) -> None:
        """Replace the group's admins (the creator stays creator). May include the bot's id."""
        chat = self.world.group(chat_id)
        ids = set(user_ids)
        for user_id in ids - {self.bot_user.id}:
            self.world.user(user_id)
        people = chat.members | ids - {self.bot_user.id}
        before = {u: chat.status_of(u) for u in people}
        chat.admins = ids - {self.bot_user.id}
        chat.members |= chat.admins
        if chat.bot_in:
            by = self.world.user(chat.creator) if chat.creator else self.bot_user
            for user_id, old in sorted(before.items()):
                if chat.status_of(user_id) != old:
                    user = self.world.user(user_id)
                    self._chat_member(chat, by, user, old, chat.status_of(user_id))
        if chat.bot_in:
            new = "administrator" if self.bot_user.id in ids else "member"
            if new != chat.bot_status:
                old, chat.bot_status = chat.bot_status, new
                by = self.world.user(chat.creator) if chat.creator else self.bot_user
                self._my_chat_member(chat, by, old, new)
        self._acted()

    def migrate_to_supergroup(
        self: TelegramEmulator, chat_id: int, new_chat_id: int, by_user_id: int | None = None
    ) -> Chat:
        """Upgrade a group: migrate_to_chat_id (old chat) + migrate_from_chat_id (new chat)."""
        old = self.world.group(chat_id)
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError(f"chat {chat_id} is not a basic group")
        if new_chat_id in self.world.chats:
            raise ValueError(f"chat {new_chat_id} already exists")
        new = Chat(
            id=new_chat_id,
            type="supergroup",
            title=old.title,
            creator=old.creator,
            admins=set(old.admins),
            members=set(old.members),
            bot_status=old.bot_status,
        )
        self.world.chats[new_chat_id] = new
        by = self.world.user(by_user_id if by_user_id is not None else old.creator or 0)
        to_msg = self._message(old, by, migrate_to_chat_id=new_chat_id)
        from_msg = self._message(new, by, migrate_from_chat_id=chat_id)
        old.migrated_to = new_chat_id
        if old.bot_in:
            self.queue.put("message", to_msg)
            self.queue.put("message", from_msg)
        self._emit("service", old, by.full_name, f"group upgraded to supergroup {new_chat_id}")
        self._acted()
        return new

    def block_bot(self: TelegramEmulator, user_id: int) -> None:
        self._set_blocked(user_id, True)

    def unblock_bot(self: TelegramEmulator, user_id: int) -> None:
        self._set_blocked(user_id, False)

    # ----------------------------------------------------------------- helpers
    def _set_blocked(self: TelegramEmulator, user_id: int, blocked: bool) -> None:
        user = self.world.user(user_id)
        if user.blocked == blocked:
            return
        user.blocked = blocked
        chat = self.world.chat(user_id)
        if user.started:
            old, new = ("member", "kicked") if blocked else ("kicked", "member")
            self._my_chat_member(chat, user, old, new)
        verb = "blocked" if blocked else "unblocked"
        self._emit("service", chat, user.full_name, f"{user.full_name} {verb} the bot")
        self._acted()

    def _my_chat_member(self: TelegramEmulator, chat: Chat, by: User, old: str, new: str) -> int:
        bot = self.bot_user.to_api()
        return self.queue.put(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": by.to_api(),
                "date": int(time.time()),
                "old_chat_member": member_object(old, bot),
                "new_chat_member": member_object(new, bot),
            },
        )

    def _chat_member(
        self: TelegramEmulator, chat: Chat, by: User, user: User, old: str, new: str
    ) -> int:
        return self.queue.put(
            "chat_member",
            {
                "chat": chat.to_api(),
                "from": by.to_api(),
                "date": int(time.time()),
                "old_chat_member": member_object(old, user.to_api()),
                "new_chat_member": member_object(new, user.to_api()),
            },
        )

    def _group_for(self: TelegramEmulator, user_id: int, chat_id: int) -> Chat:
        chat = self.world.group(chat_id)
        if chat.migrated_to is not None:
            raise ValueError(f"group {chat_id} was migrated to {chat.migrated_to}")
        self._group_member(chat, user_id)
        return chat

    def _group_member(self: TelegramEmulator, chat: Chat, user_id: int) -> User:
        user = self.world.user(user_id)
        if user_id not in chat.members:
            raise ValueError(f"user {user_id} is not a member of chat {chat.id}")
        return user

    def _bot_sees(self: TelegramEmulator, chat: Chat, msg: dict[str, Any]) -> bool:
        if chat.user is not None:
            return True
        if not chat.bot_in:
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        text = msg.get("text", "")
        reply_from = (msg.get("reply_to_message") or {}).get("from", {})
        return (
            any(e["type"] == "bot_command" for e in msg.get("entities", []))
            or f"@{self.bot_user.username}".lower() in text.lower()
            or reply_from.get("id") == self.bot_user.id
        )

    def _find_bot_message(
        self: TelegramEmulator, message: SentMessage | int, chat_id: int | None
    ) -> SentMessage:
        if isinstance(message, SentMessage):
            return message
        candidates = [
            m
            for m in self.sent
            if m.message_id == message and (chat_id is None or m.chat_id == chat_id)
        ]
        if len(candidates) != 1:
            where = f"chat {chat_id}" if chat_id is not None else "any chat (pass chat_id=)"
            raise ValueError(f"{len(candidates)} bot messages with id {message} in {where}")
        return candidates[0]


def _without_reply(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in msg.items() if k != "reply_to_message"}


def _find_button(sent: SentMessage, wanted: str) -> tuple[str, str | None]:
    flat = [b for row in sent.buttons for b in row]
    for exact in (True, False):
        hits = [
            (label, data)
            for label, data in flat
            if (label == wanted or data == wanted if exact else wanted in label)
        ]
        if len(hits) == 1 or (exact and hits):
            return hits[0]
        if len(hits) > 1:
            labels = [label for label, _ in hits]
            raise ValueError(f"button {wanted!r} is ambiguous in message: {labels}")
    raise ValueError(
        f"no button {wanted!r} in bot message #{sent.message_id} in chat {sent.chat_id}; "
        f"buttons: {sent.button_texts()}"
    )


def _is_url_button(sent: SentMessage, label: str) -> bool:
    rows = (sent.raw.get("reply_markup") or {}).get("inline_keyboard") or []
    return any(b.get("text") == label and "callback_data" not in b for row in rows for b in row)
