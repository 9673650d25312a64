"""Offline Telegram Bot API emulator for tests and the demo.

Start it with `await emu.start()`, then point aiogram at `emu.api_url`
(or take `emu.make_bot()`, a Bot with a real AiohttpSession).
"""

from tgemu.emulator import TelegramEmulator
from tgemu.errors import ApiError
from tgemu.limits import Stats
from tgemu.transcript import Event, format_event, print_event
from tgemu.world import Chat, SentMessage, User, UserMessage

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
