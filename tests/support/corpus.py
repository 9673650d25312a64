"""A corpus of update shapes Telegram really sends, as raw Bot API JSON (issue 14).

`build(emu)` adds the chats and people the shapes come from to the emulator (so the bot's
answers, if any, have somewhere to go) and returns (name, kind, payload) triples; the update
id is the sender's business (the webhook pusher or the emulator's queue).
"""

from __future__ import annotations

import time
from typing import Any

from tests.support.meetings import GROUP, LEAD
from tgemu import TelegramEmulator
from tgemu.world import member_object

UNKNOWN_TYPES = {"business_message_v9", "guest_message"}  # a newer Bot API's
UNKNOWN_GROUP = -100600  # the bot is in it, no team was ever set up
FORUM = -100700  # a supergroup with topics, no team
CHANNEL = -100777  # a channel the bot posts in (and a group's linked channel)
MARKUP_NAME, RTL_NAME, CHAT_USER, FORWARDER = 401, 402, 403, 404
ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
OTHER_BOT = {"id": 5550001, "is_bot": True, "first_name": "Other", "username": "other_bot"}
TELEGRAM = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel"}


def people(emu: TelegramEmulator) -> None:
    emu.add_user(MARKUP_NAME, "<b>Жирный</b> & <i>курсив", username="markup_name")
    emu.add_user(RTL_NAME, "\u202eانا\u202c مريم", last_name="<a href='x'>", language_code="ar")
    emu.add_user(CHAT_USER, "Пётр", username="petr", language_code="en")
    emu.add_user(FORWARDER, "Фёдор", username=None, language_code=None)
    for user_id in (MARKUP_NAME, RTL_NAME, CHAT_USER, FORWARDER):
        emu.world.user(user_id).started = True  # they write to the bot in private
    emu.add_group(UNKNOWN_GROUP, "Чужая группа", creator=CHAT_USER, supergroup=True, with_bot=True)
    emu.add_group(FORUM, "Форум", creator=CHAT_USER, supergroup=True, with_bot=True)


def _user(emu: TelegramEmulator, user_id: int) -> dict[str, Any]:
    return emu.world.user(user_id).to_api()


def _chat(emu: TelegramEmulator, chat_id: int) -> dict[str, Any]:
    return emu.world.chat(chat_id).to_api()


def build(emu: TelegramEmulator) -> list[tuple[str, str, dict[str, Any]]]:
    """Every shape; `emu` must already have the team group (tests.support.meetings)."""
    people(emu)
    now = int(time.time())
    seq = iter(range(9000, 10000))
    group = _chat(emu, GROUP)
    unknown = {**_chat(emu, UNKNOWN_GROUP), "type": "supergroup"}
    forum = {**_chat(emu, FORUM), "is_forum": True}
    channel = {"id": CHANNEL, "type": "channel", "title": "Канал", "username": "team_channel"}
    lead = _user(emu, LEAD)
    petr = _user(emu, CHAT_USER)
    fedor = _user(emu, FORWARDER)
    bot = emu.bot_user.to_api()

    def msg(chat: dict[str, Any], sender: dict[str, Any] | None, **content: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"message_id": next(seq), "date": now, "chat": chat, **content}
        if sender is not None:
            body["from"] = sender
        if chat["id"] in emu.world.chats:  # so that the bot may reply to it
            emu.world.chats[chat["id"]].messages[body["message_id"]] = body
        return body

    def private(user_id: int) -> dict[str, Any]:
        return _chat(emu, user_id)

    def command(text: str) -> list[dict[str, Any]]:
        word = text.split()[0]
        return [{"type": "bot_command", "offset": 0, "length": len(word)}]

    def member(status: str, user: dict[str, Any]) -> dict[str, Any]:
        return {"status": status, "user": user}

    def chat_member_update(chat: dict[str, Any], old: str, new: str, who: dict[str, Any]):
        return {
            "chat": chat,
            "from": petr,
            "date": now,
            "old_chat_member": member(old, who),
            "new_chat_member": member(new, who),
        }

    long_text = ("Очень длинное сообщение. " * 200)[:4096]
    sticker = {
        "file_id": "CAACAgIAAxk",
        "file_unique_id": "AgAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    poll = {
        "id": "5990000000000000001",
        "question": "Пицца или суши?",
        "options": [
            {"text": "Пицца", "voter_count": 1, "persistent_id": "p1"},
            {"text": "Суши", "voter_count": 0, "persistent_id": "p2"},
        ],
        "allows_revoting": False,
        "members_only": False,
        "total_voter_count": 1,
        "is_closed": False,
        "is_anonymous": False,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    inline_keyboard = {"inline_keyboard": [[{"text": "x", "callback_data": "st:lang:en"}]]}
    shapes: list[tuple[str, str, dict[str, Any]]] = [
        # service messages
        ("new title", "message", msg(group, lead, new_chat_title="Маркетинг 2027")),
        ("pinned", "message", msg(group, lead, pinned_message=msg(group, bot, text="x"))),
        ("member joined", "message", msg(group, fedor, new_chat_members=[fedor])),
        ("member left", "message", msg(group, fedor, left_chat_member=fedor)),
        ("group created", "message", msg(unknown, petr, group_chat_created=True)),
        ("auto-delete timer", "message", msg(group, lead, message_auto_delete_timer_changed={
            "message_auto_delete_time": 86400})),
        ("video chat", "message", msg(group, lead, video_chat_started={})),
        ("topic created", "message", msg(forum, petr, message_thread_id=77, forum_topic_created={
            "name": "Планёрка", "icon_color": 7322096})),
        ("bot joined unknown group", "message", msg(unknown, petr, new_chat_members=[bot])),
        # channels
        ("channel post", "channel_post", msg(channel, None, sender_chat=channel, text="/setup")),
        ("edited channel post", "edited_channel_post", msg(
            channel, None, sender_chat=channel, text="/planerka", edit_date=now)),
        ("linked channel forward", "message", msg(
            group, TELEGRAM, sender_chat=channel, is_automatic_forward=True, text="/planerka",
            entities=command("/planerka"), forward_origin={
                "type": "channel", "chat": channel, "message_id": 5, "date": now})),
        ("posted as a channel", "message", msg(
            group, CHANNEL_BOT, sender_chat=channel, text="/settings",
            entities=command("/settings"))),
        ("another bot's command", "message", msg(
            group, OTHER_BOT, text="/end", entities=command("/end"))),
        # callbacks
        ("callback from an inline message", "callback_query", {
            "id": "7001", "from": lead, "inline_message_id": "AgAAAInline",
            "chat_instance": "-1", "data": "st:lang:en"}),
        ("task callback from an inline message", "callback_query", {
            "id": "7002", "from": lead, "inline_message_id": "AgAAAInline2",
            "chat_instance": "-1", "data": "tk:done:1:card"}),
        ("meeting callback on an inaccessible message", "callback_query", {
            "id": "7003", "from": lead, "chat_instance": "-2", "data": "mt:next:1:0:",
            "message": {"chat": group, "message_id": 3, "date": 0}}),
        ("settings callback on an inaccessible message", "callback_query", {
            "id": "7004", "from": lead, "chat_instance": "-2", "data": "st:lang:en",
            "message": {"chat": group, "message_id": 3, "date": 0}}),
        ("check-in callback on an inaccessible message", "callback_query", {
            "id": "7005", "from": petr, "chat_instance": "-3", "data": "ci:1:1:skip",
            "message": {"chat": private(CHAT_USER), "message_id": 4, "date": 0}}),
        ("game callback", "callback_query", {
            "id": "7006", "from": petr, "chat_instance": "-4", "game_short_name": "g",
            "message": msg(private(CHAT_USER), bot, text="x", reply_markup=inline_keyboard)}),
        ("garbage callback data", "callback_query", {
            "id": "7007", "from": petr, "chat_instance": "-4", "data": "st:<b>:\u202e:9999",
            "message": msg(group, bot, text="x", reply_markup=inline_keyboard)}),
        # reactions, join requests, polls
        ("reaction", "message_reaction", {
            "chat": group, "message_id": 5, "user": lead, "date": now,
            "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]}),
        ("reaction count", "message_reaction_count", {
            "chat": group, "message_id": 5, "date": now,
            "reactions": [{"type": {"type": "emoji", "emoji": "👍"}, "total_count": 2}]}),
        ("join request", "chat_join_request", {
            "chat": unknown, "from": fedor, "user_chat_id": FORWARDER, "date": now}),
        ("poll message", "message", msg(group, lead, poll=poll)),
        ("poll", "poll", poll),
        ("poll answer", "poll_answer", {"poll_id": poll["id"], "user": lead, "option_ids": [0],
            "option_persistent_ids": ["p1"]}),
        # media and the like, in the group and in private
        ("sticker", "message", msg(group, lead, sticker=sticker)),
        ("sticker in private", "message", msg(private(CHAT_USER), petr, sticker=sticker)),
        ("voice", "message", msg(private(CHAT_USER), petr, voice={
            "file_id": "AwACAgIAAxk", "file_unique_id": "AgADv", "duration": 3})),
        ("location", "message", msg(group, lead, location={
            "latitude": 55.75, "longitude": 37.61})),
        ("dice", "message", msg(private(CHAT_USER), petr, dice={"emoji": "🎲", "value": 4})),
        ("contact", "message", msg(private(CHAT_USER), petr, contact={
            "phone_number": "+70000000000", "first_name": "Пётр"})),
        ("forwarded to private", "message", msg(
            private(FORWARDER), fedor, text="/start", forward_origin={
                "type": "hidden_user", "sender_user_name": "Кто-то", "date": now})),
        ("forwarded command in group", "message", msg(
            group, fedor, text="/settings", entities=command("/settings"),
            forward_origin={"type": "user", "sender_user": lead, "date": now})),
        # forum topics
        ("topic message", "message", msg(
            forum, petr, message_thread_id=77, is_topic_message=True, text="/help",
            entities=command("/help"))),
        ("topic /setup by a non-admin", "message", msg(
            forum, fedor, message_thread_id=77, is_topic_message=True, text="/setup",
            entities=command("/setup"))),
        # commands for others, odd /start payloads
        ("/start@other_bot in group", "message", msg(
            group, lead, text="/start@other_bot", entities=command("/start@other_bot"))),
        ("/setup@other_bot in group", "message", msg(
            unknown, petr, text="/setup@other_bot", entities=command("/setup@other_bot"))),
        ("/start@other_bot in private", "message", msg(
            private(CHAT_USER), petr, text="/start@other_bot",
            entities=command("/start@other_bot"))),
        ("/start garbage payload", "message", msg(
            private(CHAT_USER), petr, text="/start %00%ff'\";--\u202e" + "z" * 300,
            entities=command("/start"))),
        ("/start markup payload", "message", msg(
            private(CHAT_USER), petr, text="/start <b>x</b><script>&amp;",
            entities=command("/start"))),
        ("/start base64 payload", "message", msg(
            private(CHAT_USER), petr, text="/start " + "A" * 64, entities=command("/start"))),
        # long texts, names with markup and RTL
        ("4096 chars in private", "message", msg(private(CHAT_USER), petr, text=long_text)),
        ("4096 chars in group", "message", msg(group, lead, text=long_text)),
        ("4096-char command", "message", msg(
            group, lead, text="/holiday " + long_text[:4086], entities=command("/holiday"))),
        ("markup name /start", "message", msg(
            private(MARKUP_NAME), _user(emu, MARKUP_NAME), text="/start",
            entities=command("/start"))),
        ("RTL name /start", "message", msg(
            private(RTL_NAME), _user(emu, RTL_NAME), text="/start", entities=command("/start"))),
        ("markup name /help in group", "message", msg(
            unknown, {**petr, "first_name": "<b>Пётр</b>", "last_name": "\u202eRTL"},
            text="/help", entities=command("/help"))),
        # edits
        ("edited command", "edited_message", msg(
            group, lead, text="/planerka", entities=command("/planerka"), edit_date=now)),
        ("edited private text", "edited_message", msg(
            private(CHAT_USER), petr, text="исправлено", edit_date=now)),
        # a newer Bot API: fields and update types this aiogram doesn't know
        ("unknown message fields", "message", msg(
            private(CHAT_USER), petr, text="/help", entities=command("/help"),
            paid_star_count=5, suggested_post_info={"state": "pending"},
            future_field={"nested": [1, 2, {"x": None}]})),
        ("unknown entity type", "message", msg(
            private(CHAT_USER), petr, text="hello world",
            entities=[{"type": "future_entity", "offset": 0, "length": 5}])),
        ("unknown update type", "business_message_v9", {"id": 1, "text": "hi"}),
        ("unknown update type with a chat", "guest_message", msg(group, lead, text="/setup")),
        # membership events for groups the bot doesn't serve
        ("bot added to unknown group", "my_chat_member", chat_member_update(
            unknown, "left", "member", bot)),
        ("bot promoted in unknown group", "my_chat_member", chat_member_update(
            unknown, "member", "administrator", bot) | {
            "new_chat_member": member_object("administrator", bot)}),
        ("bot kicked from a group it never knew", "my_chat_member", chat_member_update(
            {"id": -100999, "type": "supergroup", "title": "Исчезнувшая"}, "member", "kicked",
            bot) | {"new_chat_member": {"status": "kicked", "user": bot, "until_date": 0}}),
        ("bot blocked in private", "my_chat_member", chat_member_update(
            private(CHAT_USER), "member", "kicked", bot) | {
            "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0}}),
        ("member joined unknown group", "chat_member", chat_member_update(
            unknown, "left", "member", fedor)),
        ("member left unknown group", "chat_member", chat_member_update(
            unknown, "member", "left", petr)),
        ("member joined a group it never knew", "chat_member", chat_member_update(
            {"id": -100998, "type": "group", "title": "?"}, "left", "member", fedor)),
        ("inline query", "inline_query", {
            "id": "8001", "from": petr, "query": "<b>", "offset": ""}),
        ("chosen inline result", "chosen_inline_result", {
            "result_id": "1", "from": petr, "query": "x"}),
    ]  # fmt: skip
    return shapes
