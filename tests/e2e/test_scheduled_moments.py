"""A running meeting's 23:59 close and a task's reminders fire through their stored due moments:
starting the meeting and setting the task store them, the planner's pass (the one scheduler)
takes them when they come, and after each run the next one is stored, or none is kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from jobs.loop import tick
from models.db import session_maker
from models.tables import DueMoment, Meeting
from tests.support.app import UNPACED
from tests.support.meetings import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    plain,
    press,
    press_edit,
    say,
    team_ready,
)

BOT_SETTINGS = UNPACED
MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)
CLOSE = datetime(2026, 11, 23, 23, 59, tzinfo=MSK)
REMIND = datetime(2026, 11, 24, 9, 0, tzinfo=MSK)


async def moments_of(app) -> dict[str, datetime]:
    async with session_maker(app.engine)() as s:
        rows = await s.execute(select(DueMoment.kind, DueMoment.due_at))
        return {kind: at for kind, at in rows if kind in ("meeting", "tasks")}


async def tick_at(app, clock, moment: datetime) -> None:
    clock.set(moment)
    await tick(app.runtime)


async def test_the_close_at_2359_and_a_task_reminder_fire_through_the_moments(emu, app, clock):
    await team_ready(emu)
    await tick_at(app, clock, START)  # the week's other due work (last week's digest) first
    await emu.wait_idle()
    assert await moments_of(app) == {}  # no meeting running, no open task: no moments
    card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
    await press(emu, ANNA, card, "Дальше ▶", contains="Слово")  # Boris has the floor at START
    await say(emu, LEAD, GROUP, "/task @boris настроить ретаргетинг до 24.11")
    await tick_at(app, clock, START + timedelta(seconds=5))
    await emu.wait_idle()
    # the current speaker's nudge (3 minutes), then the close; the task's morning
    assert await moments_of(app) == {
        "meeting": START + timedelta(seconds=180),
        "tasks": REMIND,
    }
    await tick_at(app, clock, START + timedelta(seconds=181))
    await emu.wait_for(GROUP, "время выступления вышло")
    assert (await moments_of(app))["meeting"] == CLOSE  # nudged once: the close is next

    # the moment is what the pass follows: moved ahead, the close waits for it
    async with session_maker(app.engine)() as s:
        later = CLOSE + timedelta(minutes=3)
        await s.execute(update(DueMoment).where(DueMoment.kind == "meeting").values(due_at=later))
        await s.commit()
    mark = emu.mark()
    await tick_at(app, clock, CLOSE)
    await emu.wait_idle()
    assert not [m for m in emu.messages(GROUP) if m.seq > mark and "Протокол" in plain(m)]
    await tick_at(app, clock, CLOSE + timedelta(minutes=3))
    minutes = await emu.wait_for(GROUP, "Протокол", after=mark)
    assert "закрыл её сам" in plain(minutes)
    async with session_maker(app.engine)() as s:
        assert (await s.scalar(select(Meeting))).status == "ended"
    assert await moments_of(app) == {"tasks": REMIND}  # no meeting running: none kept

    mark = emu.mark()
    await tick_at(app, clock, REMIND - timedelta(minutes=1))
    await emu.wait_idle()
    assert not [m for m in emu.messages(BORIS) if m.seq > mark]
    await tick_at(app, clock, REMIND)
    reminder = await emu.wait_for(BORIS, "Сегодня срок задачи", after=mark)
    assert "настроить ретаргетинг" in plain(reminder)
    assert await moments_of(app) == {"tasks": REMIND + timedelta(days=1)}  # overdue: daily
    await press_edit(emu, BORIS, reminder, "✅ Готово")
    await tick_at(app, clock, REMIND + timedelta(minutes=1))
    await emu.wait_idle()
    assert await moments_of(app) == {}  # done: no open task, no moment
