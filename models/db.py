"""Engine, sessions and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState

MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_database_url(url: str) -> str:
    """Accept plain sqlite:// and postgresql:// URLs and pick the async drivers."""
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    if not url.startswith(prefix) or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix(prefix))


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = normalize_database_url(url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite+aiosqlite"):
        from models import sqlite as on_loop

        # Statements on the loop's thread (models/sqlite.py): they never wait for a lock there.
        kwargs.setdefault("module", on_loop.dbapi())
        kwargs.setdefault("connect_args", {"timeout": 0, "check_same_thread": False})
    elif path is not None:
        kwargs.setdefault("connect_args", {"timeout": 30})
    if url.startswith("sqlite"):
        kwargs.setdefault("pool_reset_on_return", None)  # _sqlite_reset instead
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if kwargs["pool_reset_on_return"] is None:
            event.listen(engine.sync_engine.pool, "reset", _sqlite_reset)
    return engine


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """A connection back in the pool is rolled back only if a transaction is still open (after
    a commit, most of the time, there is nothing to roll back)."""
    if state.terminate_only or not state.asyncio_safe:
        return
    if dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: a commit doesn't wait for the disk (the WAL is synced at
    checkpoints), which makes it ~6 ms cheaper here. A killed process loses nothing; a power
    cut or an OS crash may lose the last commits, never the database's consistency."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upsert_insert(session: AsyncSession, table: type | Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT with ON CONFLICT clauses, for the session's dialect (SQLite or PostgreSQL)."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def session_maker(engine: AsyncEngine) -> async_sessionmaker:
    from models import due

    due.install()
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` (upgrade)."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
