"""The HTTP control API (/control/*), driven with aiohttp.ClientSession as another process would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tgemu import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    tg_bot = emu.make_bot()
    yield tg_bot
    await (await tg_bot.session.create_session()).close()


async def call(http: aiohttp.ClientSession, path: str, body: Any = None, status: int = 200) -> Any:
    method = http.get if body is None else http.post
    async with method(path, json=body) as resp:
        data = await resp.json()
        assert resp.status == status, data
        return data["result"] if data["ok"] else data["error"]


async def test_control_api_round_trip(emu: TelegramEmulator, bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=emu.api_url) as http:
        await call(http, "/control/users", {"id": 101, "first_name": "Анна", "username": "anna"})
        await call(http, "/control/users", {"id": 102, "first_name": "Борис"})
        group = {"id": -1001, "title": "Маркетинг", "creator": 101, "members": [102]}
        assert (await call(http, "/control/groups", group))["type"] == "group"
        sent = await call(http, "/control/send", {"user_id": 101, "text": "/start"})
        assert sent == {"chat_id": 101, "message_id": 1, "update_id": 1}

        [update] = await bot.get_updates(timeout=0)
        assert update.message is not None and update.message.text == "/start"
        mark = await call(http, "/control/mark")
        kb = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]]
        )
        msg = await bot.send_message(101, "Начнём?", reply_markup=kb)

        [listed] = await call(http, f"/control/sent?chat_id=101&after={mark}")
        assert listed["plain"] == "Начнём?" and listed["buttons"] == [[["Да", "yes"]]]
        waited = await call(http, "/control/wait_for", {"chat_id": 101, "contains": "Начнём"})
        assert waited["message_id"] == msg.message_id
        missing = await call(
            http, "/control/wait_for", {"chat_id": 101, "contains": "нет", "timeout": 0.05}, 408
        )
        assert "Начнём?" in missing

        press = {"user_id": 101, "message_id": msg.message_id, "chat_id": 101, "button": "Да"}
        query_id = (await call(http, "/control/press", press))["callback_query_id"]
        updates = await bot.get_updates(offset=update.update_id + 1, timeout=0)
        assert updates[-1].callback_query is not None
        assert updates[-1].callback_query.id == query_id

        await call(http, "/control/bot_added", {"chat_id": -1001, "by_user_id": 101})
        await bot.send_message(-1001, "Всем привет")
        assert await call(http, "/control/sent?chat_id=-1001") != []
        await call(http, "/control/migrate", {"chat_id": -1001, "new_chat_id": -1002})
        await call(http, "/control/block", {"user_id": 101})
        assert emu.world.users[101].blocked
        await call(http, "/control/limits", {"private_per_s": 1})
        assert emu.limiter is not None
        await call(http, "/control/limits", {"off": True})
        assert emu.limiter is None
        await call(http, "/control/faults", {"error_5xx": 0.5, "seed": 3})
        assert emu.faults.shares["error_5xx"] == 0.5
        stats = await call(http, "/control/stats")
        assert stats["delivered"] == 2

        error = await call(http, "/control/send", {"user_id": 999, "text": "x"}, 400)
        assert "no such user 999" in error


async def test_a_press_can_be_made_too_old_to_answer(emu: TelegramEmulator, bot: Bot) -> None:
    """Telegram refuses answerCallbackQuery 15 s after the press: the emulator plays it for one
    press (Python or control API) or for every press older than `callback_ttl`."""
    from aiogram.exceptions import TelegramBadRequest

    emu.add_user(101, "Анна")
    emu.send(101, 101, "/start")
    button = InlineKeyboardButton(text="Да", callback_data="y")
    kb = InlineKeyboardMarkup(inline_keyboard=[[button]])
    msg = await bot.send_message(101, "Начнём?", reply_markup=kb)
    async with aiohttp.ClientSession(base_url=emu.api_url) as http:
        first = emu.press(101, msg.message_id, "Да", chat_id=101)
        await call(http, "/control/expire_callback", {"callback_query_id": first})
        with pytest.raises(TelegramBadRequest, match="query is too old"):
            await bot.answer_callback_query(first)
        second = emu.press(101, msg.message_id, "Да", chat_id=101)
        assert await bot.answer_callback_query(second) is True
        await call(http, "/control/callback_ttl", {"seconds": 0})
        third = emu.press(101, msg.message_id, "Да", chat_id=101)
        with pytest.raises(TelegramBadRequest, match="response timeout expired"):
            await bot.answer_callback_query(third)
    assert first not in emu.callback_answers and second in emu.callback_answers


async def test_control_api_forum_topics(emu: TelegramEmulator, bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=emu.api_url) as http:
        await call(http, "/control/users", {"id": 101, "first_name": "Анна"})
        forum = {"id": -1003, "title": "Форум", "creator": 101, "forum": True, "with_bot": True}
        created = await call(http, "/control/groups", forum)
        assert created["type"] == "supergroup" and created["is_forum"] is True
        topic = await call(
            http, "/control/topics", {"chat_id": -1003, "name": "Итоги", "by_user_id": 101}
        )
        thread = topic["message_thread_id"]
        await call(
            http,
            "/control/send",
            {"user_id": 101, "chat_id": -1003, "text": "тут", "thread_id": thread},
        )
        *_, update = await bot.get_updates(timeout=0)
        assert update.message.message_thread_id == thread and update.message.is_topic_message
        await call(http, "/control/delete_topic", {"chat_id": -1003, "thread_id": thread})
        error = await call(
            http,
            "/control/send",
            {"user_id": 101, "chat_id": -1003, "text": "x", "thread_id": thread},
            400,
        )
        assert "no topic" in error
