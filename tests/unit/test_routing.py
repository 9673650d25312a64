"""bot/routing.inline_filters: the same filter answers, without aiogram's thread hop."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Chat, Message

from bot.routing import inline_filters
from handlers import get_routers


def message(text: str | None, chat_type: str = "private", caption: str | None = None) -> Message:
    chat = Chat(id=1 if chat_type == "private" else -1, type=chat_type)
    return Message(message_id=1, date=datetime.now(UTC), chat=chat, text=text, caption=caption)


async def test_command_and_magic_filters_answer_as_before() -> None:
    router = Router()
    router.message.filter(F.chat.type == "private")
    router.message.register(lambda m: None, Command("report"), F.text)
    before = router.message.handlers[0].filters
    assert before is not None
    command, magic = before
    cases = ["/report", "  /report now", "/help", "report", "42", ""]
    expected = [
        (await command.call(message(t), bot=None), await magic.call(message(t))) for t in cases
    ]

    assert inline_filters(router) == 3
    root = router.message._handler.filters[0]
    assert command.awaitable and magic.awaitable and root.awaitable
    got = [(await command.call(message(t), bot=None), await magic.call(message(t))) for t in cases]
    assert got == expected
    assert got[1][0] == {"command": got[1][0]["command"]} and got[1][0]["command"].args == "now"
    assert await command.call(message(None, caption="/report"), bot=None)
    assert await root.call(message("x")) is True
    assert await root.call(message("x", "supergroup")) is False


def test_every_feature_filter_runs_in_the_loop() -> None:
    root = Router()
    root.include_routers(*get_routers())
    inline_filters(root)
    for router in root.chain_tail:
        for observer in router.observers.values():
            handlers = [observer._handler, *observer.handlers]
            for event_filter in (f for h in handlers for f in h.filters or ()):
                assert event_filter.awaitable, (router.name, event_filter.callback)
