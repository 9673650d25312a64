"""The test bot: its settings against the emulator, and the real bot running in the test's loop."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from core.config import Settings
from tgemu import TelegramEmulator

PG_URL = os.environ.get("PLANERKA_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("PLANERKA_TEST_REDIS_URL")
TOKEN = "123456:TEST-TOKEN-planerka"
# Telegram's per-chat flood limits off: core/delivery.py's own tests cover them, and a whole
# meeting in a test takes seconds.
UNPACED = {"delivery_group_per_min": 0, "delivery_private_per_s": 0}


def make_settings(emu: TelegramEmulator, database_url: str, **overrides) -> Settings:
    values = {
        "bot_token": TOKEN,
        "database_url": database_url,
        "telegram_api_url": emu.api_url,
        "redis_url": REDIS_URL,
        "log_level": "WARNING",
        **overrides,
    }
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def bot_running(emu: TelegramEmulator, settings: Settings, **kwargs) -> AsyncIterator:
    """bot.app.running, with the emulator told when the bot is busy (for wait_idle)."""
    from bot.app import running

    async with running(settings, **kwargs) as app:
        emu.bot_busy = app.busy
        try:
            yield app
        finally:
            emu.bot_busy = None
