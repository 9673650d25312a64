"""Registry of emulated Bot API methods (names are case-insensitive, like Telegram's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator
    from tgemu.params import Params

Handler = Callable[["TelegramEmulator", "Params"], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, handler)
        return handler

    return register
