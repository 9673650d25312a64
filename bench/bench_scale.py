"""Benchmark: scheduled work against the number of teams, on SQLite and PostgreSQL.

- idle pass: the planner's pass over 50, 500 and 5 000 teams whose moments (every kind: the
  collection, digest, agenda, monthly report, a running meeting, task reminders) are all ahead
  (teams and moments written straight into the database); median of several passes, and the
  ratio 5 000 ÷ 50;
- opening pass: the pass at the moment every team's collection opens (6 members each, the
  first question to each through the emulator, unpaced), per team;
- digest hour, end to end, on PostgreSQL + Redis: 50 (and, without --quick, 500) teams (6
  members, 4 weeks of answers) whose digest is due; the pass kicks one task per team into the
  Redis stream and `planerka worker` processes (bot.app.working) take them: read the numbers,
  draw the charts (in a thread of the worker: one worker, one core), post to the Telegram
  emulator. Digests posted per second with 1 and with 2 worker processes, side by side in one
  run, the ratio, and the workers' CPU per digest;
- CPU per digest (a 30-member team, 12 weeks of history: bench_digest's team), and from the
  measured throughput per worker process the projection of 5 000 digests on 4 cores, beside
  the broker's cost per task (Redis) and Telegram's floor;
- inbound latency: an answer-sized database round trip on the event loop (p50/p95), idle and
  while digests render in the chart process, and, for comparison, while they render in a thread.

Ends with `target <name>: <value> (goal <op> <number>)` lines. Nothing asserts on wall time.
The figures are as good as the machine is quiet: on a shared machine say so beside them.

Run from the repository root: .venv/bin/python bench/bench_scale.py [--quick]
PostgreSQL: PLANERKA_BENCH_DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test,
skipped when it doesn't answer); Redis: PLANERKA_BENCH_REDIS_URL (default db 6).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import kpi
from bench import answers
from bench._harness import fresh_database
from core.charts import ChartRenderer
from core.config import Settings
from core.runtime import FileClock, ManualClock, Runtime
from jobs.engine import Engine, due_pass, make_broker
from kpi import charts as ch
from models.db import create_engine, migrate, normalize_database_url, session_maker
from models.tables import DueMoment, Member, MemberRole, Team, User
from services.reports import summary as sm
from services.schedule import moments
from services.team import teams as team_service
from tgemu import TelegramEmulator
from views import digest as digests
from views.i18n import I18n

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REDIS_DEFAULT = "redis://127.0.0.1:6379/6"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday: nothing of a weekly team is due
TOKEN = "123456:BENCH-TOKEN-planerka"


def pg_server() -> str:
    return os.environ.get("PLANERKA_BENCH_DATABASE_URL", PG_DEFAULT)


def database(kind: str, workdir: Path, name: str):
    """A fresh database of `kind` (bench/_harness.py's, shared with bench_delivery)."""
    server = pg_server() if kind == "PostgreSQL" else ""
    return fresh_database(workdir, f"scale_{name}", server, driver="sqlite+aiosqlite")


async def pg_available() -> bool:
    engine = create_async_engine(make_url(normalize_database_url(pg_server())))
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


async def idle_pass(kind: str, workdir: Path, n: int, repeats: int) -> float:
    async with database(kind, workdir, f"idle{n}") as url:
        await seed_teams(url, n)
        runtime, engine = runtime_for(url)
        try:
            return await timed(lambda: due_pass(runtime, NOW), repeats)
        finally:
            await engine.dispose()


async def digest_specs(workdir: Path, variant: int = 0) -> list[ch.Spec]:
    """bench_digest's team (`variant`: other numbers): its digest's chart specs."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_digest

    url = f"sqlite+aiosqlite:///{workdir / f'digest{variant}'}.sqlite3"
    await bench_digest.seed(url, variant)
    engine = create_engine(url)
    async with session_maker(engine)() as s:
        team = await s.get(Team, 1)
        period = sm.due_period(team, bench_digest.NOW, set())
        built = await digests.build(s, team, period, I18n().get("ru"), now=bench_digest.NOW)
    await engine.dispose()
    return built.specs


def cpu_per_digest(albums: list[list[ch.Spec]], repeats: int) -> tuple[float, float]:
    """CPU seconds per album: as a chart process draws them (one Sheet kept, the teams' albums
    in turn), and on a fresh Sheet each (nothing kept); medians."""
    sheet = ch.Sheet()
    ch.render_album(albums[0])  # fonts and caches warm
    kept, fresh = [], []
    for _ in range(repeats):
        for specs in albums:
            started = time.process_time()
            ch.render_album(specs, sheet)
            kept.append(time.process_time() - started)
            started = time.process_time()
            ch.render_album(specs)
            fresh.append(time.process_time() - started)
    return statistics.median(kept), statistics.median(fresh)


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


# ------------------------------------------------------------------ teams with people and numbers
MEMBERS = 6
ROLES = ("context_ads_specialist", "targetologist", "smm_manager", "seo_specialist",
         "email_marketer", "head_of_internet_marketing")  # fmt: skip
HOUR = datetime(2026, 11, 23, 6, 31, tzinfo=UTC)  # Monday 09:31 MSK: last week's digest is due
HOUR_TIMEOUT = 600  # s: a digest hour that takes longer is reported, not waited for
OPENING = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 15:00 MSK: the collection opens


async def seed_people(url: str, emu: TelegramEmulator, n: int, kind: str, at: datetime) -> None:
    """n teams of MEMBERS (each started the bot), 4 weeks of answers, in the emulator too; each
    team's `kind` moment due at `at` and the others ahead."""
    from demo.digest import seed_history

    engine = create_engine(url)
    await migrate(engine)
    async with session_maker(engine)() as s:
        for t in range(n):
            chat, users = -2_000_000 - t, [700_000 + MEMBERS * t + i for i in range(MEMBERS)]
            for user_id in users:
                emu.add_user(user_id, f"Сотрудник {user_id}")
            emu.add_group(chat, f"Команда {t}", creator=users[0], members=users, with_bot=True)
            team = Team(chat_id=chat, title=f"Команда {t}", anchor_date=date(2026, 1, 5),
                        join_token=f"people{t}")  # fmt: skip
            s.add(team)
            await s.flush()
            for i, user_id in enumerate(users):
                s.add(User(id=user_id, full_name=f"Сотрудник {user_id}", started=True))
                await s.flush()
                member = Member(team_id=team.id, user_id=user_id)
                member.roles = [MemberRole(role_code=ROLES[i % len(ROLES)])]
                s.add(member)
            await s.flush()
            period = sm.due_period(team, HOUR, set())
            periods = kpi.periods_back(period, 4, "weekly")
            await seed_history(s, await team_service.members(s, team), periods, seed=t)
        await s.commit()
        ids = list(await s.scalars(text("select id from teams order by id")))
        await s.execute(text("delete from due_moments"))
        ahead = at + timedelta(days=3)
        rows = [{"team_id": i, "kind": k, "due_at": at if k == kind else ahead}
                for i in ids for k in moments.RHYTHM_KINDS]  # fmt: skip
        await s.execute(insert(DueMoment), rows)
        await s.commit()
    await engine.dispose()


@contextlib.asynccontextmanager
async def bot_process(url: str, emu: TelegramEmulator, at: datetime) -> AsyncIterator[Runtime]:
    """One bot process's runtime (the in-process engine, its chart process) posting to the
    emulator, unpaced, its clock at `at`."""
    from bot.app import build_bot, install_delivery

    settings = Settings(_env_file=None, bot_token=TOKEN, database_url=url,
                        telegram_api_url=emu.api_url, delivery_global_per_s=0,
                        delivery_group_per_min=0)  # fmt: skip
    engine = create_engine(url)
    bot = build_bot(settings)
    delivery = install_delivery(bot, settings, session_maker(engine))
    runtime = Runtime(bot=bot, sessionmaker=session_maker(engine), i18n=I18n(),
                      settings=settings, clock=ManualClock(at))  # fmt: skip
    try:
        yield runtime
    finally:
        runtime.charts.close()
        await delivery.flush()
        await bot.session.close()
        await engine.dispose()


async def opening_pass(kind: str, workdir: Path, n: int) -> float | None:
    """Seconds per team of the pass that opens every team's collection (in-process engine,
    the emulator as Telegram, unpaced)."""
    emu = TelegramEmulator(token=TOKEN)
    await emu.start()
    try:
        async with database(kind, workdir, f"open{n}") as url:
            await seed_people(url, emu, n, moments.COLLECTION, OPENING)
            async with bot_process(url, emu, OPENING) as runtime:
                started = time.perf_counter()
                await due_pass(runtime, OPENING)
                await emu.wait_idle(quiet=0.3, timeout=120)
                return (time.perf_counter() - started - 0.3) / n
    except Exception as error:  # the table says why instead of a figure
        print(f"  opening pass ({kind}, {n} teams) failed: {error!r}", flush=True)
        return None
    finally:
        await emu.stop()


async def digest_hour_in_process(kind: str, workdir: Path, n: int) -> float | None:
    """Digests posted per second by one bot process on its own (no broker: the in-process
    engine, its chart process; the default set-up, and SQLite's only one), after a warm-up
    digest."""
    emu = TelegramEmulator(token=TOKEN)
    await emu.start()
    try:
        async with database(kind, workdir, f"inproc{n}") as url:
            await seed_people(url, emu, n + 1, moments.DIGEST, HOUR)
            async with bot_process(url, emu, HOUR) as runtime:
                warm = Engine(runtime, make_broker(None))
                await warm.run_team(1, [moments.DIGEST])  # the chart process is up
                async with runtime.sessionmaker() as s:
                    ahead = HOUR + timedelta(days=3)
                    await s.execute(update(DueMoment).where(DueMoment.team_id == 1).values(
                        due_at=ahead))  # fmt: skip
                    await s.commit()
                started = time.perf_counter()
                await due_pass(runtime, HOUR)
                await emu.wait_idle(quiet=0.3, timeout=HOUR_TIMEOUT)
                return n / (time.perf_counter() - started - 0.3)
    except Exception as error:  # the table says why instead of a figure
        print(f"  digest hour in process ({kind}, {n} teams) failed: {error!r}", flush=True)
        return None
    finally:
        await emu.stop()


# ------------------------------------------------------------------ the digest hour, end to end
def worker_settings(url: str, api_url: str, queue: str) -> Settings:
    return Settings(
        _env_file=None, bot_token=TOKEN, database_url=url, telegram_api_url=api_url,
        broker_url=os.environ.get("PLANERKA_BENCH_REDIS_URL", REDIS_DEFAULT), broker_queue=queue,
        worker_tasks=2, delivery_global_per_s=0, delivery_group_per_min=0, log_level="WARNING",
    )  # fmt: skip


async def serve_worker(url: str, api_url: str, queue: str, clock_file: str, ready: str) -> None:
    """`bench_scale.py worker …`: one `planerka worker` (bot.app.working) until terminated."""
    from bot.app import until_stopped, working

    async with working(worker_settings(url, api_url, queue), clock=FileClock(Path(clock_file))):
        Path(ready).touch()
        await until_stopped()


def cpu_seconds(pid: int) -> float | None:
    """A process's CPU time so far (user + system), from /proc; None where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def digest_hour(workdir: Path, workers: int, n: int) -> tuple[float, float | None]:
    """Digests posted per second by `workers` worker processes, from when each has posted one
    (matplotlib loaded) to the last one done; and the workers' CPU seconds per digest (all of
    it: reading the numbers, the charts, posting)."""
    emu = TelegramEmulator(token=TOKEN)
    await emu.start()
    queue = f"planerka-bench-hour-{os.getpid()}-{workers}"
    clock = FileClock(workdir / f"clock{workers}")
    clock.set(HOUR)
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with database("PostgreSQL", workdir, f"hour{workers}") as url:
            await seed_people(url, emu, n, moments.DIGEST, HOUR)
            for w in range(workers):
                ready = workdir / f"ready{workers}_{w}"
                processes.append(await asyncio.create_subprocess_exec(
                    sys.executable, __file__, "worker", url, emu.api_url, queue, str(clock.path),
                    str(ready), cwd=Path(__file__).resolve().parents[1]))  # fmt: skip
                waited = 0.0
                while not ready.exists():
                    if processes[-1].returncode is not None or waited > 120:
                        raise RuntimeError(f"worker {w} did not start")
                    await asyncio.sleep(0.1)
                    waited += 0.1
            engine = create_engine(url)
            settings = worker_settings(url, emu.api_url, queue)
            runtime = Runtime(
                bot=None,  # type: ignore[arg-type]  # the planner's side: it posts nothing
                sessionmaker=session_maker(engine),
                i18n=I18n(),
                settings=settings,
                clock=clock,
            )
            runtime.engine = Engine(runtime, make_broker(runtime.settings.broker_url, queue=queue))
            try:
                # a worker loads matplotlib with its first digest: the clock starts once as
                # many digests are done as there are workers
                await runtime.engine.start()
                started = time.perf_counter()
                await due_pass(runtime, HOUR)
                warm: float | None = None
                while True:
                    async with runtime.sessionmaker() as s:
                        done = await s.scalar(
                            text("select count(*) from post_log where kind = 'digest' and done")
                        )
                    if warm is None and done >= workers:
                        warm = time.perf_counter()
                    if done >= n:
                        break
                    if time.perf_counter() - started > HOUR_TIMEOUT:
                        raise RuntimeError(f"only {done} of {n} digests done in {HOUR_TIMEOUT} s")
                    await asyncio.sleep(0.05)
                rate = (n - workers) / (time.perf_counter() - (warm or started))
                used = [cpu_seconds(process.pid) for process in processes]
                cpu = None if None in used else sum(used) / n  # type: ignore[arg-type]
                return rate, cpu
            finally:
                await runtime.engine.stop()
                await engine.dispose()
                for process in processes:
                    process.terminate()
                    await process.wait()
                from redis.asyncio import Redis

                async with Redis.from_url(runtime.settings.broker_url) as redis:
                    await redis.delete(queue)
    finally:
        await emu.stop()


async def redis_available() -> bool:
    from redis.asyncio import Redis

    try:
        async with Redis.from_url(os.environ.get("PLANERKA_BENCH_REDIS_URL", REDIS_DEFAULT)) as r:
            return bool(await r.ping())
    except Exception:
        return False


def cell(value: float | None, fmt: str = "{:.1f} ms", scale: float = 1000) -> str:
    return "–" if value is None else fmt.format(value * scale)


async def main(quick: bool) -> None:
    """The table and the target lines (answer_statements, answers_vs_echo: bench/answers.py)."""
    sizes = (50, 500, 5000)
    repeats = 5 if quick else 9
    kinds = ["SQLite"] + (["PostgreSQL"] if await pg_available() else [])
    hour_sizes = (50,) if quick else (50, 500)
    opening_sizes = (50,) if quick else (50, 500)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = Path(tmp)
        idle: dict[str, dict[int, float]] = {}
        opening: dict[str, dict[int, float | None]] = {}
        for kind in kinds:
            idle[kind], opening[kind] = {}, {}
            for n in sizes:
                idle[kind][n] = await idle_pass(kind, workdir, n, repeats)
                print(f"  {kind} idle pass, {n} teams: {idle[kind][n] * 1000:.1f} ms", flush=True)
            for n in opening_sizes:
                opening[kind][n] = await opening_pass(kind, workdir, n)
                print(
                    f"  {kind} opening pass, {n} teams: {cell(opening[kind][n])}/team", flush=True
                )

        # the digest hour in one bot process (the default: SQLite's only set-up), then with
        # 1 and 2 workers side by side (PostgreSQL + Redis); 5 000: see the projection
        alone: dict[str, dict[int, float | None]] = {}
        for kind in kinds:
            alone[kind] = {}
            for n in hour_sizes:
                alone[kind][n] = await digest_hour_in_process(kind, workdir, n)
                print(f"  {kind} digest hour in one process, {n} teams: "
                      f"{cell(alone[kind][n], '{:.2f}', 1)}/s", flush=True)  # fmt: skip

        hour: dict[tuple[int, int], float] = {}
        hour_cpu: dict[tuple[int, int], float | None] = {}
        if "PostgreSQL" in kinds and await redis_available():
            for n in hour_sizes:
                for workers in (1, 2):
                    try:
                        hour[workers, n], hour_cpu[workers, n] = await digest_hour(
                            workdir, workers, n
                        )
                    except Exception as error:  # the table shows "–" and says why here
                        print(f"  digest hour, {n} teams, {workers} worker(s) failed: {error!r}")
                        continue
                    print(
                        f"  digest hour, {n} teams, {workers} worker(s): {hour[workers, n]:.2f}/s",
                        flush=True,
                    )

        albums = [await digest_specs(workdir, variant) for variant in range(3)]
        specs = albums[0]
        cpu, cpu_fresh = cpu_per_digest(albums, 3 if quick else 7)
        cost = await broker_cost(200 if quick else 1000)

        url = f"sqlite+aiosqlite:///{workdir / 'probe'}.sqlite3"
        samples = 40 if quick else 150
        rendering = 40 if quick else 100
        quiet = await latencies(url, None, samples)
        renderer = ChartRenderer(1)
        await renderer.render(specs)  # the pool is up before the clock starts

        async def in_process() -> None:
            for _ in range(rendering):
                await renderer.render(specs)

        async def in_thread() -> None:
            for _ in range(rendering):
                await asyncio.to_thread(ch.render_album, specs)

        busy = await latencies(url, in_process, samples * 10)
        threaded = await latencies(url, in_thread, samples * 10)
        renderer.close()
        pg = os.environ.get("PLANERKA_BENCH_DATABASE_URL", PG_DEFAULT)
        answer_targets = await answers.targets(workdir, kinds, pg, quick)

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nthis machine: {os.cpu_count()} cores, load average {load} (shared or not)")
    print("\n| pass | teams | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for n in sizes:
        print(f"| idle (nothing due) | {n} | " + " | ".join(cell(idle[k][n]) for k in kinds) + " |")
    ratios = {k: idle[k][5000] / idle[k][50] for k in kinds}
    print("| idle ratio 5000 ÷ 50 | | " + " | ".join(f"{ratios[k]:.2f}" for k in kinds) + " |")
    for n in sizes:
        cells = " | ".join(cell(opening[k].get(n)) + " per team" for k in kinds)
        note = "" if n in opening_sizes else " (not run: --quick or too long here)"
        print(f"| opening pass{note} | {n} | {cells} |")
    for n in sizes:
        note = "" if n in hour_sizes else " (not run: --quick or too long here)"
        cells = " | ".join(cell(alone[k].get(n), "{:.2f}", 1) + " digests/s" for k in kinds)
        print(f"| digest hour, one bot process, no broker{note} | {n} | {cells} |")
    for n in sizes:
        for workers in (1, 2):
            rate, used = hour.get((workers, n)), hour_cpu.get((workers, n))
            if rate is None:
                note = " (not run: --quick or too long here; projection below)"
                print(f"| digest hour, {workers} worker(s){note} | {n} | – | – |")
                continue
            per = f", {used:.2f} s worker CPU per digest" if used is not None else ""
            print(f"| digest hour, {workers} worker(s) | {n} | – | {rate:.2f} digests/s{per} |")
    measured = [n for n in sizes if (1, n) in hour and (2, n) in hour]
    ratio = hour[2, measured[-1]] / hour[1, measured[-1]] if measured else None
    teams = f"{measured[-1]}" if measured else ""
    print(f"| digest hour 2 ÷ 1 workers | {teams} | – | {cell(ratio, '{:.2f}', 1)} |")
    print(
        f"\ndigest charts: {cpu:.3f} s CPU per digest ({len(specs)} charts, 3 teams in turn on "
        f"one kept Sheet, as a chart process draws them); {cpu_fresh:.3f} s on a fresh Sheet each"
    )
    per_worker = hour.get((1, measured[-1])) if measured else None
    projection = 5000 * cpu / 4 / 60
    overhead = f"{cost * 1000:.2f} ms per task" if cost is not None else "Redis not reachable"
    measured_line = (
        f"; from the measured hour ({per_worker:.2f} digests/s per worker process, one per core): "
        f"{5000 / (per_worker * 4) / 60:.1f} min"
        if per_worker
        else ""
    )
    print(
        f"5 000 digests on 4 cores: {projection:.1f} min of chart CPU{measured_line}; broker "
        f"(Redis stream, client side): {overhead} ({5000 * (cost or 0):.1f} s for 5 000); "
        f"Telegram's floor for 10 000 messages at 30/s: 5.6 min"
    )

    def ms(values: list[float]) -> str:
        return f"p50 {p(values, 0.5) * 1000:.1f} ms p95 {p(values, 0.95) * 1000:.1f} ms"

    print(
        f"inbound round trip: idle {ms(quiet)}; while {rendering} digests render in the chart "
        f"process {ms(busy)}; in a thread (before) {ms(threaded)}"
    )
    print()
    print(f"target idle_ratio_5000_50: {max(ratios.values()):.2f} (goal <= 2)")
    workers_value = f"{ratio:.2f}" if ratio is not None else "not measured (PostgreSQL + Redis)"
    print(f"target workers_2_over_1: {workers_value} (goal >= 1.7)")
    print(f"target digest_cpu_s: {cpu:.3f} (goal <= 0.25)")
    print(f"target inbound_p95_ratio: {p(busy, 0.95) / p(quiet, 0.95):.2f} (goal <= 2)")
    print("\n".join(answer_targets))


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        asyncio.run(serve_worker(*sys.argv[2:7]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, teams and digests")
    asyncio.run(main(parser.parse_args().quick))
