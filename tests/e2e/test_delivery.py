"""The outgoing path (core/delivery.py) with a real aiogram Bot against the emulator playing
Telegram's flood limits and faults, and the real database for 403 marks."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramServerError,
)
from sqlalchemy import select

from core.config import Settings
from core.delivery import DeliveryMiddleware, Limits, RateLimiter, Window, delivery_of
from models.db import session_maker
from models.tables import User
from tgemu import TelegramEmulator

TOKEN = "123456:TEST-TOKEN-planerka"
GROUP = -1001
USERS = list(range(101, 131))


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": TOKEN,
        "delivery_backoff_s": 0.01,
        "delivery_timeout_s": 0.5,
        # Telegram's real limits would space each retry to a private chat a second apart.
        "delivery_private_per_s": 50,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN)
    await emulator.start()
    for user_id in USERS:
        emulator.add_user(user_id, f"User{user_id}")
        emulator.send(user_id, user_id, "/start")
    emulator.add_user(200, "Never started")
    emulator.add_group(GROUP, "Маркетинг", creator=101, with_bot=True)
    yield emulator
    await emulator.stop()


def make_bot(emu_or_url: TelegramEmulator | str, cfg: Settings, sessionmaker=None) -> Bot:
    url = emu_or_url if isinstance(emu_or_url, str) else emu_or_url.api_url
    session = AiohttpSession(api=TelegramAPIServer.from_base(url), timeout=cfg.delivery_timeout_s)
    tg_bot = Bot(TOKEN, session=session)
    tg_bot.session.middleware(DeliveryMiddleware(cfg, sessionmaker, seed=1))
    return tg_bot


@pytest.fixture
async def bots() -> AsyncIterator[list[Bot]]:
    made: list[Bot] = []
    yield made
    for tg_bot in made:
        await tg_bot.session.close()


def received(emu: TelegramEmulator) -> Counter[tuple[int, str]]:
    return Counter((m.chat_id, m.plain or "") for m in emu.sent)


async def test_broadcast_within_limits_gets_no_429_and_keeps_order(emu, bots) -> None:
    emu.set_limits(global_per_s=20, private_per_s=4, group_per_min=6)
    # The overall rate a little under the server's: the test's one event loop runs both sides,
    # and a late-handled request could otherwise look early to the emulator.
    cfg = settings(delivery_global_per_s=18, delivery_private_per_s=4, delivery_group_per_min=6)
    tg_bot = make_bot(emu, cfg)
    bots.append(tg_bot)

    async def to_user(user_id: int) -> None:
        for i in range(3):
            await tg_bot.send_message(user_id, f"q{i}")

    # A group's window is a minute long: its six slots are used at once, then it must wait.
    group_sends = [tg_bot.send_message(GROUP, f"g{i}") for i in range(6)]
    await asyncio.gather(*(to_user(u) for u in USERS[:12]), *group_sends)

    assert emu.stats.rejected_429 == 0
    assert emu.stats.delivered == 12 * 3 + 6
    for user_id in USERS[:12]:
        assert [m.plain for m in emu.messages(user_id)] == ["q0", "q1", "q2"]
    assert [m.plain for m in emu.messages(GROUP)] == [f"g{i}" for i in range(6)]


async def test_retry_after_is_honoured_per_chat_and_globally(emu, bots) -> None:
    # The bot's own limits are off: every 429 of the emulator must be waited out and retried.
    # No faults here, so a generous timeout: on a loaded machine a 0.5 s one could expire on an
    # answer on its way, and the (uncertain) retry would deliver the message twice.
    cfg = settings(
        delivery_global_per_s=0,
        delivery_private_per_s=0,
        delivery_group_per_min=0,
        delivery_timeout_s=10,
    )
    tg_bot = make_bot(emu, cfg)
    bots.append(tg_bot)

    emu.set_limits(global_per_s=100, private_per_s=1, group_per_min=0)
    await asyncio.gather(*(tg_bot.send_message(101, f"m{i}") for i in range(3)))
    assert [m.plain for m in emu.messages(101)] == ["m0", "m1", "m2"]
    assert emu.stats.rejected_429 >= 2

    before = emu.stats.rejected_429
    emu.set_limits(global_per_s=5, private_per_s=0, group_per_min=0)
    await asyncio.gather(*(tg_bot.send_message(u, "all") for u in USERS[:12]))
    assert emu.stats.rejected_429 > before
    assert received(emu) == Counter({(101, "m0"): 1, (101, "m1"): 1, (101, "m2"): 1}) + Counter(
        {(u, "all"): 1 for u in USERS[:12]}
    )


async def test_faults_are_retried_and_each_message_arrives_once_in_order(emu, bots) -> None:
    emu.set_faults(error_5xx=0.2, timeout=0.1, drop=0.1, seed=7, hang_seconds=3)
    tg_bot = make_bot(emu, settings(delivery_max_attempts=20))
    bots.append(tg_bot)

    async def to_user(user_id: int) -> None:
        for i in range(3):
            await tg_bot.send_message(user_id, f"{user_id}:{i}")

    await asyncio.gather(*(to_user(u) for u in USERS[:20]))

    faults = emu.stats.faults_by_kind
    assert faults["error_5xx"] > 0 and faults["drop"] > 0 and faults["timeout"] > 0
    for user_id in USERS[:20]:
        assert [m.plain for m in emu.messages(user_id)] == [f"{user_id}:{i}" for i in range(3)]
    assert emu.stats.delivered == 60


async def test_retries_are_bounded(emu, bots, caplog) -> None:
    emu.set_faults(error_5xx=1.0)
    tg_bot = make_bot(emu, settings(delivery_max_attempts=4))
    bots.append(tg_bot)
    with caplog.at_level(logging.WARNING, "core.delivery"), pytest.raises(TelegramServerError):
        await tg_bot.send_message(101, "never")
    assert emu.stats.calls_by_method["sendMessage"] == 4
    assert emu.stats.delivered == 0
    assert "not delivered after 4 attempt(s): sendMessage chat=101 'never'" in caplog.text


async def test_uncertain_failures_follow_the_setting(emu, bots) -> None:
    emu.set_faults(drop=1.0, methods=["sendMessage", "getChat"])
    careful = make_bot(emu, settings(delivery_retry_uncertain=False, delivery_max_attempts=3))
    eager = make_bot(emu, settings(delivery_retry_uncertain=True, delivery_max_attempts=3))
    bots.extend([careful, eager])

    with pytest.raises(TelegramNetworkError):
        await careful.send_message(101, "once")
    assert emu.stats.calls_by_method["sendMessage"] == 1
    # A method that creates nothing is repeated even when the outcome is unknown.
    with pytest.raises(TelegramNetworkError):
        await careful.get_chat(101)
    assert emu.stats.calls_by_method["getChat"] == 3
    with pytest.raises(TelegramNetworkError):
        await eager.send_message(101, "thrice")
    assert emu.stats.calls_by_method["sendMessage"] == 1 + 3


async def test_connection_refused_is_retried_even_when_careful(bots, caplog) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = settings(delivery_retry_uncertain=False, delivery_max_attempts=3)
    tg_bot = make_bot(f"http://127.0.0.1:{port}", cfg)
    bots.append(tg_bot)
    with caplog.at_level(logging.WARNING, "core.delivery"), pytest.raises(TelegramNetworkError):
        await tg_bot.send_message(101, "nobody listens")
    assert caplog.text.count("failed, retry in") == 2
    assert "not delivered after 3 attempt(s)" in caplog.text


async def test_403_marks_the_user_and_is_raised(emu, bots, engine) -> None:
    maker = session_maker(engine)
    async with maker() as session:
        for user_id in (101, 102, 200):
            session.add(User(id=user_id, full_name=str(user_id), started=True, blocked=False))
        await session.commit()
    tg_bot = make_bot(emu, settings(), maker)
    bots.append(tg_bot)
    emu.block_bot(101)

    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await tg_bot.send_message(101, "hello")
    with pytest.raises(TelegramForbiddenError, match="can't initiate"):
        await tg_bot.send_message(200, "hello")
    await tg_bot.send_message(102, "hello")
    middleware = delivery_of(tg_bot)
    assert middleware is not None
    await middleware.flush()

    async with maker() as session:
        rows = {u.id: (u.started, u.blocked) for u in await session.scalars(select(User))}
    assert rows == {101: (True, True), 102: (True, False), 200: (False, False)}
    assert emu.stats.calls_by_method["sendMessage"] == 3  # a 403 is not retried


async def test_other_errors_are_logged_with_context(emu, bots, caplog) -> None:
    tg_bot = make_bot(emu, settings())
    bots.append(tg_bot)
    with caplog.at_level(logging.WARNING, "core.delivery"), pytest.raises(TelegramBadRequest):
        await tg_bot.send_message(999, "to nowhere")
    assert "sendMessage chat=999 'to nowhere' refused" in caplog.text
    assert "chat not found" in caplog.text
    assert emu.stats.calls_by_method["sendMessage"] == 1


def test_sliding_windows_match_telegram_limits() -> None:
    now = [0.0]
    limiter = RateLimiter(Limits(30, 1, 20), clock=lambda: now[0])
    group = Window(20, 60)
    for _ in range(20):
        assert group.wait_time(now[0]) == 0
        group.hit(now[0])
    assert 60 < group.wait_time(now[0]) < 63
    now[0] = 63.0
    assert group.wait_time(now[0]) == 0
    private = limiter._new_window(5)
    assert private is not None and private.capacity == 1 and 1.0 < private.period < 1.1
    assert limiter._new_window(-5) is not None and limiter._new_window(-5).capacity == 20
    off = RateLimiter(Limits(0, 0, 0))
    assert off._global is None and off._new_window(5) is None and off._new_window(-5) is None


async def test_the_bot_of_the_app_sends_through_the_middleware(app) -> None:
    middleware = delivery_of(app.runtime.bot)
    assert middleware is not None
    assert middleware.limiter.limits == Limits(30, 1, 20)


async def test_a_member_found_unreachable_by_any_send_shows_in_status(emu, database_url, clock):
    from tests.support.checkins import ANNA, BORIS, GROUP, LEAD, quick_app, team_ready

    async with quick_app(emu, database_url, clock) as running_app:
        await team_ready(emu, joiners=(ANNA, BORIS))
        # Анна blocks the bot without the bot hearing of it (no my_chat_member update)...
        emu.world.user(ANNA).blocked = True
        with pytest.raises(TelegramForbiddenError):
            await running_app.runtime.bot.send_message(ANNA, "Напоминание")
        middleware = delivery_of(running_app.runtime.bot)
        assert middleware is not None
        await middleware.flush()
        # ...and the lead sees it in /status.
        emu.send(LEAD, GROUP, "/status")
        status = await emu.wait_for(GROUP, "Анна", timeout=5)
    assert "Анна (заблокировал бота)" in status.plain
    assert "Борис (заблокировал бота)" not in status.plain
