"""End-to-end fixtures: the real bot (aiogram over HTTP) polling the emulator."""

from __future__ import annotations

import pytest

from tests.conftest import Clock
from tests.support.app import bot_running, make_settings
from tgemu import TelegramEmulator


@pytest.fixture
async def app(
    request: pytest.FixtureRequest, emu: TelegramEmulator, database_url: str, clock: Clock
):
    """The real bot, polling the emulator in this event loop. A test module may override
    settings with a module-level BOT_SETTINGS dict (e.g. UNPACED)."""
    overrides = getattr(request.module, "BOT_SETTINGS", {})
    settings = make_settings(emu, database_url, **overrides)
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as app:
        yield app
