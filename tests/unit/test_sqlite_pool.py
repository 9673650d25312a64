"""The SQLite engine's pool rolls a connection back on its return only when a transaction is
still open on it (after a commit there is nothing to roll back: no trip to aiosqlite's thread)."""

from __future__ import annotations

from sqlalchemy import text

from models.db import create_engine


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
