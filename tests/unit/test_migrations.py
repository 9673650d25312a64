"""Every migration runs up and down, on SQLite and (in CI) on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from models.db import downgrade, migrate
from models.tables import Base


async def tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_up_down_up(engine):
    await migrate(engine)
    assert set(Base.metadata.tables) <= await tables(engine)
    await downgrade(engine, "base")
    assert not (set(Base.metadata.tables) & await tables(engine))
    await migrate(engine)
    assert set(Base.metadata.tables) <= await tables(engine)


async def test_models_match_migrations(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    await migrate(engine)

    def diff(conn):
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
