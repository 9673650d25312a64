"""The router tree made cheap to walk: an update passes every router's filters (some 40 for a
private text) until one handler takes it, so each check must cost next to nothing.

- aiogram runs a filter that isn't a coroutine (every `F.…` magic filter) through
  `asyncio.to_thread`: a thread hop per check. A magic filter only reads the event's fields,
  so `inline_filters` makes it run in the event loop.
- A `Command` filter parses the text and raises to say no; for a text that can't be a command
  (it doesn't start with the filter's prefix) it now says no at once. Same answers as before.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from aiogram import Bot, Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.filters import Command
from aiogram.types import Message


def inline_filters(root: Router) -> int:
    """Rewrites the filters of `root` and every router under it; returns how many."""
    changed = 0
    for event_filter in _filters(root):
        if event_filter.magic is not None and not event_filter.awaitable:
            event_filter.callback = _inline(event_filter.magic.resolve)
            event_filter.awaitable = True
            changed += 1
        elif isinstance(event_filter.callback, Command):
            event_filter.callback = _quick_command(event_filter.callback)
            changed += 1
    return changed


def _filters(root: Router) -> Iterator[FilterObject]:
    for router in root.chain_tail:
        for observer in router.observers.values():
            # A router's own filters (router.message.filter(...)) live on its root handler.
            yield from observer._handler.filters or ()
            for handler in observer.handlers:
                yield from handler.filters or ()


def _inline(resolve: Callable[[Any], Any]) -> Callable[[Any], Coroutine[Any, Any, Any]]:
    async def value_filter(value: Any) -> Any:
        return resolve(value)

    return value_filter


def _quick_command(
    command: Command,
) -> Callable[[Message, Bot], Coroutine[Any, Any, bool | dict[str, Any]]]:
    prefix = command.prefix

    async def command_filter(message: Message, bot: Bot) -> bool | dict[str, Any]:
        if isinstance(message, Message):
            text = (message.text or message.caption or "").lstrip()
            if not text or text[0] not in prefix:
                return False
        return await command(message, bot)

    return command_filter
