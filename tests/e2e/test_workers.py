"""Workers: two `planerka worker` processes (bot.app.working) share one digest hour through the
real PostgreSQL and the Redis streams broker. Each posts some of the digests, no team's digest
is posted by two workers, and a worker killed mid-hour (SIGKILL) loses nothing: the moments of
the tasks it held stay leased and come due again when the lease ends (the next pass kicks them;
the broker also hands unacknowledged messages to another worker), and a post it had claimed is
retaken once the post log's lease ends.

`python -m tests.e2e.test_workers worker ...` is the worker process the test starts; its clock
is read from a file the test moves.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.config import Settings
from core.runtime import FileClock, Runtime
from jobs.engine import Engine, due_pass, make_broker
from models.db import create_engine, session_maker
from models.tables import Member, MemberRole, PostLog, Team, User
from services.common import postlog
from tests.e2e.test_replicas import needs_postgresql, until
from tests.support.app import REDIS_URL, TOKEN
from tgemu import TelegramEmulator
from views.i18n import I18n

ROOT = Path(__file__).resolve().parents[2]
MSK = ZoneInfo("Europe/Moscow")
WEEK = date(2026, 11, 16)
HOUR = datetime(2026, 11, 23, 9, 31, tzinfo=MSK)  # a minute after the week's deadline
TEAMS = 12
# each worker's messages per second: the hour takes a few seconds; A, the one killed, is the
# slower, so that when it has posted one digest it is still in the middle of the next
RATE = {"A": 1, "B": 3}
POSTED = re.compile(r"digest of team (\d+) ran: True")


def needs_redis() -> None:
    if REDIS_URL:
        return
    if os.environ.get("PLANERKA_REQUIRE_SERVERS") == "1":
        pytest.fail("PLANERKA_TEST_REDIS_URL is required (PLANERKA_REQUIRE_SERVERS=1)")
    pytest.skip("PLANERKA_TEST_REDIS_URL is not set: the workers' broker is Redis")


def settings_for(database_url: str, api_url: str, queue: str, rate: float = 3) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=database_url,
        telegram_api_url=api_url,
        broker_url=REDIS_URL,
        broker_queue=queue,
        broker_idle_seconds=8,
        worker_tasks=2,
        delivery_global_per_s=rate,
        delivery_group_per_min=0,
        log_level="INFO",
    )


async def seed_teams(database_url: str, emu: TelegramEmulator) -> list[int]:
    """TEAMS registered teams, two members with roles each (rows written directly)."""
    engine = create_engine(database_url)
    chats = []
    async with session_maker(engine)() as s:
        for n in range(TEAMS):
            chat, users = -300100 - n, [6100 + 2 * n, 6101 + 2 * n]
            emu.add_user(users[0], f"Лид{n}")
            emu.add_user(users[1], f"Сотрудник{n}")
            emu.add_group(chat, f"Команда {n}", creator=users[0], members=users, with_bot=True)
            team = Team(chat_id=chat, title=f"Команда {n}", anchor_date=WEEK, join_token=f"w{n}")
            s.add(team)
            await s.flush()
            for user_id in users:
                s.add(User(id=user_id, full_name=f"Сотрудник {user_id}", started=True))
                await s.flush()
                member = Member(team_id=team.id, user_id=user_id)
                s.add(member)
                await s.flush()
                s.add(MemberRole(member_id=member.id, role_code="context_ads_specialist"))
            chats.append(chat)
        await s.commit()
    await engine.dispose()
    return chats


class Worker:
    def __init__(self, name: str, args: list[str], log: Path) -> None:
        self.name, self.log = name, log
        self.args = [sys.executable, "-m", "tests.e2e.test_workers", "worker", *args, name]
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, ready: Path) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                *self.args, cwd=ROOT, stdout=out, stderr=out
            )
        await until(lambda: (ready / self.name).exists(), 60, f"worker {self.name} to start")

    def posted(self) -> list[int]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [int(team) for team in POSTED.findall(text)]

    async def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL

    async def stop(self) -> int | None:
        """SIGTERM, as a service manager stops it; its exit code."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
        return self.process.returncode if self.process is not None else None


async def digest_rows(database_url: str) -> list[PostLog]:
    engine = create_engine(database_url)
    async with session_maker(engine)() as s:
        rows = list(await s.scalars(select(PostLog).where(PostLog.kind == "digest")))
    await engine.dispose()
    return rows


async def test_two_workers_share_the_digest_hour_and_a_killed_one_loses_nothing(
    emu: TelegramEmulator, database_url: str, tmp_path: Path
) -> None:
    needs_postgresql()
    needs_redis()
    chats = await seed_teams(database_url, emu)
    clock = FileClock(tmp_path / "clock")
    clock.set(HOUR)
    queue = f"planerka-test-{uuid.uuid4().hex[:8]}"
    args = [database_url, emu.api_url, queue, str(clock.path), str(tmp_path)]
    a = Worker("A", args, tmp_path / "a.log")
    b = Worker("B", args, tmp_path / "b.log")

    # the planner's side: the pass kicks tasks into the broker, this process runs none
    settings = settings_for(database_url, emu.api_url, queue)
    engine = create_engine(database_url)
    runtime = Runtime(
        bot=None,  # type: ignore[arg-type]
        sessionmaker=session_maker(engine),
        i18n=I18n(),
        settings=settings,
        clock=clock,
    )
    runtime.engine = Engine(runtime, make_broker(REDIS_URL, queue=queue))
    try:
        await a.start(tmp_path)
        await b.start(tmp_path)
        await due_pass(runtime, clock())
        await until(lambda: a.posted() and b.posted(), 60, "both workers to post")
        await a.kill()  # mid-hour: A holds tasks it hasn't finished
        killed_with = set(a.posted())

        await emu.wait_idle(quiet=1.0, timeout=60)  # B has done what it holds
        assert len(set(a.posted()) | set(b.posted())) < TEAMS, "A died holding work"
        # A's tasks come due again when the pass's lease on their moments ends (and a post
        # it had claimed is retaken when the post log's lease ends)
        clock.set(HOUR + postlog.LEASE + timedelta(minutes=1))
        await due_pass(runtime, clock())

        async def all_done() -> bool:
            rows = await digest_rows(database_url)
            return len(rows) == TEAMS and all(r.done for r in rows)

        await until(all_done, 60, f"every digest to be done:\n{b.log.read_text()[-3000:]}")
        await emu.wait_idle(quiet=0.5, timeout=30)
    finally:
        await a.stop()
        b_exit = await b.stop()
        await runtime.engine.stop()
        await engine.dispose()

    assert b_exit == 0, "on SIGTERM a worker closes its engine, broker and bot, and exits 0"

    by_a, by_b = Counter(killed_with), Counter(b.posted())
    assert by_a and by_b, "each worker posts some of the digests"
    assert max((by_a + by_b).values()) == 1, "no team's digest is posted twice"
    rows = await digest_rows(database_url)
    assert len(rows) == TEAMS and all(r.done for r in rows)
    texts = Counter(m.chat_id for m in emu.sent if m.method == "sendMessage")
    assert set(texts) == set(chats), "every group got its digest"
    retaken = {r.team_id for r in rows if r.late}
    # a group sees a digest twice only where A died between claiming and finishing it
    assert sum(texts.values()) - TEAMS <= len(retaken)


# ----------------------------------------------------------------------------- the process
async def serve_worker(
    database_url: str, api_url: str, queue: str, clock_file: str, ready: str, name: str
) -> None:
    from bot.app import until_stopped, working

    settings = settings_for(database_url, api_url, queue, RATE[name])
    async with working(settings, clock=FileClock(Path(clock_file))):
        (Path(ready) / name).touch()
        await until_stopped()


if __name__ == "__main__" and sys.argv[1:2] == ["worker"]:
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("jobs.engine").setLevel(logging.INFO)
    asyncio.run(serve_worker(*sys.argv[2:8]))
