"""Shared fixtures: a fresh database per test, the Bot API emulator, the real bot against it.

The suite runs on SQLite. With PLANERKA_TEST_DATABASE_URL (a PostgreSQL URL) it runs on
PostgreSQL instead, each test in its own database cloned from a migrated template; with
PLANERKA_TEST_REDIS_URL the bot's FSM storage is Redis.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.runtime import ManualClock
from models.db import create_engine, migrate, normalize_database_url, session_maker
from tests.support.app import PG_URL, TOKEN
from tgemu import TelegramEmulator

Clock = ManualClock


async def _admin_execute(statement: str) -> None:
    url = make_url(normalize_database_url(PG_URL or ""))
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    name = f"planerka_tpl_{os.getpid()}"

    async def create() -> None:
        await _admin_execute(f'DROP DATABASE IF EXISTS "{name}"')
        await _admin_execute(f'CREATE DATABASE "{name}"')
        engine = create_engine(_database(name))
        await migrate(engine)
        await engine.dispose()

    asyncio.run(create())
    yield name
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PLANERKA_TEST_DATABASE_TESTS_ONLY=1 (CI's second pass, on PostgreSQL and Redis): only the
    tests that use a database (the `database_url` fixture; every test of a server does). The
    others touch no database, and the first pass ran them."""
    if os.environ.get("PLANERKA_TEST_DATABASE_TESTS_ONLY") != "1":
        return
    keep: list[pytest.Item] = []
    others: list[pytest.Item] = []
    for item in items:
        (keep if "database_url" in item.fixturenames else others).append(item)
    config.hook.pytest_deselected(items=others)
    items[:] = keep


def _database(name: str) -> str:
    url = make_url(normalize_database_url(PG_URL or ""))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
async def database_url(tmp_path, pg_template: str | None) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    if pg_template is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'planerka.sqlite3'}"
        engine = create_engine(url)
        await migrate(engine)
        await engine.dispose()
        yield url
        return
    name = f"planerka_t_{uuid.uuid4().hex[:12]}"
    await _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _database(name)
    await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine):
    async with session_maker(engine)() as session:
        yield session


@pytest.fixture
def clock() -> Clock:
    # A Monday morning in Moscow: 2026-11-23 08:00 MSK.
    return Clock(datetime(2026, 11, 23, 5, 0, tzinfo=UTC))


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:

    emulator = TelegramEmulator(token=TOKEN, bot_username="planerka_bot", bot_name="Планёрка")
    await emulator.start()
    yield emulator
    await emulator.stop()
