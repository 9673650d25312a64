"""The answers' and the opening's part of bench_scale: bench_delivery's runs (the real bot
polling the emulator) on SQLite and, when it answers, PostgreSQL, reported as targets:

- answer_statements: SQL statements per stored answer (the answers that ask the next question:
  tests/e2e/test_answer_cost.py's figure), the worst of the databases;
- answers_vs_echo: full-stack answers/s ÷ a bare aiogram echo on the same emulator, the worst;
- opening_statements_per_member: the opening tick's statements ÷ its members (team-wide reads
  included), the worst;
- opening_rate_ratio: the opening's sending rate ÷ the 30 msg/s allowed, the worst.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from bench._harness import QUESTION, VALUES, Responders
from bench.bench_delivery import (
    NO_LIMITS,
    bot_running,
    counted,
    emulated,
    measure_inbound,
    measure_outbound,
)
from jobs import periodic_jobs
from jobs.loop import tick

ENV = "PLANERKA_BENCH_DATABASE_URL"


@contextlib.contextmanager
def on_database(kind: str, pg_url: str) -> Iterator[None]:
    """bench_delivery's runs on `kind` (it reads the server from the environment)."""
    before = os.environ.pop(ENV, None)
    if kind == "PostgreSQL":
        os.environ[ENV] = pg_url
    try:
        yield
    finally:
        os.environ.pop(ENV, None)
        if before is not None:
            os.environ[ENV] = before


class FirstAnswers(Responders):
    """Members answer questions 1..rounds and are done once question rounds + 1 arrives."""

    def _react(self, user_id: int, text: str) -> None:
        found = QUESTION.search(text)
        if found and int(found.group(1)) == self.rounds + 1:
            self._one_done(user_id)
        else:
            super()._react(user_id, text)


async def statements_per_answer(workdir: Path, members: int, name: str) -> float:
    """Members answer questions 1–4 (each answer stores a value and asks the next question)."""
    async with (
        emulated(workdir, name, members) as (emu, ids, url),
        bot_running(emu, url, **NO_LIMITS) as app,
    ):
        await tick(app.runtime, periodic_jobs())
        await emu.wait_idle()
        people = FirstAnswers(emu, ids, rounds=4)
        emu.on_event = people.on_event
        with counted(app) as statements:
            people.begin(lambda _: VALUES[0])
            await asyncio.wait_for(people.finished.wait(), 300)
            await emu.wait_idle()
        emu.on_event = None
    return len(statements) / (members * 4)


async def targets(workdir: Path, kinds: list[str], pg_url: str, quick: bool) -> list[str]:
    """The measurements (printed as they come) and the four target lines."""
    inbound_members, opening_members = (20, 150) if quick else (60, 600)
    found: dict[str, dict[str, float]] = {}
    for kind in kinds:
        with on_database(kind, pg_url):
            tag = kind.lower()
            per_answer = await statements_per_answer(workdir, 10, f"answer_cost_{tag}")
            inbound = await measure_inbound(workdir, inbound_members, f"answers_{tag}")
            opening = await measure_outbound(workdir, opening_members, f"opening_{tag}")
        found[kind] = {
            "answer_statements": per_answer,
            "answers_vs_echo": inbound.ratio,
            "opening_statements_per_member": opening.statements_per_member,
            "opening_rate_ratio": opening.ratio,
        }
        print(
            f"  {kind} answers: {per_answer:.1f} statements each; {inbound.full_rate:.1f}/s "
            f"full stack vs {inbound.echo_rate:.1f}/s bare echo ({inbound_members} members); "
            f"opening of {opening_members}: {opening.statements_per_member:.1f} statements "
            f"per member, {opening.rate:.1f} msg/s, {opening.missing} missing, "
            f"{opening.repeated} repeated",
            flush=True,
        )
    worst_max = {k: max(f[k] for f in found.values()) for k in found[kinds[0]]}
    worst_min = {k: min(f[k] for f in found.values()) for k in found[kinds[0]]}
    return [
        f"target answer_statements: {worst_max['answer_statements']:.1f} (goal <= 8)",
        f"target answers_vs_echo: {worst_min['answers_vs_echo']:.2f} (goal >= 0.12)",
        "target opening_statements_per_member: "
        f"{worst_max['opening_statements_per_member']:.1f} (goal <= 5)",
        f"target opening_rate_ratio: {worst_min['opening_rate_ratio']:.2f} (goal >= 0.95)",
    ]
