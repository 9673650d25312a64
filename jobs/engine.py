"""Due work as tasks of taskiq, an existing distributed task engine.

The planner's pass (`due_pass`, run by APScheduler every tick) takes what is due from the due
moments (one indexed UPDATE, services/schedule/moments.py) and kicks one task per team: run the
team's due kinds in order, then store its next moments. Whoever listens to the broker runs it:

- no PLANERKA_BROKER_URL (the embedded default: SQLite, one process): taskiq's InMemoryBroker,
  the task runs in the process, in the pass, with no server;
- PLANERKA_BROKER_URL=redis://...: taskiq-redis's RedisStreamBroker (a Redis stream with a
  consumer group: a message is acknowledged once its task has run, and one left unacknowledged
  by a worker that died is claimed by another after `broker_idle_seconds`). Every bot replica
  and every `planerka worker` process takes tasks side by side.

A task is idempotent (each job claims its post in the post log), retried on failure (taskiq's
SimpleRetryMiddleware), and one team's failure stays that team's. The job's `now` is the time
the task runs, so a post that goes out late is marked late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from taskiq import AsyncBroker, InMemoryBroker, SimpleRetryMiddleware
from taskiq.api import run_receiver_task

from core.runtime import Runtime
from models.tables import Team
from services.schedule import moments as due_moments

log = logging.getLogger(__name__)

TASK = "planerka.team_due"
RETRIES = 3
TeamJob = Callable[[Runtime, int, datetime], Awaitable[object]]


def team_jobs() -> dict[str, TeamJob]:
    """Each due kind's job: `job(runtime, team_id, now)`."""
    from jobs import agenda, checkins, digest, meeting, monthly, tasks

    return {
        due_moments.COLLECTION: checkins.team_due,
        due_moments.DIGEST: digest.post_due,
        due_moments.AGENDA: agenda.post_agenda,
        due_moments.MONTHLY: monthly.post_due,
        due_moments.MEETING: meeting.team_due,
        due_moments.TASKS: tasks.team_due,
    }


def make_broker(url: str | None, *, idle_seconds: float = 600, queue: str = "planerka") -> Any:
    """The in-process broker, or the Redis streams broker for `url`."""
    retry = SimpleRetryMiddleware(default_retry_count=RETRIES)
    if not url:
        return InMemoryBroker(await_inplace=True).with_middlewares(retry)
    from taskiq_redis import RedisStreamBroker

    broker = RedisStreamBroker(
        url,
        queue_name=queue,
        consumer_group_name=queue,
        idle_timeout=int(idle_seconds * 1000),
        xread_block=500,
        xread_count=1,  # a worker reads what it is about to run: idle workers share
    )
    return broker.with_middlewares(retry)


class Engine:
    """The broker with the planner's task registered, bound to one process's runtime."""

    def __init__(self, runtime: Runtime, broker: AsyncBroker, *, concurrency: int = 4) -> None:
        self.runtime = runtime
        self.concurrency = concurrency
        self.broker = broker
        self.jobs = team_jobs()
        self.started = False
        self._worker: asyncio.Task | None = None

        async def team_due(team_id: int, kinds: list[str]) -> None:
            await self.run_team(team_id, kinds)

        self.task = broker.register_task(
            team_due, task_name=TASK, retry_on_error=True, max_retries=RETRIES
        )

    @property
    def in_process(self) -> bool:
        return isinstance(self.broker, InMemoryBroker)

    async def start(self, *, work: bool = False) -> None:
        """Connect; with `work`, also take tasks from the broker (not needed in-process)."""
        if not self.started:
            if work and not self.in_process:
                self.broker.is_worker_process = True
            await self.broker.startup()
            self.started = True
        if work and not self.in_process and self._worker is None:
            self._worker = asyncio.create_task(
                run_receiver_task(self.broker, max_async_tasks=self.concurrency, run_startup=False)
            )

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self.started:
            await self.broker.shutdown()
            self.started = False

    async def kick(self, team_id: int, kinds: list[str]) -> None:
        await self.start()
        await self.task.kiq(team_id, kinds)

    async def run_team(self, team_id: int, kinds: list[str]) -> None:
        """The team's due kinds, in order, then their next moments. A refresh first computes
        every kind's moment and runs those due now, leased as the pass leases them (another
        replica's pass leaves them). A kind that fails stays leased (taken again after the
        lease) and the task fails, so taskiq retries it."""
        runtime = self.runtime
        catch_up = timedelta(hours=runtime.settings.catch_up_hours)
        due = set(kinds)
        async with runtime.sessionmaker() as session:
            team = await session.get(Team, team_id)
            paused = team is None or team.paused
        if paused:  # paused meanwhile: only a running meeting is still closed
            due &= {due_moments.MEETING, due_moments.REFRESH}
            if due_moments.REFRESH in due:
                due = {due_moments.MEETING}
            if not due:
                async with runtime.sessionmaker() as session:
                    await due_moments.recompute(session, team_id, runtime.now(), catch_up)
                return
        if due_moments.REFRESH in due:
            async with runtime.sessionmaker() as session:
                now = runtime.now()
                moments = await due_moments.recompute(session, team_id, now, catch_up, refresh=True)
                now_due = [kind for kind, at in moments.items() if at <= now]
                due |= await due_moments.take_team(session, team_id, now_due, now)
        ran: list[str] = []
        failed: BaseException | None = None
        for kind in due_moments.KINDS:
            if kind not in due:
                continue
            try:
                result = await self.jobs[kind](runtime, team_id, runtime.now())
                ran.append(kind)
                log.info("%s of team %s ran: %s", kind, team_id, result)
            except Exception as error:
                log.exception("%s of team %s failed", kind, team_id)
                failed = error
        if ran:
            async with runtime.sessionmaker() as session:
                await due_moments.recompute(session, team_id, runtime.now(), catch_up, ran=ran)
        if failed is not None:
            raise failed


def engine_of(runtime: Runtime) -> Engine:
    """The runtime's engine; the in-process one unless one was given."""
    if runtime.engine is None:
        runtime.engine = Engine(runtime, make_broker(None))
    return runtime.engine


async def due_pass(runtime: Runtime, now: datetime) -> None:
    """Kicks a task for each team with work due now: one indexed query when nothing is."""
    async with runtime.sessionmaker() as session:
        due = await due_moments.take_due(session, now)
    if not due:
        return
    engine = engine_of(runtime)
    for team_id, kinds in sorted(due.items()):
        try:
            await engine.kick(team_id, kinds)
        except Exception:
            log.exception("due work of team %s could not be queued", team_id)
