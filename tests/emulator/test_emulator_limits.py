"""Flood limits (429 + retry_after) and seeded fault injection, seen through a real aiogram Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

from tgemu import TelegramEmulator
from tgemu.limits import FaultInjector, RateLimiter

TOKEN = "123456:TEST-TOKEN"
GROUP = -1001
USERS = range(101, 111)


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN)
    await emulator.start()
    for user_id in USERS:
        emulator.add_user(user_id, f"User{user_id}")
        emulator.send(user_id, user_id, "/start")
    emulator.add_group(GROUP, "Маркетинг", creator=101, with_bot=True)
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    tg_bot = emu.make_bot(timeout=0.5)
    yield tg_bot
    await (await tg_bot.session.create_session()).close()


async def test_private_chat_limit_answers_429_and_drops(emu: TelegramEmulator, bot: Bot) -> None:
    emu.set_limits(private_per_s=1.0)
    await bot.send_message(101, "one")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(101, "two")
    assert error.value.retry_after == 1
    assert error.value.message.endswith("Original description: Too Many Requests: retry after 1")
    await bot.send_message(102, "other chat is fine")
    assert [m.plain for m in emu.sent] == ["one", "other chat is fine"]
    assert (emu.stats.delivered, emu.stats.rejected_429) == (2, 1)


async def test_group_and_global_limits(emu: TelegramEmulator, bot: Bot) -> None:
    emu.set_limits(global_per_s=30, private_per_s=0, group_per_min=3)
    for i in range(3):
        await bot.send_message(GROUP, f"msg {i}")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(GROUP, "too many")
    assert 59 <= error.value.retry_after <= 60

    emu.set_limits(global_per_s=5, private_per_s=0, group_per_min=0)
    for user_id in list(USERS)[:5]:
        await bot.send_message(user_id, "broadcast")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(110, "broadcast")
    assert error.value.retry_after == 1

    emu.set_limits(None)
    for _ in range(10):
        await bot.send_message(110, "no limits")
    assert emu.stats.rejected_429 == 2


def test_rate_window_slides() -> None:
    now = [100.0]
    limiter = RateLimiter(
        global_per_s=None, private_per_s=2, group_per_min=20, clock=lambda: now[0]
    )
    assert limiter.acquire(7) is None and limiter.acquire(7) is None
    assert limiter.acquire(7) == 1
    now[0] += 1.01
    assert limiter.acquire(7) is None
    for _ in range(20):
        assert limiter.acquire(-5) is None
    now[0] += 30
    assert limiter.acquire(-5) == 30


async def test_seeded_5xx_faults_are_counted_and_not_delivered(
    emu: TelegramEmulator, bot: Bot
) -> None:
    emu.set_faults(error_5xx=0.3, seed=42)
    failed = []
    for i in range(40):
        try:
            await bot.send_message(101, f"#{i}")
        except TelegramServerError as error:
            assert error.message in ("Internal Server Error", "Bad Gateway")
            failed.append(i)
    assert 0 < len(failed) < 40
    assert emu.stats.faults_by_kind["error_5xx"] == len(failed)
    delivered = [m.plain for m in emu.sent]
    assert delivered == [f"#{i}" for i in range(40) if i not in failed]
    assert emu.stats.delivered == 40 - len(failed)
    # same seed, same sequence of outcomes
    again = FaultInjector(error_5xx=0.3, seed=42)
    assert [i for i in range(40) if again.draw("sendMessage")] == failed
    # getUpdates is exempt unless asked for
    assert await bot.get_updates(timeout=0)


async def test_timeout_and_drop_faults(emu: TelegramEmulator, bot: Bot) -> None:
    emu.set_faults(timeout=1.0, hang_seconds=5)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(101, "hangs")
    emu.set_faults(drop=1.0)
    with pytest.raises(TelegramNetworkError, match="Server disconnected"):
        await bot.send_message(101, "dropped")
    emu.set_faults(error_5xx=1.0, methods=["getUpdates"])
    with pytest.raises(TelegramServerError):
        await bot.get_updates(timeout=0)
    await bot.send_message(101, "send* is not in methods=")
    emu.set_faults()
    assert [m.plain for m in emu.sent] == ["send* is not in methods="]
    assert emu.stats.faults_by_kind == {"timeout": 1, "drop": 1, "error_5xx": 1}
