"""Bot API method handlers; importing this package registers them all in METHODS."""

from tgemu.api import chats, forum, media, messages, service
from tgemu.api.registry import METHODS, api_method

__all__ = ["METHODS", "api_method", "chats", "forum", "media", "messages", "service"]
