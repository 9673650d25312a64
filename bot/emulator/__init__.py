"""Offline Telegram Bot API emulator for tests and the demo.

Start it with `await emu.start()`, then point aiogram at `emu.api_url`
(or take `emu.make_bot()`, a Bot with a real AiohttpSession).
"""

from bot.emulator.emulator import TelegramEmulator
from bot.emulator.errors import ApiError
from bot.emulator.limits import Stats
from bot.emulator.transcript import Event, format_event, print_event
from bot.emulator.world import Chat, SentMessage, User, UserMessage

__all__ = [
    "ApiError",
    "Chat",
    "Event",
    "SentMessage",
    "Stats",
    "TelegramEmulator",
    "User",
    "UserMessage",
    "format_event",
    "print_event",
]
