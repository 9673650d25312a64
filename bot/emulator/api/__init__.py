"""Bot API method handlers; importing this package registers them all in METHODS."""

from bot.emulator.api import chats, media, messages, service
from bot.emulator.api.registry import METHODS, api_method

__all__ = ["METHODS", "api_method", "chats", "media", "messages", "service"]
