"""State in the database: the bot killed with SIGKILL in the middle of someone's questions
continues at the same question; an update delivered twice stores one value. The bot runs as a
real process (`python -m bot run`) against the in-test emulator, on SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import copy
import os
import signal
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from demo.scenario import join_team, register_team
from models.db import session_maker
from models.tables import Answer, Checkin
from tests.support.app import REDIS_URL, TOKEN
from tests.support.checkins import (
    ANNA,
    GROUP,
    OPENS,
    QUICK,
    plain,
    run_tick,
    say,
    team_ready,
)
from tgemu import TelegramEmulator

ROOT = Path(__file__).resolve().parents[2]
D = Decimal


class BotProcess:
    """`python -m bot run` against the emulator; started, killed, started again."""

    def __init__(self, emu: TelegramEmulator, database_url: str, log: Path) -> None:
        self.emu = emu
        self.env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emu.api_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            "DELIVERY_PRIVATE_PER_S": "0",
            "DELIVERY_GLOBAL_PER_S": "0",
            "DELIVERY_GROUP_PER_MIN": "0",
        }
        self.env.pop("REDIS_URL", None)
        if REDIS_URL:
            self.env["REDIS_URL"] = REDIS_URL
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        seen = len(self.emu.calls)
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env, stdout=out, stderr=out
            )
        for _ in range(600):  # up to 60 s for a cold start
            if any(name == "getUpdates" for name, _ in self.emu.calls[seen:]):
                return
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise AssertionError(f"the bot did not start polling:\n{self.log.read_text()[-3000:]}")

    async def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL
        self.process = None

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@pytest.fixture
async def bot_process(emu, database_url, tmp_path) -> AsyncIterator[BotProcess]:
    process = BotProcess(emu, database_url, tmp_path / "bot.log")
    try:
        yield process
    finally:
        await process.stop()


async def state(engine) -> tuple[dict[str, Decimal | None], int, str, int]:
    """Anna's answers this period, her position and state, and the answers' row count."""
    async with session_maker(engine)() as s:
        checkin = await s.scalar(select(Checkin))
        rows = list(
            await s.scalars(select(Answer).where(Answer.period_start == checkin.period_start))
        )
        values = {a.input_code: a.value for a in rows}
        return values, checkin.position, checkin.state, len(rows)


def redeliver(emu: TelegramEmulator, update_id: int, message: dict) -> None:
    """Telegram sends an update again when the bot died before confirming it: put it back in
    the emulator's queue under the same update id (the emulator has no call for this)."""
    emu.queue._items.insert(0, {"update_id": update_id, "message": copy.deepcopy(message)})
    emu.queue.pulse()


async def test_kill_9_in_the_middle_of_the_questions_continues_at_the_same_question(
    emu, engine, bot_process
):
    emu.add_user(1, "Ольга", username="olga")
    emu.add_user(ANNA, "Анна", username="anna")
    emu.add_group(GROUP, "Маркетинг", creator=1, members=[ANNA])
    await bot_process.start()
    await register_team(emu, GROUP, 1)
    await join_team(emu, GROUP, ANNA, ["context_ads_specialist"])

    mark = emu.mark()
    emu.send(ANNA, ANNA, "/report")  # opens the current period for Анна now
    await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)
    await say(emu, ANNA, "150000")
    mark = emu.mark()
    typed = emu.send(ANNA, ANNA, "12000")
    await emu.wait_for(ANNA, "Вопрос 3 из 5", after=mark)
    assert await state(engine) == (
        {"spend": D(150000), "impressions": D(12000)},
        2,
        "in_progress",
        2,
    )

    await bot_process.kill()
    redeliver(emu, typed.update_id, typed.raw)  # the answer to question 2 comes again
    await bot_process.start()
    await emu.wait_idle(quiet=1.0, timeout=20)
    # the repeated update stored nothing (it would have answered question 3 with 12 000)
    assert await state(engine) == (
        {"spend": D(150000), "impressions": D(12000)},
        2,
        "in_progress",
        2,
    )
    assert len([m for m in emu.messages(ANNA) if "Вопрос 3 из 5" in plain(m)]) == 1

    reply = await say(emu, ANNA, "600", timeout=20)  # continues at question 3
    assert "Вопрос 4 из 5" in plain(reply)
    assert (await state(engine))[0]["clicks"] == D(600)

    # killed while handling an answer: either it was saved with the move, or neither was
    emu.send(ANNA, ANNA, "30")
    await asyncio.sleep(0.05)
    await bot_process.kill()
    values, position, _, count = await state(engine)
    assert (count, position, values.get("conversions")) in ((3, 3, None), (4, 4, D(30)))
    await bot_process.start()
    await emu.wait_idle(quiet=1.0, timeout=20)
    asked = await say(emu, ANNA, "/report", timeout=20)
    _, position, _, _ = await state(engine)
    assert f"Вопрос {position + 1} из 5" in plain(asked)
    while "сохранены" not in plain(asked):
        asked = await say(emu, ANNA, "30" if "Конверсии" in plain(asked) else "450000", timeout=20)
    values, position, checkin_state, count = await state(engine)
    assert checkin_state == "done" and count == 5
    assert values == {
        "spend": D(150000),
        "impressions": D(12000),
        "clicks": D(600),
        "conversions": D(30),
        "revenue": D(450000),
    }


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def test_the_same_update_delivered_twice_stores_one_value(emu, app, clock, engine):
    from aiogram.types import Update

    await team_ready(emu)
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)
    mark = emu.mark()
    typed = emu.send(ANNA, ANNA, "150000")
    await emu.wait_for(ANNA, "Вопрос 2 из 5", after=mark)

    update = Update.model_validate({"update_id": typed.update_id, "message": typed.raw})
    before = len(emu.sent)
    await app.dispatcher.feed_update(app.runtime.bot, update)  # the real dispatcher, again
    await emu.wait_idle()
    assert len(emu.sent) == before  # nothing answered the second time
    values, position, _, count = await state(engine)
    assert (values, position, count) == ({"spend": D(150000)}, 1, 1)

    # the same answer as a new update is an answer to the next question, as it should be
    reply = await say(emu, ANNA, "150000")
    assert "Вопрос 3 из 5" in plain(reply)
    assert (await state(engine))[0] == {"spend": D(150000), "impressions": D(150000)}
