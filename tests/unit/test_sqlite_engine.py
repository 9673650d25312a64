"""The SQLite engine: one trip to aiosqlite's thread per statement (models/sqlite.py) with the
results SQLAlchemy expects, and a pool that rolls a connection back on its return only when a
transaction is still open on it (after a commit there is nothing to roll back)."""

from __future__ import annotations

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from models.db import create_engine


async def test_each_statement_is_one_trip_and_reads_what_it_ran(tmp_path, monkeypatch):
    engine = create_engine(f"sqlite:///{tmp_path / 'trips.db'}")
    trips: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips.append(fn.__name__)
        return await real(self, fn, *args, **kwargs)

    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER UNIQUE)"))
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
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
        assert trips.count("_one_trip") == 4  # the four statements, one trip each
        assert len(trips) == 5  # and the commit
        async with engine.connect() as conn:
            with pytest.raises(IntegrityError):
                await conn.execute(text("INSERT INTO t (x) VALUES (10)"))
    finally:
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
