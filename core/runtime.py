"""The resources a handler, a service or a scheduled job is given."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiogram import Bot
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.config import Settings
from views.i18n import I18n


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
    # One planner tick at a time in this process (across replicas: services/common/locks.py).
    planner_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

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
