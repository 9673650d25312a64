"""Scheduled work, derived from the database.

One APScheduler job, the planner tick, runs every `interval` seconds. Each feature contributes
a periodic function `(runtime, now) -> None` that looks at the teams' rows, decides what is due
(collection opening, reminders, the digest, the agenda, task reminders...) and claims it in the
post log before doing it. So a settings change needs no job rebuild, a post missed while the bot
was down is caught up on the next tick, and two replicas never post the same thing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core.runtime import Runtime
from services.common import locks
from services.team import teams

log = logging.getLogger(__name__)

PeriodicJob = Callable[[Runtime, datetime], Awaitable[None]]
TeamJob = Callable[[Runtime, int, datetime], Awaitable[object]]


def per_team(what: str, job: TeamJob) -> PeriodicJob:
    """A periodic function that runs `job(runtime, team_id, now)` for every team that isn't
    paused; one team's failure is logged and doesn't stop the others."""

    async def run(runtime: Runtime, now: datetime) -> None:
        async with runtime.sessionmaker() as session:
            team_ids = await teams.active_ids(session)
        for team_id in team_ids:
            try:
                await job(runtime, team_id, now)
            except Exception:
                log.exception("%s of team %s failed", what, team_id)

    run.__qualname__ = f"per_team({what})"
    return run


async def tick(runtime: Runtime, jobs: Sequence[PeriodicJob], *, wait: bool = True) -> bool:
    """Run every job once. One tick at a time in the process and across replicas (a PostgreSQL
    advisory lock): with wait=False a tick that finds another one running is skipped (False);
    the next one catches up. So a job never races a copy of itself."""
    if not wait and runtime.planner_lock.locked():
        return False
    async with (
        runtime.planner_lock,
        locks.exclusive(runtime.sessionmaker, locks.PLANNER, wait=wait) as held,
    ):
        if not held:
            log.debug("tick skipped: another replica is running the planner")
            return False
        now = runtime.now()
        for job in jobs:
            try:
                await job(runtime, now)
            except Exception:
                log.exception("periodic job %s failed", getattr(job, "__qualname__", job))
    return True


class Planner:
    def __init__(self, runtime: Runtime, jobs: Sequence[PeriodicJob], interval: float = 30) -> None:
        self.runtime = runtime
        self.jobs = list(jobs)
        self.interval = interval
        self.scheduler = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        self.scheduler.add_job(
            tick,
            IntervalTrigger(seconds=self.interval, timezone=UTC),
            args=(self.runtime, self.jobs),
            kwargs={"wait": False},
            id="planner:tick",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
