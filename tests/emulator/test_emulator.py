"""The emulator driven by a real aiogram Bot over a real AiohttpSession (no mocks)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)

from tgemu import Event, TelegramEmulator

TOKEN = "123456:TEST-TOKEN"
ANNA, BORIS, VERA = 101, 102, 103
GROUP = -1001
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=f"cb:{t}") for t in labels]]
    )


async def close(bot: Bot) -> None:
    """Close the client session without AiohttpSession.close()'s 0.25 s SSL grace sleep."""
    await (await bot.session.create_session()).close()


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN, bot_username="planerka_bot", bot_name="Планёрка")
    await emulator.start()
    emulator.add_user(ANNA, "Анна", username="anna")
    emulator.add_user(BORIS, "Борис", last_name="Петров")
    emulator.add_user(VERA, "Вера")
    emulator.add_group(GROUP, "Маркетинг", creator=ANNA, admins=[BORIS], members=[VERA])
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.api_url))
    tg_bot = Bot(TOKEN, session=session)
    yield tg_bot
    await close(tg_bot)


async def test_get_me_and_calls_recorded(emu: TelegramEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        123456,
        "planerka_bot",
        "Планёрка",
        True,
    )
    assert emu.calls[-1] == ("getMe", {})


async def test_wrong_token_is_unauthorized(emu: TelegramEmulator) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.api_url))
    intruder = Bot("999:WRONG", session=session)
    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await intruder.get_me()
    await close(intruder)


async def test_wire_formats_and_unknown_method(emu: TelegramEmulator) -> None:
    emu.send(ANNA, ANNA, "/start")
    url = f"{emu.api_url}/bot{TOKEN}"
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    form = aiohttp.FormData()
    form.add_field("chat_id", str(ANNA))
    form.add_field("text", "multipart")
    form.add_field("reply_markup", markup)
    form.add_field("doc", b"x", filename="x.txt")  # forces multipart/form-data
    async with aiohttp.ClientSession() as http:
        for kwargs in (
            {"data": {"chat_id": str(ANNA), "text": "urlencoded", "reply_markup": markup}},
            {"json": {"chat_id": ANNA, "text": "json", "reply_markup": json.loads(markup)}},
            {"data": form},
        ):
            async with http.post(f"{url}/sendMessage", **kwargs) as resp:
                body = await resp.json()
                assert resp.status == 200 and body["ok"] is True
                assert body["result"]["reply_markup"] == json.loads(markup)
        async with http.post(f"{url}/sendmessage", json={"chat_id": ANNA}) as resp:
            assert (resp.status, await resp.json()) == (
                400,
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                },
            )
        async with http.post(f"{url}/noSuchMethod") as resp:
            assert (resp.status, await resp.json()) == (
                404,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )
    assert [m.plain for m in emu.messages(ANNA)] == ["urlencoded", "json", "multipart"]
    assert all(m.buttons == [[("A", "a")]] for m in emu.messages(ANNA))


async def test_send_keyboard_edit_and_not_modified(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send(ANNA, ANNA, "/start")
    msg = await bot.send_message(
        ANNA,
        "<b>План</b> на неделю &amp; KPI",
        parse_mode="HTML",
        reply_markup=keyboard("Да", "Нет"),
    )
    sent = emu.last(ANNA)
    assert sent is not None and sent.message_id == msg.message_id
    assert sent.text == "<b>План</b> на неделю &amp; KPI"
    assert sent.plain == msg.text == "План на неделю & KPI"
    assert sent.buttons == [[("Да", "cb:Да"), ("Нет", "cb:Нет")]]
    assert msg.entities is not None and msg.entities[0].type == "bold"
    assert msg.from_user is not None and msg.from_user.id == 123456
    assert msg.chat.first_name == "Анна" and msg.reply_markup is not None
    assert msg.reply_markup.inline_keyboard[0][1].callback_data == "cb:Нет"

    edited = await bot.edit_message_text(
        "Готово", chat_id=ANNA, message_id=msg.message_id, reply_markup=keyboard("Ок")
    )
    assert not isinstance(edited, bool) and edited.text == "Готово" and edited.edit_date
    assert (sent.plain, sent.edits, sent.buttons) == ("Готово", 1, [[("Ок", "cb:Ок")]])

    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text(
            "Готово", chat_id=ANNA, message_id=msg.message_id, reply_markup=keyboard("Ок")
        )
    assert error.value.message == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    await bot.edit_message_reply_markup(chat_id=ANNA, message_id=msg.message_id)
    assert sent.buttons == [] and sent.edits == 2
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=ANNA, message_id=msg.message_id)


async def test_edit_and_delete_missing_messages(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send(ANNA, ANNA, "/start")
    msg = await bot.send_message(ANNA, "временное")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANNA, message_id=999)
    assert await bot.delete_message(ANNA, msg.message_id) is True
    assert emu.sent[-1].deleted and emu.messages(ANNA) == []
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to delete not found"):
        await bot.delete_message(ANNA, msg.message_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANNA, message_id=msg.message_id)


async def test_html_is_validated_like_telegram(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send(ANNA, ANNA, "/start")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "br" at byte offset 5'):
        await bot.send_message(ANNA, "a<b>b<br></b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(ANNA, "ROI < 5", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Can't find end tag corresponding"):
        await bot.send_message(ANNA, "<b>bold", parse_mode="HTML")
    assert emu.sent == []


async def test_replies(emu: TelegramEmulator, bot: Bot) -> None:
    question = emu.send(ANNA, ANNA, "Сколько лидов?")
    answer = await bot.send_message(
        ANNA, "42", reply_parameters=ReplyParameters(message_id=question.message_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Сколько лидов?"
    assert emu.last(ANNA).reply_to == question.message_id  # type: ignore[union-attr]
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(ANNA, "x", reply_to_message_id=777)


async def test_photo_album_document_keep_bytes(emu: TelegramEmulator, bot: Bot) -> None:
    emu.add_bot_to_group(GROUP, ANNA)
    photo = await bot.send_photo(
        GROUP, BufferedInputFile(PNG, "chart.png"), caption="<i>CPL</i>", parse_mode="HTML"
    )
    assert photo.photo is not None and (photo.photo[-1].width, photo.photo[-1].height) == (640, 480)
    assert photo.caption == "CPL" and emu.last(GROUP).photos == [PNG]  # type: ignore[union-attr]

    album = await bot.send_media_group(
        GROUP,
        [InputMediaPhoto(media=BufferedInputFile(PNG + bytes([i]), f"{i}.png")) for i in range(3)],
    )
    assert len(album) == 3 and len({m.media_group_id for m in album}) == 1
    items = [m for m in emu.messages(GROUP) if m.method == "sendMediaGroup"]
    assert [m.photos for m in items] == [[PNG + bytes([i])] for i in range(3)]

    doc = await bot.send_document(GROUP, BufferedInputFile(b"a;b\n1;2\n", "report.csv"))
    assert doc.document is not None and doc.document.file_name == "report.csv"
    assert emu.last(GROUP).document == ("report.csv", b"a;b\n1;2\n")  # type: ignore[union-attr]

    file = await bot.get_file(doc.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"a;b\n1;2\n"

    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(GROUP, BufferedInputFile(b"not an image", "x.png"))


async def test_forbidden_and_not_found(emu: TelegramEmulator, bot: Bot) -> None:
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot can't initiate conversation"):
        await bot.send_message(ANNA, "hi")
    emu.send(ANNA, ANNA, "/start")
    await bot.send_message(ANNA, "hi")
    emu.block_bot(ANNA)
    with pytest.raises(TelegramForbiddenError) as blocked:
        await bot.send_message(ANNA, "hi")
    assert blocked.value.message == "Forbidden: bot was blocked by the user"
    emu.unblock_bot(ANNA)
    await bot.send_message(ANNA, "снова")

    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(-999, "hi")
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(GROUP, "bot is not in the group yet")
    emu.add_bot_to_group(GROUP, ANNA)
    await bot.send_message(GROUP, "Всем привет")
    emu.remove_bot_from_group(GROUP, BORIS)
    with pytest.raises(
        TelegramForbiddenError, match="Forbidden: bot was kicked from the group chat"
    ):
        await bot.send_message(GROUP, "hi")
    assert [m.plain for m in emu.sent] == ["hi", "снова", "Всем привет"]


async def test_migrate_to_supergroup(emu: TelegramEmulator, bot: Bot) -> None:
    emu.add_bot_to_group(GROUP, ANNA)
    emu.migrate_to_supergroup(GROUP, -1009)
    with pytest.raises(TelegramMigrateToChat) as error:
        await bot.send_message(GROUP, "hi")
    assert error.value.migrate_to_chat_id == -1009
    assert "group chat was upgraded to a supergroup chat" in error.value.message
    msg = await bot.send_message(-1009, "hi")
    assert msg.chat.type == "supergroup" and msg.chat.title == "Маркетинг"
    updates = await bot.get_updates(timeout=0)
    migrations = [
        (u.message.migrate_to_chat_id, u.message.migrate_from_chat_id)
        for u in updates
        if u.message and u.message.chat.id in (GROUP, -1009)
    ]
    assert (-1009, None) in migrations and (None, GROUP) in migrations


async def test_group_members_and_admins(emu: TelegramEmulator, bot: Bot) -> None:
    emu.add_bot_to_group(GROUP, ANNA)
    statuses = {uid: (await bot.get_chat_member(GROUP, uid)).status for uid in (ANNA, BORIS, VERA)}
    assert statuses == {ANNA: "creator", BORIS: "administrator", VERA: "member"}
    me = await bot.get_chat_member(GROUP, 123456)
    assert me.status == "member"
    emu.set_admins(GROUP, [BORIS, 123456])
    assert (await bot.get_chat_member(GROUP, 123456)).status == "administrator"
    admins = await bot.get_chat_administrators(GROUP)
    assert [a.user.id for a in admins] == [ANNA, BORIS, 123456]
    emu.remove_member(GROUP, VERA)
    assert (await bot.get_chat_member(GROUP, VERA)).status == "left"
    chat = await bot.get_chat(GROUP)
    assert (chat.id, chat.type, chat.title) == (GROUP, "group", "Маркетинг")


async def test_pins_need_admin_rights_in_groups(emu: TelegramEmulator, bot: Bot) -> None:
    emu.add_bot_to_group(GROUP, ANNA)
    msg = await bot.send_message(GROUP, "Повестка")
    with pytest.raises(TelegramBadRequest, match="not enough rights to manage pinned messages"):
        await bot.pin_chat_message(GROUP, msg.message_id)
    emu.set_admins(GROUP, [123456])
    await bot.pin_chat_message(GROUP, msg.message_id, disable_notification=True)
    assert emu.pinned(GROUP) == [msg.message_id]
    await bot.unpin_chat_message(GROUP, message_id=msg.message_id)
    assert emu.pinned(GROUP) == []


async def test_commands_are_recorded_and_can_fail(emu: TelegramEmulator, bot: Bot) -> None:
    commands = [BotCommand(command="plan", description="План недели")]
    await bot.set_my_commands(commands)
    await bot.set_my_commands(
        commands, scope=BotCommandScopeChat(chat_id=GROUP), language_code="ru"
    )
    assert emu.commands[("default", None, None)] == [
        {"command": "plan", "description": "План недели"}
    ]
    assert ("chat", GROUP, "ru") in emu.commands
    assert [c.command for c in await bot.get_my_commands()] == ["plan"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == []

    emu.fail_method("setMyCommands", times=1)
    with pytest.raises(TelegramBadRequest):
        await bot.set_my_commands(commands)
    assert await bot.set_my_commands(commands) is True
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])


async def test_answer_callback_query(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send(ANNA, ANNA, "/start")
    await bot.send_message(ANNA, "Выбор", reply_markup=keyboard("Первый", "Второй"))
    query_id = emu.press(ANNA, emu.last(ANNA), "Втор")  # type: ignore[arg-type]
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id and query.data == "cb:Второй"
    assert query.message is not None and query.message.message_id == emu.last(ANNA).message_id  # type: ignore[union-attr]
    await query.answer("Принято", show_alert=True)
    assert emu.callback_answers[query_id]["text"] == "Принято"
    assert emu.callback_answers[query_id]["show_alert"] is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(ValueError, match=r"no button 'Третий'.*Первый"):
        emu.press(ANNA, emu.last(ANNA), "Третий")  # type: ignore[arg-type]


async def test_webhook_is_recorded_and_blocks_polling(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.set_webhook("https://example.com/hook", drop_pending_updates=True)
    assert emu.webhook is not None and emu.webhook["url"] == "https://example.com/hook"
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == []


async def test_bot_added_sends_my_chat_member_and_service_message(
    emu: TelegramEmulator, bot: Bot
) -> None:
    events: list[Event] = []
    emu.on_event = events.append
    emu.add_bot_to_group(GROUP, BORIS)
    emu.add_user(104, "Гоша")
    emu.add_member(GROUP, 104)
    updates = await bot.get_updates(timeout=0)
    first, second, third = updates
    assert first.my_chat_member is not None
    assert (
        first.my_chat_member.old_chat_member.status,
        first.my_chat_member.new_chat_member.status,
    ) == ("left", "member")
    assert first.my_chat_member.from_user.id == BORIS
    assert second.message is not None and second.message.new_chat_members is not None
    assert [u.id for u in second.message.new_chat_members] == [123456]
    assert third.message is not None and third.message.new_chat_members[0].first_name == "Гоша"  # type: ignore[index]
    assert [e.kind for e in events] == ["service", "service"]
    emu.remove_bot_from_group(GROUP, BORIS)
    [removed] = await bot.get_updates(offset=third.update_id + 1, timeout=0)
    assert removed.my_chat_member is not None
    assert removed.my_chat_member.new_chat_member.status == "left"
