"""SQLite's update-id check (bot/middlewares.DbSessionMiddleware): an id above every id stored
and seen is handled without a lookup; a repeated one, a lower one (Telegram's random restart of
ids after a week's silence) and, after a restart, an id stored before are looked up."""

from __future__ import annotations

from aiogram.types import Update
from sqlalchemy import event

from bot.middlewares import DbSessionMiddleware
from models.db import create_engine, migrate, session_maker


def update(update_id: int) -> Update:
    return Update.model_validate({"update_id": update_id})


async def test_only_ids_not_above_the_highest_are_looked_up(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'ids.sqlite3'}")
    await migrate(engine)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    handled: list[int] = []

    async def handler(event_: Update, data: dict) -> None:
        handled.append(event_.update_id)

    def lookups() -> int:
        found = sum("max(" in s.lower() or "WHERE processed_updates" in s for s in statements)
        statements.clear()
        return found

    try:
        middleware = DbSessionMiddleware(session_maker(engine))
        await middleware(handler, update(100), {})
        assert lookups() == 1  # the highest id stored, read once
        for update_id in (101, 102, 500):
            await middleware(handler, update(update_id), {})
        assert lookups() == 0  # above the highest: new without a lookup
        await middleware(handler, update(101), {})  # delivered again
        await middleware(handler, update(7), {})  # a lower id never seen
        assert lookups() == 2
        assert handled == [100, 101, 102, 500, 7]

        restarted = DbSessionMiddleware(session_maker(engine))  # a new process
        await restarted(handler, update(500), {})
        await restarted(handler, update(501), {})
        assert handled == [100, 101, 102, 500, 7, 501]
        assert restarted.highest == 501
    finally:
        await engine.dispose()
