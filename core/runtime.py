"""The resources a handler, a service or a scheduled job is given."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.charts import ChartRenderer
from core.config import Settings
from views.i18n import I18n


class AdminCache:
    """The group's answer to «is this person an admin?», kept briefly (`ttl` seconds) so a
    burst of lead actions asks Telegram once; a chat_member update for the chat forgets it."""

    def __init__(self, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._seen: dict[tuple[int, int], tuple[float, bool]] = {}

    def get(self, chat_id: int, user_id: int) -> bool | None:
        hit = self._seen.get((chat_id, user_id))
        if hit is None or self._clock() - hit[0] > self.ttl:
            return None
        return hit[1]

    def put(self, chat_id: int, user_id: int, admin: bool) -> None:
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[(chat_id, user_id)] = (self._clock(), admin)

    def forget(self, chat_id: int, user_id: int | None = None) -> None:
        for key in [k for k in self._seen if k[0] == chat_id and user_id in (None, k[1])]:
            del self._seen[key]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    bot: Bot
    sessionmaker: async_sessionmaker
    i18n: I18n
    settings: Settings
    bot_username: str = ""
    clock: Callable[[], datetime] = field(default=system_clock)
    # One planner tick at a time in this process (replicas: the due moments' lease keeps apart).
    planner_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # Who is a group admin, asked of Telegram at most every few seconds (handlers/common/leads.py).
    admins: AdminCache = field(default_factory=AdminCache, repr=False)
    # The task engine due work goes through (jobs/engine.py); None: the in-process one.
    engine: Any = field(default=None, repr=False)
    # Charts are drawn in worker processes, off the event loop (core/charts.py).
    charts: ChartRenderer = field(default_factory=ChartRenderer, repr=False)

    def now(self) -> datetime:
        return self.clock()


class ManualClock:
    """A clock that only moves when told: the demo's and the tests' time."""

    def __init__(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)


class FileClock:
    """The time written in a file (ISO), read on each call: a clock several processes share
    (the worker processes of tests/e2e/test_workers.py and bench/bench_scale.py)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        return datetime.fromisoformat(self.path.read_text().strip())

    def set(self, moment: datetime) -> None:
        self.path.write_text(moment.isoformat())
