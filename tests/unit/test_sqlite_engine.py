"""The SQLite engine: statements and commits run on the event loop's thread (models/sqlite.py)
with the results SQLAlchemy expects; a statement that finds the database locked waits in
aiosqlite's thread while the loop goes on; and a pool that rolls a connection back on its return
only when a transaction is still open on it (after a commit there is nothing to roll back)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from models import sqlite as on_loop
from models.db import create_engine


async def test_statements_and_commits_run_on_the_loop_thread_and_read_what_they_ran(
    tmp_path, monkeypatch
):
    engine = create_engine(f"sqlite:///{tmp_path / 'trips.db'}")
    trips: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips.append(fn.__name__)
        return await real(self, fn, *args, **kwargs)

    threads: set[int] = set()
    statement = on_loop._statement

    def where(*args):
        threads.add(threading.get_ident())
        return statement(*args)

    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER UNIQUE)"))
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        monkeypatch.setattr(on_loop, "_statement", where)
        async with engine.begin() as conn:
            inserted = await conn.execute(text("INSERT INTO t (x) VALUES (10), (20)"))
            assert inserted.rowcount == 2
            one = await conn.execute(text("INSERT INTO t (x) VALUES (30)"))
            assert one.lastrowid == 3
            changed = await conn.execute(text("UPDATE t SET x = x + 1 WHERE x > 15"))
            assert changed.rowcount == 2
            rows = await conn.execute(text("SELECT id, x FROM t ORDER BY id"))
            assert list(rows.keys()) == ["id", "x"]
            assert [tuple(r) for r in rows] == [(1, 10), (2, 21), (3, 31)]
        assert trips == []  # nothing went to aiosqlite's thread, the commit neither
        assert threads == {threading.get_ident()}
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 3  # committed
            with pytest.raises(IntegrityError):
                await conn.execute(text("INSERT INTO t (x) VALUES (10)"))
    finally:
        await engine.dispose()


async def locked_by_another(path: Path) -> tuple[AsyncEngine, sqlite3.Connection]:
    """The engine on a database with a table t, and another connection holding its write lock
    (BEGIN IMMEDIATE, as another process would)."""
    engine = create_engine(f"sqlite:///{path}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return engine, other


async def test_a_write_that_finds_the_database_locked_waits_off_the_loop(tmp_path):
    """Another process holds the write lock: the bot's write waits for it in aiosqlite's thread,
    the loop keeps running meanwhile, and the write lands once the lock is released."""
    engine, other = await locked_by_another(tmp_path / "locked.db")
    try:
        other.execute("INSERT INTO t VALUES (1)")
        ticks = 0

        async def loop_runs() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        async def write() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (2)"))

        ticker = asyncio.create_task(loop_runs())
        writing = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        assert not writing.done()  # still waiting for the lock…
        assert ticks >= 10  # …and the loop was not blocked by it
        other.execute("COMMIT")
        await asyncio.wait_for(writing, 10)
        ticker.cancel()
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT x FROM t ORDER BY x"))
            assert [r[0] for r in rows] == [1, 2]
            # the connection is back at "never wait on the loop's thread"
            timeout = await conn.execute(text("PRAGMA busy_timeout"))
            assert timeout.scalar() == 0
    finally:
        other.close()
        await engine.dispose()


async def test_a_lock_held_past_the_patience_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(on_loop, "PATIENCE_MS", 200)
    engine, other = await locked_by_another(tmp_path / "stuck.db")
    try:
        with pytest.raises(OperationalError, match="locked"):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (2)"))
        other.execute("ROLLBACK")
        async with engine.begin() as conn:  # the engine goes on once the lock is gone
            await conn.execute(text("INSERT INTO t VALUES (3)"))
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 1
    finally:
        other.close()
        await engine.dispose()


async def test_a_transaction_left_open_is_rolled_back_when_the_connection_returns(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            await conn.commit()
            await driver.execute("INSERT INTO t VALUES (1)")  # behind SQLAlchemy's back
            assert driver.in_transaction
        assert not driver.in_transaction
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_a_committed_connection_returns_without_a_rollback(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    calls: list[str] = []
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            real = driver.rollback

            async def rollback() -> None:
                calls.append("rollback")
                await real()

            driver.rollback = rollback
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
            await conn.commit()
        assert calls == []
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 1
    finally:
        await engine.dispose()
