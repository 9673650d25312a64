"""Work that must not run twice at once across replicas: a PostgreSQL advisory lock.

The lock is taken inside a transaction on a connection of its own (`pg_advisory_xact_lock`),
so it is released when the work ends — and by PostgreSQL itself when the holder's process dies.
On SQLite (one process, the embedded default) there is nothing to coordinate: a no-op.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker


def lock_key(name: str) -> int:
    """A stable 63-bit key for a lock name."""
    return zlib.crc32(f"planerka:{name}".encode()) | (0x504C4E << 32)


def uses_postgresql(sessionmaker: async_sessionmaker) -> bool:
    bind = sessionmaker.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


@contextlib.asynccontextmanager
async def exclusive(
    sessionmaker: async_sessionmaker, key: int, *, wait: bool = True
) -> AsyncIterator[bool]:
    """Hold the lock `key` for the block. Yields True when held; with wait=False yields False
    at once if another holder has it."""
    if not uses_postgresql(sessionmaker):
        yield True
        return
    async with sessionmaker() as session, session.begin():
        if wait:
            await session.execute(select(func.pg_advisory_xact_lock(key)))
            held = True
        else:
            held = bool(await session.scalar(select(func.pg_try_advisory_xact_lock(key))))
        yield held
