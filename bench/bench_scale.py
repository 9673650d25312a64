"""Benchmark: scheduled work against the number of teams, on SQLite and PostgreSQL.

- idle pass: the planner's pass over 50, 500 and 5 000 teams whose moments are all ahead
  (teams and their due moments written straight into the database); median of several passes,
  and the ratio 5 000 ÷ 50. Beside it, the old full scan (every team's rows read each tick)
  at 50 teams, for scale;
- digest hour: the same digests' charts drawn by 1 and by 2 chart processes (throughput ratio);
- CPU per digest (a 30-member team, 12 weeks of history: bench_digest's team), and from it
  the projection of 5 000 digests on 4 cores, beside the broker's cost per task (Redis, when
  PLANERKA_BENCH_REDIS_URL or the local server answers) and Telegram's floor;
- inbound latency: an answer-sized database round trip on the event loop (p50/p95), idle and
  while digests render in the chart process, and, for comparison, while they render in a thread.

Ends with `target <name>: <value> (goal <op> <number>)` lines. Nothing asserts on wall time.

Run from the repository root: .venv/bin/python bench/bench_scale.py [--quick]
PostgreSQL: PLANERKA_BENCH_DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test,
skipped when it doesn't answer).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench import answers
from core.charts import ChartRenderer
from core.config import Settings
from core.runtime import ManualClock, Runtime
from jobs import agenda, checkins, digest, monthly
from jobs.engine import due_pass, make_broker
from kpi import charts as ch
from models.db import create_engine, migrate, normalize_database_url, session_maker
from models.tables import DueMoment, Team
from services.reports import summary as sm
from services.schedule import moments
from views import digest as digests
from views.i18n import I18n

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REDIS_DEFAULT = "redis://127.0.0.1:6379/6"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday: nothing of a weekly team is due
TOKEN = "123456:BENCH-TOKEN-planerka"


@contextlib.asynccontextmanager
async def database(kind: str, workdir: Path, name: str) -> AsyncIterator[str]:
    if kind == "SQLite":
        url = f"sqlite+aiosqlite:///{workdir / name}.sqlite3"
        yield url
        return
    server = make_url(
        normalize_database_url(os.environ.get("PLANERKA_BENCH_DATABASE_URL", PG_DEFAULT))
    )
    db = f"scale_bench_{name}_{os.getpid()}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{db}"'))
    try:
        yield server.set(database=db).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        await admin.dispose()


async def pg_available() -> bool:
    url = make_url(
        normalize_database_url(os.environ.get("PLANERKA_BENCH_DATABASE_URL", PG_DEFAULT))
    )
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("select 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


def runtime_for(url: str) -> tuple[Runtime, object]:
    engine = create_engine(url)
    settings = Settings(_env_file=None, bot_token=TOKEN, database_url=url)
    runtime = Runtime(
        bot=None,  # type: ignore[arg-type]  # nothing is due: nothing is sent
        sessionmaker=session_maker(engine),
        i18n=I18n(),
        settings=settings,
        clock=ManualClock(NOW),
    )
    return runtime, engine


async def seed_teams(url: str, n: int) -> None:
    """n weekly teams and, for each, its moments ahead (as the first pass would store them)."""
    engine = create_engine(url)
    await migrate(engine)
    async with session_maker(engine)() as s:
        teams = [
            {"chat_id": -1_000_000 - i, "title": f"Команда {i}", "anchor_date": date(2026, 1, 5),
             "join_token": f"scale{i}", "locale": "ru", "timezone": "Europe/Moscow"}
            for i in range(n)
        ]  # fmt: skip
        for start in range(0, n, 1000):
            await s.execute(insert(Team), teams[start : start + 1000])
        ids = [row[0] for row in await s.execute(text("select id from teams order by id"))]
        rows = []
        for i, team_id in enumerate(ids):
            for k, kind in enumerate(moments.KINDS):
                # spread over the coming days, as teams' schedules are
                due = NOW + timedelta(hours=1 + (i * 7 + k * 13) % 120, minutes=i % 60)
                rows.append({"team_id": team_id, "kind": kind, "due_at": due})
        for start in range(0, len(rows), 2000):
            await s.execute(insert(DueMoment), rows[start : start + 2000])
        await s.commit()
    if engine.dialect.name == "postgresql":  # as autovacuum does after a bulk load
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    await engine.dispose()


async def timed(coro_factory, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await coro_factory()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def idle_pass(kind: str, workdir: Path, n: int, repeats: int) -> tuple[float, float | None]:
    async with database(kind, workdir, f"idle{n}") as url:
        await seed_teams(url, n)
        runtime, engine = runtime_for(url)
        try:
            new = await timed(lambda: due_pass(runtime, NOW), repeats)
            old = None
            if n <= 50:

                async def scan() -> None:
                    for job in (checkins.run_due, digest.run_due, agenda.run_due, monthly.run_due):
                        await job(runtime, NOW)

                old = await timed(scan, max(1, repeats // 3))
        finally:
            await engine.dispose()
    return new, old


async def digest_specs(workdir: Path) -> list[list[ch.Spec]]:
    """bench_digest's team: its digest's chart specs."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_digest

    url = f"sqlite+aiosqlite:///{workdir / 'digest'}.sqlite3"
    await bench_digest.seed(url)
    engine = create_engine(url)
    async with session_maker(engine)() as s:
        team = await s.get(Team, 1)
        period = sm.due_period(team, bench_digest.NOW, set())
        built = await digests.build(s, team, period, I18n().get("ru"), now=bench_digest.NOW)
    await engine.dispose()
    return built.specs


def cpu_per_digest(specs: list[ch.Spec], repeats: int) -> float:
    ch.render_album(specs)  # fonts and caches warm
    times = []
    for _ in range(repeats):
        started = time.process_time()
        ch.render_album(specs)
        times.append(time.process_time() - started)
    return statistics.median(times)


async def throughput(specs: list[ch.Spec], processes: int, digests_n: int) -> float:
    """Digests rendered per second by `processes` chart processes."""
    renderer = ChartRenderer(processes)
    try:
        await asyncio.gather(*(renderer.render(specs) for _ in range(processes)))  # started
        started = time.perf_counter()
        await asyncio.gather(*(renderer.render(specs) for _ in range(digests_n)))
        return digests_n / (time.perf_counter() - started)
    finally:
        renderer.close()


async def latencies(url: str, during, samples: int) -> list[float]:
    """An answer-sized round trip (a read and a committed write) every 20 ms, `samples` times,
    while `during` runs."""
    engine = create_engine(url)
    out: list[float] = []
    async with engine.begin() as conn:
        await conn.execute(
            text("create table if not exists probe (id integer primary key, v text)")
        )
    task = asyncio.create_task(during()) if during else None
    try:
        for i in range(samples):
            started = time.perf_counter()
            async with session_maker(engine)() as s:
                await s.execute(text("select count(*) from probe"))
                await s.execute(text("insert into probe (v) values (:v)"), {"v": str(i)})
                await s.commit()
            out.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)
            if task is not None and task.done():
                break
        if task is not None:
            await task
    finally:
        await engine.dispose()
    return out


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def broker_cost(tasks: int) -> float | None:
    """Seconds per task to put it on the Redis stream (the client's side of the broker)."""
    url = os.environ.get("PLANERKA_BENCH_REDIS_URL", REDIS_DEFAULT)
    broker = make_broker(url, queue=f"planerka-bench-{os.getpid()}")

    async def noop(i: int) -> None:
        return None

    task = broker.register_task(noop, task_name="bench.noop")
    try:
        await broker.startup()
        started = time.perf_counter()
        for i in range(tasks):
            await task.kiq(i)
        cost = (time.perf_counter() - started) / tasks
        from redis.asyncio import Redis

        async with Redis.from_url(url) as redis:
            await redis.delete(f"planerka-bench-{os.getpid()}")
        return cost
    except Exception:
        return None
    finally:
        with contextlib.suppress(Exception):
            await broker.shutdown()


async def main(quick: bool) -> None:
    sizes = (50, 500, 5000)
    repeats = 5 if quick else 9
    kinds = ["SQLite"] + (["PostgreSQL"] if await pg_available() else [])
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = Path(tmp)
        table: dict[str, dict[int, float]] = {}
        old_scan: dict[str, float | None] = {}
        for kind in kinds:
            table[kind] = {}
            for n in sizes:
                new, old = await idle_pass(kind, workdir, n, repeats)
                table[kind][n] = new
                if old is not None:
                    old_scan[kind] = old
                print(f"  {kind} idle pass, {n} teams: {new * 1000:.1f} ms", flush=True)

        specs = await digest_specs(workdir)
        cpu = cpu_per_digest(specs, 3 if quick else 7)
        n_digests = 8 if quick else 24
        one = await throughput(specs, 1, n_digests)
        two = await throughput(specs, 2, n_digests)
        cost = await broker_cost(200 if quick else 1000)

        url = f"sqlite+aiosqlite:///{workdir / 'probe'}.sqlite3"
        samples = 40 if quick else 150
        rendering = 20 if quick else 100
        idle = await latencies(url, None, samples)
        renderer = ChartRenderer(1)
        await renderer.render(specs)  # the pool is up before the clock starts

        async def in_process() -> None:
            for _ in range(rendering):
                await renderer.render(specs)

        async def in_thread() -> None:
            for _ in range(rendering):
                await asyncio.to_thread(ch.render_album, specs)

        busy = await latencies(url, in_process, samples * 4)
        threaded = await latencies(url, in_thread, samples * 4)
        renderer.close()
        pg = os.environ.get("PLANERKA_BENCH_DATABASE_URL", PG_DEFAULT)
        answer_targets = await answers.targets(workdir, kinds, pg, quick)

    print("\n| pass | teams | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for n in sizes:
        cells = " | ".join(f"{table[k][n] * 1000:.1f} ms" for k in kinds)
        print(f"| idle (nothing due) | {n} | {cells} |")
    ratios = {k: table[k][5000] / table[k][50] for k in kinds}
    print("| idle ratio 5000 ÷ 50 | | " + " | ".join(f"{ratios[k]:.2f}" for k in kinds) + " |")
    old = [f"{old_scan[k] * 1000:.0f} ms" if old_scan.get(k) else "–" for k in kinds]
    print("| old full scan, idle | 50 | " + " | ".join(old) + " |")
    print(f"\ndigest charts: {cpu:.3f} s CPU per digest ({len(specs)} charts)")
    print(f"digest hour, chart throughput: 1 process {one:.2f}/s, 2 processes {two:.2f}/s "
          f"(ratio {two / one:.2f}; this machine has {os.cpu_count()} cores, shared)")  # fmt: skip
    projection = 5000 * cpu / 4 / 60
    overhead = f"{cost * 1000:.2f} ms per task" if cost is not None else "Redis not reachable"
    print(
        f"5 000 digests on 4 cores: {projection:.1f} min of chart CPU; broker (Redis stream, "
        f"client side): {overhead}; Telegram's floor for 10 000 messages at 30/s: 5.6 min"
    )

    def ms(values: list[float]) -> str:
        return f"p50 {p(values, 0.5) * 1000:.1f} ms p95 {p(values, 0.95) * 1000:.1f} ms"

    print(
        f"inbound round trip: idle {ms(idle)}; while {rendering} digests render in the chart "
        f"process {ms(busy)}; in a thread (before) {ms(threaded)}"
    )
    worst = max(ratios.values())
    print()
    print(f"target idle_ratio_5000_50: {worst:.2f} (goal <= 2)")
    print(f"target workers_2_over_1: {two / one:.2f} (goal >= 1.7)")
    print(f"target digest_cpu_s: {cpu:.3f} (goal <= 0.25)")
    print(f"target inbound_p95_ratio: {p(busy, 0.95) / p(idle, 0.95):.2f} (goal <= 2)")
    print("\n".join(answer_targets))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and digests")
    asyncio.run(main(parser.parse_args().quick))
