"""A real aiogram Dispatcher polling the emulator; long-poll getUpdates semantics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramConflictError
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tgemu import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"
ANNA, BORIS = 101, 102
GROUP = -1001


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN)
    await emulator.start()
    emulator.add_user(ANNA, "Анна", username="anna")
    emulator.add_user(BORIS, "Борис")
    emulator.add_group(GROUP, "Маркетинг", creator=ANNA, members=[BORIS])
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    tg_bot = emu.make_bot(default=DefaultBotProperties(parse_mode="HTML"))
    yield tg_bot
    await (await tg_bot.session.create_session()).close()


def planning_router() -> Router:
    router = Router()
    start_kb = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="🚀 Начать планёрку", callback_data="go")]]
    )

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Привет, <b>{message.from_user.first_name}</b>!", reply_markup=start_kb
        )  # type: ignore[union-attr]

    @router.callback_query(F.data == "go")
    async def go(query: CallbackQuery) -> None:
        await query.answer("Поехали")
        await query.message.edit_text("Планёрка началась")  # type: ignore[union-attr]

    @router.message(Command("setup"))
    async def setup(message: Message) -> None:
        await message.reply(f"Настраиваю «{message.chat.title}»")

    @router.my_chat_member()
    async def added(event: ChatMemberUpdated, bot: Bot) -> None:
        if event.new_chat_member.status == "member":
            await bot.send_message(event.chat.id, "Спасибо, что добавили!")

    return router


async def test_dispatcher_polling_end_to_end(emu: TelegramEmulator, bot: Bot) -> None:
    dp = Dispatcher()
    dp.include_router(planning_router())
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        started = time.monotonic()
        emu.send(ANNA, ANNA, "/start")
        greeting = await emu.wait_for(ANNA, "Привет, Анна!")
        assert time.monotonic() - started < 1.0  # long poll woke up at once
        assert greeting.text == "Привет, <b>Анна</b>!"
        assert greeting.button_texts() == ["🚀 Начать планёрку"]

        query_id = emu.press(ANNA, greeting, "Начать")
        edited = await emu.wait_for(ANNA, "Планёрка началась")
        assert edited is greeting and edited.edits == 1 and edited.buttons == []
        assert (await emu.wait_answer(query_id))["text"] == "Поехали"

        emu.add_bot_to_group(GROUP, ANNA)
        await emu.wait_for(GROUP, "Спасибо, что добавили!")
        command = emu.send(BORIS, GROUP, "/setup@planerka_bot")
        reply = await emu.wait_for(GROUP, "Настраиваю «Маркетинг»")
        assert reply.reply_to == command.message_id

        await emu.wait_idle(quiet=0.1, timeout=5)
        assert emu.queue.unfetched == 0
    finally:
        await dp.stop_polling()
        await polling
    methods = [method for method, _ in emu.calls]
    assert methods[0] == "getMe" and "getUpdates" in methods
    kinds = [e.kind for e in emu.events]
    assert kinds[:4] == ["user_message", "bot_message", "press", "bot_answer"]
    assert "bot_edit" in kinds and "service" in kinds


async def test_long_poll_waits_then_returns_promptly(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send(ANNA, ANNA, "/start")
    first = await bot.get_updates(timeout=0)
    assert [u.update_id for u in first] == [1]
    poll = asyncio.create_task(bot.get_updates(offset=2, timeout=10))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    emu.send(ANNA, ANNA, "ещё")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 0.5
    assert [u.message.text for u in updates if u.message] == ["ещё"]
    # offset confirmed update 1: it is gone; update 2 stays until confirmed
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [2]
    assert await bot.get_updates(offset=3, timeout=0) == []
    empty_started = time.monotonic()
    assert await bot.get_updates(offset=3, timeout=1) == []
    assert time.monotonic() - empty_started >= 0.9


async def test_second_poller_terminates_first(emu: TelegramEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)
    assert await second == []


async def test_allowed_updates_filter(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send(ANNA, ANNA, "/start")
    emu.block_bot(ANNA)
    updates = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [u.event_type for u in updates] == ["message"]


async def test_wait_for_timeout_lists_what_chat_received(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send(ANNA, ANNA, "/start")
    await bot.send_message(ANNA, "Первое сообщение")
    with pytest.raises(AssertionError, match="Первое сообщение") as error:
        await emu.wait_for(ANNA, "Такого нет", timeout=0.1)
    assert "no bot message containing 'Такого нет' in chat 101" in str(error.value)
    # `after` selects which messages count as new
    mark = emu.mark()
    await bot.send_message(ANNA, "Второе")
    assert (await emu.wait_for(ANNA, after=mark)).plain == "Второе"
    assert (await emu.wait_for(ANNA, after=0)).plain == "Первое сообщение"


async def test_wait_idle_reports_unfetched_updates(emu: TelegramEmulator) -> None:
    emu.send(ANNA, ANNA, "/start")
    with pytest.raises(AssertionError, match="1 update"):
        await emu.wait_idle(quiet=0.05, timeout=0.2)


async def test_privacy_mode_only_delivers_commands_in_groups() -> None:
    emu = TelegramEmulator(token=TOKEN, privacy_mode=True)
    emu.add_user(ANNA, "Анна")
    emu.add_group(GROUP, "Маркетинг", creator=ANNA, with_bot=True)
    assert emu.send(ANNA, GROUP, "просто болтаю").update_id is None
    assert emu.send(ANNA, GROUP, "/plan").update_id is not None
    assert emu.send(ANNA, GROUP, "эй @planerka_bot").update_id is not None
