"""The planner tick: one APScheduler job that runs every `interval` seconds and runs the periodic
functions `(runtime, now) -> None` — the due-moments pass (jobs/engine.py), which takes what is
due from the stored moments with one indexed, leasing UPDATE and queues each team's share as a
task. The lease is what keeps two replicas from taking the same work, so no lock is held across
processes; each job claims its post in the post log before doing it, so a settings change
needs no job rebuild, a post missed while the bot was down is caught up on the next tick, and
nothing is posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core.runtime import Runtime

log = logging.getLogger(__name__)

PeriodicJob = Callable[[Runtime, datetime], Awaitable[None]]


async def tick(
    runtime: Runtime, jobs: Sequence[PeriodicJob] | None = None, *, wait: bool = True
) -> bool:
    """Run every job once (by default the planner's: the due-moments pass). One tick at a time
    in the process: with wait=False (the planner's own) a tick that finds another one running
    is skipped (False); a demo's or a test's waits for it. Across processes nothing is held:
    the pass leases what it takes."""
    if jobs is None:
        from jobs import periodic_jobs

        jobs = periodic_jobs()
    if not wait and runtime.planner_lock.locked():
        return False
    async with runtime.planner_lock:
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
            max_instances=1,  # one tick at a time in the process; the lease does the rest
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
