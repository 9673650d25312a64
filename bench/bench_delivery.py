"""Benchmark: delivery at scale — the real bot (bot.app.running: polling, middlewares, the
delivery middleware, the planner) against the Bot API emulator, on an SQLite file (or the
database of PLANERKA_BENCH_DATABASE_URL, which must be empty), measured side by side in one run:

(a) inbound: KPI answers per second through the whole stack, against a bare aiogram echo
    handler on the same emulator with the same people (flood limits off on both sides);
(b) outbound: the opening of a collection for 600 members (intro + first question each) with
    the emulator enforcing Telegram's limits: achieved rate over the allowed rate, and nothing
    lost or repeated;
(c) faults: a 300-member cycle (opening, five answers each) with 20 % of send calls failing
    (5xx, timeouts, dropped connections): every question delivered once, every answer stored
    once.

Run from the repository root: .venv/bin/python bench/bench_delivery.py   (or `make bench`)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Dispatcher, Router
from aiogram.types import Message
from sqlalchemy import event

from bench._harness import (
    DONE,
    OPENS,
    TOKEN,
    VALUES,
    Responders,
    backend,
    delivered,
    fresh_database,
    line,
    people,
    seed_team,
    stored_answers,
)
from bot.app import App, running
from core.config import Settings
from core.runtime import ManualClock
from jobs import periodic_jobs
from jobs.loop import tick
from tgemu import Event, TelegramEmulator

NO_LIMITS = {"delivery_global_per_s": 0, "delivery_private_per_s": 0, "delivery_group_per_min": 0}
GLOBAL_PER_S = 30


@contextlib.contextmanager
def counted(app: App) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block (their first word)."""
    statements: list[str] = []

    def on_statement(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    sync = app.engine.sync_engine
    event.listen(sync, "before_cursor_execute", on_statement)
    try:
        yield statements
    finally:
        event.remove(sync, "before_cursor_execute", on_statement)


@contextlib.asynccontextmanager
async def emulated(
    workdir: Path, name: str, members: int
) -> AsyncIterator[tuple[TelegramEmulator, list[int], str]]:
    """The emulator and a database with a team of `members`."""
    user_ids = list(range(10_001, 10_001 + members))
    async with fresh_database(workdir, name) as url:
        emu = TelegramEmulator(token=TOKEN, bot_username="planerka_bench_bot")
        await emu.start()
        people(emu, user_ids)
        await seed_team(url, user_ids)
        try:
            yield emu, user_ids, url
        finally:
            await emu.stop()


def bot_running(emu: TelegramEmulator, url: str, **settings: object) -> Any:
    """The real bot (polling the emulator) as an async context manager."""
    emu.queue.drop_pending()
    config = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=url,
        telegram_api_url=emu.api_url,
        log_level="ERROR",
        **settings,
    )
    return running(config, clock=ManualClock(OPENS), tick_seconds=3600)


@contextlib.asynccontextmanager
async def world(
    workdir: Path, name: str, members: int, **settings: object
) -> AsyncIterator[tuple[TelegramEmulator, App, list[int], str]]:
    """The emulator with a team of `members`, and the real bot running against it."""
    async with (
        emulated(workdir, name, members) as (emu, user_ids, url),
        bot_running(emu, url, **settings) as app,
    ):
        yield emu, app, user_ids, url


async def echo_round(emu: TelegramEmulator, user_ids: list[int]) -> float:
    """Seconds for every member to send 5 messages, each after the echo of the one before, to
    a bare aiogram bot: one router, one handler answering with the text."""
    emu.queue.drop_pending()
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    echo_bot = emu.make_bot()
    people_side = Responders(emu, user_ids, echo=True)
    emu.on_event = people_side.on_event
    seen = len(emu.calls)
    polling = asyncio.create_task(dp.start_polling(echo_bot, handle_signals=False))
    while not any(name == "getUpdates" for name, _ in emu.calls[seen:]):
        await asyncio.sleep(0.01)
    people_side.begin(lambda _: "1")
    await asyncio.wait_for(people_side.finished.wait(), 300)
    await dp.stop_polling()
    await polling
    emu.on_event = None
    return people_side.seconds


def exactly_once(emu: TelegramEmulator, user_ids: list[int], questions: int) -> tuple[int, int]:
    """(members missing something, messages repeated) for intro + questions 1..`questions`."""
    intros, asked = delivered(emu, user_ids)
    missing = repeated = 0
    for user_id in user_ids:
        counts = [intros[user_id], *(asked[user_id, k] for k in range(1, questions + 1))]
        missing += any(c == 0 for c in counts)
        repeated += sum(max(0, c - 1) for c in counts)
    return missing, repeated


# ----------------------------------------------------------------------------- (a) inbound
@dataclass(frozen=True)
class Inbound:
    answers: int
    full_seconds: float
    echo_before: float
    echo_after: float
    stored_ok: bool

    @property
    def full_rate(self) -> float:
        return self.answers / self.full_seconds

    @property
    def echo_rate(self) -> float:
        return self.answers / ((self.echo_before + self.echo_after) / 2)

    @property
    def ratio(self) -> float:
        return self.full_rate / self.echo_rate


async def measure_inbound(workdir: Path, members: int, name: str = "inbound") -> Inbound:
    """Every member answers 5 questions through the full stack, between two echo rounds."""
    async with emulated(workdir, name, members) as (emu, ids, url):
        async with bot_running(emu, url, **NO_LIMITS) as app:
            await tick(app.runtime, periodic_jobs())  # the opening: question 1 each (not timed)
            await emu.wait_idle()
        before = await echo_round(emu, ids)
        async with bot_running(emu, url, **NO_LIMITS):
            full = Responders(emu, ids)
            emu.on_event = full.on_event
            full.begin(lambda _: VALUES[0])
            await asyncio.wait_for(full.finished.wait(), 300)
            await emu.wait_idle()
            emu.on_event = None
        after = await echo_round(emu, ids)
        count, values = await stored_answers(url)
    answers = members * 5
    ok = count == answers and all(values[v] == members for v in VALUES)
    return Inbound(answers, full.seconds, before, after, ok)


async def inbound(workdir: Path, members: int) -> bool:
    print(
        f"== (a) inbound: {members} members answer their 5 KPI questions, flood limits off; "
        "a bare aiogram echo before and after, same people, same emulator"
    )
    m = await measure_inbound(workdir, members)
    line(f"full stack on {backend()} (stored, next asked):",
         f"{m.answers} in {m.full_seconds:.2f} s = {m.full_rate:.1f} answers/s")  # fmt: skip
    line("bare aiogram echo (before; after):",
         f"{m.answers} in {m.echo_before:.2f} s; {m.echo_after:.2f} s"
         f" = {m.echo_rate:.1f} messages/s")  # fmt: skip
    line("ratio full stack / bare echo:", f"{m.ratio:.2f}")
    line("answers stored:", f"{m.answers if m.stored_ok else 'not'} of {m.answers} "
         f"{'ok' if m.stored_ok else 'WRONG'}")  # fmt: skip
    return m.stored_ok


# ----------------------------------------------------------------------------- (b) outbound
@dataclass(frozen=True)
class Outbound:
    members: int
    sent: int
    tick_seconds: float
    rate: float  # msg/s, first to last message
    missing: int
    repeated: int
    rejected: int
    statements: int  # SQL statements of the whole opening tick

    @property
    def ratio(self) -> float:
        return self.rate / GLOBAL_PER_S

    @property
    def statements_per_member(self) -> float:
        return self.statements / self.members

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.repeated == 0 and self.sent == 2 * self.members


async def measure_outbound(workdir: Path, members: int, name: str = "outbound") -> Outbound:
    """The opening tick for `members` under Telegram's limits, its statements counted."""
    times: list[float] = []

    def stamp(event: Event) -> None:
        if event.kind == "bot_message":
            times.append(time.perf_counter())

    async with world(workdir, name, members) as (emu, app, ids, _):
        emu.set_limits(global_per_s=GLOBAL_PER_S, private_per_s=1, group_per_min=20)
        emu.on_event = stamp
        with counted(app) as statements:
            start = time.perf_counter()
            await tick(app.runtime, periodic_jobs())
            end = time.perf_counter()
        await emu.wait_idle()
        missing, repeated = exactly_once(emu, ids, 1)
        rejected = emu.stats.rejected_429
    sent = len(times)
    rate = (sent - 1) / (times[-1] - times[0]) if sent > 1 else 0.0
    return Outbound(members, sent, end - start, rate, missing, repeated, rejected, len(statements))


async def outbound(workdir: Path, members: int) -> bool:
    print(
        f"== (b) outbound: collection opens for {members} members (intro + question 1 each); "
        "the emulator enforces 30 msg/s overall, 1/s per private chat, 20/min per group"
    )
    m = await measure_outbound(workdir, members)
    line("messages delivered:", f"{m.sent} in {m.tick_seconds:.1f} s (the whole tick)")
    line("sending rate, first to last message:", f"{m.rate:.1f} msg/s; allowed 30/s")
    line("ratio achieved / allowed:", f"{m.ratio:.2f}")
    line("SQL statements per member (the whole tick):", f"{m.statements_per_member:.1f}")
    line("members missing a message / repeats:", f"{m.missing} / {m.repeated}")
    line("429 answers from the emulator:", str(m.rejected))
    return m.ok


# ----------------------------------------------------------------------------- (c) faults
async def faults(workdir: Path, members: int) -> bool:
    print(
        f"== (c) faults: a {members}-member cycle (opening, 5 answers each); 20 % of send calls "
        "fail: 10 % 500/502, 5 % hang past the bot's 2 s timeout, 5 % dropped connections; "
        "flood limits off"
    )
    cfg = {**NO_LIMITS, "delivery_timeout_s": 2, "delivery_backoff_s": 0.2}
    async with world(workdir, "faults", members, **cfg) as (emu, app, ids, url):
        emu.set_faults(error_5xx=0.10, timeout=0.05, drop=0.05, seed=2026, hang_seconds=5)
        cycle = Responders(emu, ids)
        emu.on_event = cycle.on_event
        cycle.begin()  # members answer each question as it arrives, from question 1
        await tick(app.runtime, periodic_jobs())
        try:
            await asyncio.wait_for(cycle.finished.wait(), 300)
        except TimeoutError:
            print(f"   stuck: {len(ids) - len(cycle.done)} members did not finish")
        emu.set_faults()
        await emu.wait_idle(quiet=0.5, timeout=30)
        missing, repeated = exactly_once(emu, ids, 5)
        done_messages = sum(1 for m in emu.sent if DONE in (m.plain or ""))
        count, values = await stored_answers(url)
        injected = sum(emu.stats.faults_by_kind.values())
        calls = emu.stats.calls_by_method
        sends = sum(n for name, n in calls.items() if name.startswith("send"))
        by_kind = ", ".join(f"{k} {v}" for k, v in sorted(emu.stats.faults_by_kind.items()))
    answers = members * 5
    line("cycle time:", f"{cycle.seconds:.1f} s")
    line(
        "send calls / faults injected:", f"{sends} / {injected} ({injected / sends:.0%}: {by_kind})"
    )
    line("members missing a question / repeats:", f"{missing} / {repeated}")
    line("answers stored (each once):", f"{count} of {answers}")
    line("'saved' cards:", f"{done_messages} of {members}")
    ok = (
        missing == 0
        and repeated == 0
        and count == answers
        and all(values[v] == members for v in VALUES)
        and done_messages == members
    )
    line("every question once, every answer once:", "yes" if ok else "NO")
    return ok


async def main(quick: bool) -> int:
    logging.basicConfig(level=logging.CRITICAL)
    scale = 4 if quick else 1
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planerka-bench-") as tmp:
        workdir = Path(tmp)
        results = [
            await inbound(workdir, 60 // scale),
            await outbound(workdir, 600 // scale),
            await faults(workdir, 300 // scale),
        ]
    print(f"== total {time.perf_counter() - started:.0f} s", flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the people")
    sys.exit(asyncio.run(main(parser.parse_args().quick)))
