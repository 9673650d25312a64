"""Replicas: planner ticks run one at a time in a process; two replicas' due-moments passes take
each moment once (no lock across processes: the lease); and two
real bot processes in webhook mode sharing one PostgreSQL
lose nothing and repeat nothing when the one broadcasting the questions is killed (SIGKILL):
the other leaves the work leased to it alone and takes it over when the lease ends.

`python -m tests.e2e.test_replicas replica ...` is the replica process the test starts: the real
bot (`bot.app.running`) in webhook mode with the test's clock (a file) and a fast planner tick.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import delete, func, insert, select

from core.config import Settings
from core.runtime import FileClock, Runtime
from jobs.engine import Engine, make_broker
from jobs.loop import tick
from models.db import create_engine, migrate, session_maker
from models.tables import Answer, Checkin, DueMoment, Member, MemberRole, Team, User
from services.checkins import flow as checkins
from services.schedule import moments
from tests.support.app import PG_URL, REDIS_URL, TOKEN
from tests.support.webhook import Pusher, free_port
from tgemu import TelegramEmulator
from views.i18n import I18n

ROOT = Path(__file__).resolve().parents[2]
MSK = ZoneInfo("Europe/Moscow")
GROUP = -100777
WEEK = date(2026, 11, 23)
OPENS = datetime(2026, 11, 27, 15, 1, tzinfo=MSK)  # a minute after the collection opened
SECRET = "replica-test-secret"
MEMBERS = 40
RATE = 10  # messages per second overall, for the emulator and the bot alike


def needs_postgresql() -> None:
    if PG_URL:
        return
    if os.environ.get("PLANERKA_REQUIRE_SERVERS") == "1":
        pytest.fail("PLANERKA_TEST_DATABASE_URL is required (PLANERKA_REQUIRE_SERVERS=1)")
    pytest.skip("PLANERKA_TEST_DATABASE_URL is not set: replicas need PostgreSQL")


def runtime_for(database_url: str) -> tuple[Runtime, object]:
    engine = create_engine(database_url)
    settings = Settings(_env_file=None, bot_token=TOKEN, database_url=database_url)
    runtime = Runtime(
        bot=None,  # type: ignore[arg-type]  # the jobs of these tests send nothing
        sessionmaker=session_maker(engine),
        i18n=I18n(),
        settings=settings,
    )
    return runtime, engine


async def test_ticks_in_one_process_run_one_at_a_time(database_url: str) -> None:
    runtime, engine = runtime_for(database_url)
    inside, release = asyncio.Event(), asyncio.Event()
    order: list[str] = []

    async def slow(_: Runtime, __: datetime) -> None:
        order.append("slow")
        inside.set()
        await release.wait()

    async def quick(_: Runtime, __: datetime) -> None:
        order.append("quick")

    first = asyncio.create_task(tick(runtime, [slow]))
    await inside.wait()
    assert await tick(runtime, [quick], wait=False) is False  # the planner's tick: skipped
    waiting = asyncio.create_task(tick(runtime, [quick]))  # a demo's or a test's: waits
    await asyncio.sleep(0.2)
    assert order == ["slow"] and not waiting.done()
    release.set()
    assert await first is True and await waiting is True
    assert order == ["slow", "quick"]
    await engine.dispose()


async def test_two_replicas_passes_take_each_due_moment_once(database_url: str) -> None:
    """No planner lock: the passes of two replicas at once lease disjoint shares of what is
    due (one UPDATE ... RETURNING each), and together all of it."""
    needs_postgresql()
    (one, engine_one), (two, engine_two) = runtime_for(database_url), runtime_for(database_url)
    await migrate(engine_one)
    now = datetime(2026, 11, 30, 9, 30, tzinfo=MSK)
    async with one.sessionmaker() as s:
        await s.execute(
            insert(Team),
            [{"chat_id": -(i + 1), "title": "T", "anchor_date": WEEK, "join_token": f"r{i}"}
             for i in range(200)],
        )  # fmt: skip
        ids = list(await s.scalars(select(Team.id)))
        await s.execute(delete(DueMoment))
        rows = [{"team_id": i, "kind": k, "due_at": now} for i in ids for k in ("digest", "tasks")]
        await s.execute(insert(DueMoment), rows)
        await s.commit()

    async def take(runtime: Runtime) -> dict[int, list[str]]:
        async with runtime.sessionmaker() as s:
            return await moments.take_due(s, now)

    first, second = await asyncio.gather(take(one), take(two))
    taken = [(t, k) for share in (first, second) for t, ks in share.items() for k in ks]
    assert len(taken) == len(rows) == len(set(taken))
    await engine_one.dispose()
    await engine_two.dispose()


async def test_what_a_refresh_runs_is_leased_so_another_replica_leaves_it(
    database_url: str,
) -> None:
    """A refresh that finds a kind due now runs it, leased first: while it runs, another
    replica's pass doesn't take it too (it once did: two replicas delivered one collection)."""
    runtime, engine = runtime_for(database_url)
    await migrate(engine)
    monday = datetime(2026, 11, 30, 9, 31, tzinfo=MSK)  # the digest's window is open
    runtime.clock = lambda: monday
    async with runtime.sessionmaker() as s:
        s.add(Team(chat_id=GROUP, title="T", anchor_date=WEEK, join_token="lease"))
        await s.commit()
        team_id = await s.scalar(select(Team.id))
    async with runtime.sessionmaker() as s:
        assert await moments.take_due(s, monday) == {team_id: ["refresh"]}
    seen: dict[str, object] = {}

    async def digest_job(rt: Runtime, team: int, now: datetime) -> None:
        async with rt.sessionmaker() as s:  # another replica's pass, meanwhile
            seen["other pass"] = await moments.take_due(s, now)

    due_engine = Engine(runtime, make_broker(None))
    due_engine.jobs[moments.DIGEST] = digest_job
    await due_engine.run_team(team_id, ["refresh"])
    assert seen == {"other pass": {}}
    async with runtime.sessionmaker() as s:
        digest_at = await s.get(DueMoment, (team_id, moments.DIGEST))
    assert digest_at.due_at > monday  # after the run: the next week's
    await engine.dispose()


# ----------------------------------------------------------------------------- the replicas
async def seed_team(database_url: str, user_ids: list[int]) -> None:
    """A registered team whose members all started the bot (rows written directly)."""
    engine = create_engine(database_url)
    async with session_maker(engine)() as s:
        team = Team(
            chat_id=GROUP, title="Маркетинг", anchor_date=WEEK, join_token="replicas", locale="ru"
        )
        s.add(team)
        await s.flush()
        for user_id in user_ids:
            s.add(User(id=user_id, full_name=f"Сотрудник {user_id}", started=True, locale="ru"))
            await s.flush()
            member = Member(team_id=team.id, user_id=user_id)
            s.add(member)
            await s.flush()
            s.add(MemberRole(member_id=member.id, role_code="context_ads_specialist"))
        await s.commit()
    await engine.dispose()


class Replica:
    """One bot process in webhook mode; its log goes to a file."""

    def __init__(
        self, name: str, emu: TelegramEmulator, database_url: str, clock: FileClock, log: Path
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram"
        self.log = log
        self.args = [sys.executable, "-m", "tests.e2e.test_replicas", "replica", database_url,
                     emu.api_url, str(self.port), str(clock.path)]  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, http: aiohttp.ClientSession) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                *self.args, cwd=ROOT, stdout=out, stderr=out
            )
        for _ in range(600):  # up to 60 s for a cold start
            if self.process.returncode is not None:
                break
            try:
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as health:
                    if health.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"replica {self.name} did not start:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    async def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def firsts(emu: TelegramEmulator, user_ids: list[int]) -> tuple[Counter[int], Counter[int]]:
    """Per member: how many intros and how many first questions they received."""
    intros, questions = Counter(), Counter()
    for m in emu.sent:
        if m.chat_id in user_ids:
            text = m.plain or ""
            intros[m.chat_id] += "Собираю цифры" in text
            questions[m.chat_id] += "Вопрос 1 из 5" in text
    return intros, questions


async def checkin_marks(database_url: str) -> Counter[str]:
    engine = create_engine(database_url)
    async with session_maker(engine)() as s:
        rows = list(await s.scalars(select(Checkin)))
    await engine.dispose()
    marks = Counter()
    for c in rows:
        qmid = c.question_message_id
        if qmid is None:
            marks[c.state] += 1
        elif qmid == checkins.DELIVERING:
            marks["delivering"] += 1
        else:
            marks["intro_sent" if qmid < 0 else "asked"] += 1
    return marks


async def collection_due(database_url: str) -> datetime:
    engine = create_engine(database_url)
    async with session_maker(engine)() as s:
        due = await s.scalar(select(DueMoment.due_at).where(DueMoment.kind == "collection"))
    await engine.dispose()
    return due


async def until(condition: Callable[[], object], timeout: float, what: str) -> None:
    for _ in range(int(timeout * 20)):
        result = condition()
        if await result if inspect.isawaitable(result) else result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_killing_the_broadcasting_replica_loses_and_repeats_nothing(
    emu: TelegramEmulator, database_url: str, tmp_path: Path
) -> None:
    needs_postgresql()
    user_ids = list(range(5001, 5001 + MEMBERS))
    emu.add_user(1, "Ольга")
    for user_id in user_ids:
        emu.add_user(user_id, f"Сотрудник{user_id}")
        emu.world.user(user_id).started = True
    emu.add_group(GROUP, "Маркетинг", creator=1, members=user_ids, with_bot=True)
    emu.set_limits(global_per_s=RATE, private_per_s=1, group_per_min=20)
    await seed_team(database_url, user_ids)

    clock = FileClock(tmp_path / "clock")  # the replicas' shared time
    clock.set(OPENS)
    a = Replica("A", emu, database_url, clock, tmp_path / "a.log")
    b = Replica("B", emu, database_url, clock, tmp_path / "b.log")
    async with aiohttp.ClientSession() as http:
        try:
            await a.start(http)  # its first tick opens the collection and starts asking
            await until(
                lambda: sum(firsts(emu, user_ids)[1].values()) >= 8,
                30,
                "replica A to be asking",
            )
            # Telegram stops answering: A's sends in flight hang and deliver nothing...
            emu.set_faults(timeout=1.0, hang_seconds=300, methods=["sendMessage"])
            await b.start(http)  # ...B is up, its ticks find the collection leased to A...

            async def settled() -> bool:
                marks = await checkin_marks(database_url)
                intros, questions = firsts(emu, user_ids)
                return marks["asked"] == sum(questions.values()) and marks["asked"] + marks[
                    "intro_sent"
                ] == sum(intros.values())

            await until(settled, 10, "A's deliveries to be recorded")
            marks = await checkin_marks(database_url)
            assert marks["asked"] < MEMBERS, "the broadcast must be cut in the middle"
            assert marks["delivering"] + marks["intro_sent"] > 0, marks
            assert await collection_due(database_url) == OPENS + moments.LEASE
            await a.kill()  # ...and A dies mid-broadcast.
            emu.set_faults()
            clock.set(OPENS + moments.LEASE + timedelta(seconds=1))  # A's lease ends: B takes over

            async def everyone_asked() -> bool:
                return (await checkin_marks(database_url))["asked"] == MEMBERS

            await until(everyone_asked, 60, f"B to finish the broadcast:\n{b.tail()}")
            await emu.wait_idle(quiet=0.5, timeout=20)
            intros, questions = firsts(emu, user_ids)
            assert intros == Counter(dict.fromkeys(user_ids, 1))
            assert questions == Counter(dict.fromkeys(user_ids, 1))

            # Everyone answers; the load balancer tries dead A first, then B.
            pusher = Pusher(emu, [a.url, b.url], SECRET)
            for user_id in user_ids:
                emu.send(user_id, user_id, "150000")
            await pusher.push_pending(http)
            await emu.wait_idle(quiet=0.5, timeout=30)
        finally:
            await a.stop()
            await b.stop()

    assert any(status == 0 for url, status in pusher.answers if url == a.url)
    seconds = Counter(m.chat_id for m in emu.sent if "Вопрос 2 из 5" in (m.plain or ""))
    assert seconds == Counter(dict.fromkeys(user_ids, 1))
    engine = create_engine(database_url)
    async with session_maker(engine)() as s:
        stored = await s.scalar(select(func.count()).select_from(Answer))
        spend = set(await s.scalars(select(Answer.input_code)))
    await engine.dispose()
    assert (stored, spend) == (MEMBERS, {"spend"})


# ----------------------------------------------------------------------------- the process
async def serve_replica(database_url: str, api_url: str, port: int, clock_file: str) -> None:
    from bot.app import running

    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=database_url,
        telegram_api_url=api_url,
        redis_url=REDIS_URL,
        webhook_url="http://127.0.0.1:8443/telegram",  # the load balancer's address
        webhook_secret=SECRET,
        webhook_host="127.0.0.1",
        webhook_port=port,
        delivery_global_per_s=RATE,
        delivery_timeout_s=600,
        log_level="WARNING",
    )
    async with running(settings, clock=FileClock(Path(clock_file)), tick_seconds=0.3):
        await asyncio.Event().wait()


if __name__ == "__main__" and sys.argv[1:2] == ["replica"]:
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    asyncio.run(serve_replica(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
