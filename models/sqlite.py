"""SQLAlchemy's aiosqlite adapter with the statements run on the event loop's thread.

aiosqlite runs each call in a thread of its own: put on a queue, picked up, answered through the
loop's self-pipe. For the bot's statements — tens of microseconds of SQL in WAL mode — that hand-
off is the cost: ~10 context switches and the GIL passed back and forth per statement, several
times what SQLite itself does. So a statement (and a commit, a rollback) runs right here, on the
loop's thread, with the connection's busy timeout at 0: it never waits for a lock there. When
another connection holds the write lock (a transaction of another update, another process), the
statement is handed to aiosqlite's thread, which waits for the lock as long as PATIENCE_MS while
the loop goes on. Everything else — connecting, closing, errors, server-side cursors — is
SQLAlchemy's adapter unchanged. Passed to create_async_engine as its `module` (see
models.db.create_engine, which opens the connections with the busy timeout at 0 and usable from
the loop's thread).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

T = TypeVar("T")


PATIENCE_MS = 30_000  # how long a statement waits for a lock another connection holds
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _statement(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any], int, int | None]:
    """The statement and everything SQLAlchemy reads of it."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _busy(error: Exception) -> bool:
    """Whether SQLite refused for a lock another connection holds (nothing was done)."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.OperationalError) and code is not None and code & 0xFF in _BUSY


def _patiently(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    """In aiosqlite's thread: `fn`, waiting up to PATIENCE_MS for the lock."""
    conn.execute(f"PRAGMA busy_timeout={PATIENCE_MS}")
    try:
        return fn(conn, *args)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


class OnLoopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # no aiosqlite cursor: each statement opens and closes its own
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:  # type: ignore[override]
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        """Nothing to close: the rows are already here."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._run(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._run(operation, seq_of_parameters, True)

    def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        adapted: OnLoopConnection = self._adapt_connection  # type: ignore[assignment]
        try:
            found = adapted.run(_statement, operation, parameters, many)
        except Exception as error:
            adapted._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = found
        self._rows = collections.deque(rows)

    def nextset(self) -> None:
        return None  # one statement per execute: there is never a next set


class OnLoopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OnLoopCursor

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(sqlite3 connection, *args)`: on the loop's thread, or, if the database is locked,
        in aiosqlite's thread, waiting for the lock. (Through await_ either way: SQLAlchemy's
        AsyncConnection requires that its driver awaited.)"""
        return await_(self._run(fn, *args))

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._execute_mutex:  # free (one user per connection): no wait
            try:
                return fn(connection._conn, *args)
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
            return await connection._execute(_patiently, connection._conn, fn, *args)

    def commit(self) -> None:
        self._end(sqlite3.Connection.commit)

    def rollback(self) -> None:
        self._end(sqlite3.Connection.rollback)

    def _end(self, fn: Callable[[sqlite3.Connection], None]) -> None:
        """The transaction's commit or rollback (nothing once the connection is closed)."""
        if self._connection._connection:
            try:
                self.run(fn)
            except Exception as error:
                self._handle_exception(error)


class OnLoopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OnLoopConnection:
        stock = super().connect(*arg, **kw)
        return OnLoopConnection(self, stock._connection)


def dbapi() -> OnLoopDBAPI:
    """The DB-API module for create_async_engine(module=…) on a sqlite+aiosqlite URL."""
    return OnLoopDBAPI(aiosqlite, sqlite3)
