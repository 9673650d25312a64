"""FSM on the machine's real Redis when REDIS_URL is set: a UI step begun on one bot instance
is continued by another (a second replica, or the same bot after a restart)."""

from __future__ import annotations

import os
import random

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage

from bot.app import build_storage
from handlers.tasks import TaskDue
from tests.support.app import REDIS_URL, bot_running, make_settings
from views.i18n import I18n


def needs_redis() -> str:
    if REDIS_URL:
        return REDIS_URL
    if os.environ.get("PLANERKA_REQUIRE_SERVERS") == "1":
        pytest.fail("PLANERKA_TEST_REDIS_URL is required (PLANERKA_REQUIRE_SERVERS=1)")
    pytest.skip("PLANERKA_TEST_REDIS_URL is not set")


async def test_storage_follows_redis_url(emu, database_url) -> None:
    assert isinstance(
        build_storage(make_settings(emu, database_url, redis_url=None)), MemoryStorage
    )
    url = needs_redis()
    storage = build_storage(make_settings(emu, database_url, redis_url=url))
    try:
        assert isinstance(storage, RedisStorage)
        key = StorageKey(bot_id=1, chat_id=-7, user_id=random.randint(10**9, 2 * 10**9))
        await storage.set_data(key, {"seen": True})
        other = RedisStorage.from_url(url)  # what a second replica builds
        assert await other.get_data(key) == {"seen": True}
        await other.set_data(key, {})
        await other.close()
    finally:
        await storage.close()


async def test_a_step_begun_on_one_instance_is_continued_on_the_next(
    emu, database_url, clock
) -> None:
    url = needs_redis()
    user_id = random.randint(10**9, 2 * 10**9)  # the test Redis database may be shared
    emu.add_user(user_id, "Ирина", language_code="ru")
    emu.send(user_id, user_id, "/start")
    emu.queue.drop_pending()
    settings = make_settings(emu, database_url, redis_url=url)

    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as first:
        assert isinstance(first.dispatcher.storage, RedisStorage)
        context = first.dispatcher.fsm.get_context(first.runtime.bot, user_id, user_id)
        await context.set_state(TaskDue.date)
        await context.update_data(task_id=42, prompt_id=1)

    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as second:
        context = second.dispatcher.fsm.get_context(second.runtime.bot, user_id, user_id)
        assert await context.get_state() == TaskDue.date.state
        assert await context.get_data() == {"task_id": 42, "prompt_id": 1}
        # The step is routed by the state the first instance stored: /cancel ends it.
        emu.send(user_id, user_id, "/cancel")
        answer = await emu.wait_for(user_id, timeout=5)
        assert answer.plain == I18n().get("ru")("task.due_unchanged")
        await emu.wait_idle()
        assert await context.get_state() is None
