"""`planerka db copy --from URL --to URL`: the whole database — every team's history — from one
database into a new, empty one (typically the embedded SQLite file into PostgreSQL).

Every table is copied in foreign-key order inside one transaction on each side (the source is
read as one snapshot; the target gets all or nothing), PostgreSQL id sequences are moved past
the copied ids, and then each table's row count and a checksum of its rows (every column, rows
in primary-key order) are computed again on both sides and compared. Stop the bot first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models import tables as schema
from models.db import alembic_config, create_engine, migrate, normalize_database_url, sqlite_path

BATCH = 1000


class CopyError(Exception):
    """Why the copy was refused or failed; the target is left without copied rows."""


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    checksum: str


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(schema.Base.metadata.sorted_tables)


def _canon(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


async def check_table(conn: AsyncConnection, table: Table) -> TableCheck:
    digest = hashlib.sha256()
    rows = 0
    result = await conn.stream(select(table).order_by(*table.primary_key.columns))
    async for row in result:
        digest.update(json.dumps([_canon(v) for v in row], ensure_ascii=False).encode())
        digest.update(b"\n")
        rows += 1
    return TableCheck(table.name, rows, digest.hexdigest())


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision(sync: Connection) -> str | None:
    return MigrationContext.configure(sync).get_current_revision()


def _row_counts(sync: Connection) -> dict[str, int]:
    present = set(inspect(sync).get_table_names())
    counts = {}
    for table in tables():
        if table.name in present:
            counts[table.name] = sync.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


async def _check_source(engine: AsyncEngine, url: str) -> None:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise CopyError(f"--from: no such SQLite file {path}")
    try:
        async with engine.connect() as conn:
            revision = await conn.run_sync(_revision)
    except Exception as error:
        raise CopyError(f"--from: the database can't be opened ({error})") from error
    head = _head_revision()
    if revision != head:
        raise CopyError(
            f"--from: the schema is at revision {revision or 'none'}, not {head}; "
            "run `planerka migrate` with DATABASE_URL set to it first"
        )


async def _check_target(engine: AsyncEngine) -> None:
    try:
        async with engine.connect() as conn:
            counts = await conn.run_sync(_row_counts)
    except Exception as error:
        raise CopyError(f"--to: the database can't be opened ({error})") from error
    filled = {name: n for name, n in counts.items() if n}
    if filled:
        listed = ", ".join(f"{name}: {n}" for name, n in sorted(filled.items()))
        raise CopyError(
            f"--to: the target database is not empty ({listed}); "
            "copy only into a new, empty database"
        )


async def _move_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL hands out ids from sequences: start them after the copied ids."""
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].autoincrement is False:
            continue
        column = pk[0].name
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) '
                f'FROM "{table.name}"'
            )
        )


async def _copy_rows(source: AsyncConnection, target: AsyncConnection, table: Table) -> int:
    copied = 0
    batch: list[dict[str, Any]] = []
    result = await source.stream(select(table).order_by(*table.primary_key.columns))
    async for row in result:
        batch.append(dict(row._mapping))
        if len(batch) >= BATCH:
            await target.execute(table.insert(), batch)
            copied += len(batch)
            batch = []
    if batch:
        await target.execute(table.insert(), batch)
        copied += len(batch)
    return copied


async def copy_database(
    source_url: str, target_url: str, say: Callable[[str], None] = lambda _: None
) -> list[TableCheck]:
    """Copy and verify; the verified per-table counts and checksums, or CopyError."""
    source_url, target_url = normalize_database_url(source_url), normalize_database_url(target_url)
    if source_url == target_url:
        raise CopyError("--from and --to name the same database")
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        await _check_source(source, source_url)
        await _check_target(target)
        await migrate(target)
        async with source.connect() as src, target.begin() as dst:
            for table in tables():
                say(f"{table.name}: {await _copy_rows(src, dst, table)} rows")
            if target.dialect.name == "postgresql":
                await _move_sequences(dst)
        return await verify(source, target)
    except CopyError:
        raise
    except Exception as error:
        raise CopyError(f"the copy failed and was rolled back: {error}") from error
    finally:
        await source.dispose()
        await target.dispose()


async def verify(source: AsyncEngine, target: AsyncEngine) -> list[TableCheck]:
    async with source.connect() as src, target.connect() as dst:
        checks = []
        for table in tables():
            mine, theirs = await check_table(src, table), await check_table(dst, table)
            if mine != theirs:
                raise CopyError(
                    f"verification failed for {table.name}: source {mine.rows} rows "
                    f"({mine.checksum[:12]}), target {theirs.rows} rows ({theirs.checksum[:12]})"
                )
            checks.append(mine)
    return checks


def run_copy(source_url: str, target_url: str) -> int:
    """The CLI: prints what it copied and verified; exit status 0, or 2 with the reason."""
    import asyncio
    import sys

    try:
        checks = asyncio.run(copy_database(source_url, target_url, say=print))
    except CopyError as error:
        print(f"planerka: db copy: {error}", file=sys.stderr)
        return 2
    for check in checks:
        print(f"verified {check.table}: {check.rows} rows, sha256 {check.checksum[:16]}")
    total = sum(check.rows for check in checks)
    print(f"copied and verified {total} rows in {len(checks)} tables: nothing lost")
    return 0
