"""Start-up never waits on extras (issue 12, finding 16): against a Bot API server that doesn't
know setMyCommands, or answers it with a proxy's HTML error page, the bot answers /start and
/help at once; the odd answer is logged once and is never fatal."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from tests.support.app import bot_running, make_settings
from tests.support.checkins import plain, say

ANNA = 11


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("404 page not found", 404, "text/plain"),  # a third-party server lacking the method
        ("<html><body><h1>502 Bad Gateway</h1></body></html>", 502, "text/html"),  # a proxy
        ("{not json", 200, "application/json"),
    ],
)
async def test_the_bot_answers_at_once_whatever_set_my_commands_returns(
    emu, database_url, clock, caplog, recwarn, body, status, content_type
):
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.garble_method("setMyCommands", body=body, status=status, content_type=content_type)
    # The delivery layer's usual retries (8 attempts, backoff up to 30 s) stay in place.
    settings = make_settings(emu, database_url, delivery_max_attempts=8, delivery_backoff_s=5)
    caplog.set_level(logging.WARNING)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as app:
        assert "Привет" in plain(await say(emu, ANNA, "/start", timeout=5))
        assert "/report" in plain(await say(emu, ANNA, "/help", timeout=5))
        assert loop.time() - started < 5  # no waiting on the menu
        assert not app.extras.done() or app.extras.result() is False
    assert app.extras.cancelled() or app.extras.result() is False
    # the menu button waiting behind the cancelled menu was never even started (issue 13:
    # before, its eagerly made coroutine was dropped: "coroutine ... was never awaited")
    gc.collect()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


async def test_an_unknown_method_answer_is_logged_once_and_not_fatal(
    emu, database_url, clock, caplog
):
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.garble_method("setMyCommands", body="404 page not found", status=404,
                      content_type="text/plain")  # fmt: skip
    settings = make_settings(emu, database_url, delivery_max_attempts=2, delivery_backoff_s=0.01)
    caplog.set_level(logging.WARNING, logger="bot.commands")
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as app:
        assert await app.extras is False
        assert "/report" in plain(await say(emu, ANNA, "/help"))
    menu = [r for r in caplog.records if r.name == "bot.commands"]
    assert len(menu) == 1 and "unexpected answer" in menu[0].getMessage()
