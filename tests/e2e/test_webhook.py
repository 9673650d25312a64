"""Webhook mode: the real bot serves WEBHOOK_URL (aiohttp), registers it with the emulator with
a secret token, refuses requests without it, and acts once on an update delivered twice."""

from __future__ import annotations

from typing import Any

import aiohttp
from sqlalchemy import func, select

from bot.webhook import webhook_secret
from models.db import session_maker
from models.tables import ProcessedUpdate
from tests.support.app import bot_running, make_settings
from tests.support.webhook import SECRET_HEADER, Pusher, free_port
from tgemu import TelegramEmulator


def webhook_settings(emu: TelegramEmulator, database_url: str, port: int, **overrides: Any):
    return make_settings(
        emu,
        database_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_host="127.0.0.1",
        webhook_port=port,
        **overrides,
    )


async def test_webhook_mode_checks_the_secret_and_handles_updates_once(
    emu, database_url, clock
) -> None:
    emu.add_user(501, "Ирина", username="irina", language_code="ru")
    port = free_port()
    settings = webhook_settings(emu, database_url, port, webhook_secret="s3cret-Token_1")
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with (
        bot_running(emu, settings, clock=clock, tick_seconds=3600) as app,
        aiohttp.ClientSession() as http,
    ):
        assert app.webhook is not None and app.webhook.port == port
        assert emu.webhook is not None
        assert emu.webhook["url"] == url
        assert emu.webhook["secret_token"] == "s3cret-Token_1"
        async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert health.status == 200

        emu.send(501, 501, "/help")
        update = emu.queue.pending()[-1]
        for headers in ({}, {SECRET_HEADER: "wrong"}):
            async with http.post(url, json=update, headers=headers) as refused:
                assert refused.status == 401
        assert emu.messages(501) == []

        pusher = Pusher(emu, [url], "s3cret-Token_1")
        assert await pusher.push_pending(http) == 1
        answer = await emu.wait_for(501, timeout=5)
        assert answer.plain
        # Telegram delivers the same update again (say, the answer was lost): it acts once.
        assert await pusher.deliver(http, update) == url
        await emu.wait_idle()
        assert len(emu.messages(501)) == 1
        async with session_maker(app.engine)() as s:
            seen = await s.scalar(
                select(func.count()).where(ProcessedUpdate.update_id == update["update_id"])
            )
        assert seen == 1


async def test_without_webhook_secret_one_is_derived_from_the_token(emu, database_url, clock):
    port = free_port()
    settings = webhook_settings(emu, database_url, port)
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600):
        secret = emu.webhook["secret_token"]
    assert secret == webhook_secret(settings)
    assert len(secret) == 64 and settings.bot_token.get_secret_value() not in secret
    # Polling again removes the webhook (getUpdates would answer 409 otherwise).
    async with bot_running(emu, make_settings(emu, database_url), clock=clock, tick_seconds=3600):
        assert emu.webhook is None


def test_a_malformed_webhook_secret_is_refused_naming_the_setting(tmp_path) -> None:
    import subprocess
    import sys

    from tests.support.app import TOKEN

    env = {
        "PATH": "/usr/bin:/bin",
        "BOT_TOKEN": TOKEN,
        "WEBHOOK_URL": "https://bot.example.com/telegram",
        "WEBHOOK_SECRET": "not allowed: spaces",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "planerka: WEBHOOK_SECRET: expected 1-256 characters of A-Z, a-z, 0-9, _ and -"
    )
