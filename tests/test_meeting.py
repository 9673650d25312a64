"""The planerka through the emulator: the real bot, its HTTP session, a real database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.app import running
from models.db import session_maker
from models.tables import Meeting, MeetingSpeaker, Task
from tests.conftest import make_settings
from tests.meeting_fixtures import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    VERA,
    alert,
    numbers,
    plain,
    press,
    say,
    team_ready,
)


@pytest.fixture
async def app(emu, database_url, clock):
    """The real bot; the group's 20-a-minute flood limit (bot/delivery.py, tested there) is off,
    since a whole meeting here takes seconds."""
    async with running(
        make_settings(emu, database_url, delivery_group_per_min=0), clock=clock, tick_seconds=3600
    ) as app:
        yield app


async def rows(app, model, *where):
    async with session_maker(app.engine)() as s:
        return list(await s.scalars(select(model).where(*where)))


async def count(app, model, *where) -> int:
    async with session_maker(app.engine)() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_a_whole_meeting(emu, app):
    await team_ready(emu)
    await numbers(app)

    refusal = await say(emu, BORIS, GROUP, "/planerka")
    assert "только ведущие" in plain(refusal)
    assert await count(app, Meeting) == 0

    mark = emu.mark()
    emu.send(LEAD, GROUP, "/planerka")
    agenda = await emu.wait_for(GROUP, "Повестка планёрки", after=mark)
    assert "1. Сайт трафик" in plain(agenda) and "10. Аналитика и отчетность" in plain(agenda)
    assert "н/д" in plain(agenda)
    assert "CTR" in plain(agenda) and "1,2 %" in plain(agenda)
    assert "Не сдали цифры 2 человека: Борис, Ольга" in plain(agenda)
    card = await emu.wait_for(GROUP, "Слово", after=mark)
    assert "Планёрка началась" in plain(card) and "Выступают 4 человека" in plain(card)
    assert "Анна (1 из 4)" in plain(card)
    assert "🔴 CTR (click-through rate): 1,2 %" in plain(card)  # off its 2 % target
    assert "план 60 %" in plain(card)
    assert "➕ Задача: CTR (click-through rate)" in card.button_texts()
    assert "◀ Назад" not in card.button_texts()  # nobody before the first speaker

    # Борис is neither the speaker nor a lead
    assert "выступающий или ведущий" in await alert(emu, BORIS, card, "Дальше ▶")
    # Анна passes the floor herself
    boris = await press(emu, ANNA, card, "Дальше ▶", contains="Слово")
    assert "Борис (2 из 4)" in plain(boris)
    assert "н/д" in plain(boris)  # he reported nothing
    await emu.wait_idle()
    assert emu.bot_message(GROUP, card.message_id).buttons == []  # old card's buttons gone
    # a second press on Анна's old card changes nothing
    async with session_maker(app.engine)() as s:
        assert (await s.scalar(select(Meeting))).position == 1

    back = await press(emu, LEAD, boris, "◀ Назад", contains="Слово")
    assert "Анна (1 из 4)" in plain(back)

    prompt = await press(
        emu, LEAD, back, "➕ Задача: CTR (click-through rate)", contains="Задача для"
    )
    assert "Анна" in plain(prompt) and "CTR" in plain(prompt)
    mark = emu.mark()
    emu.send(LEAD, GROUP, "поднять CTR до 2% до пт", reply_to=prompt)
    created = await emu.wait_for(GROUP, "Задача поставлена", after=mark)
    assert "поднять CTR до 2%" in plain(created) and "27 нояб." in plain(created)
    dm = await emu.wait_for(ANNA, "Вам задача", after=mark)
    assert "✅ Готово" in dm.button_texts()

    boris = await press(emu, LEAD, back, "Дальше ▶", contains="Слово")
    vera = await press(emu, LEAD, boris, "Пропустить ⏭", contains="Слово")
    assert "Вера (3 из 4)" in plain(vera)
    created = await say(emu, LEAD, GROUP, "/task @vera обновить контент-план до 28.11")
    assert "Задача поставлена" in plain(created) and "Вера" in plain(created)
    olga = await press(emu, VERA, vera, "Дальше ▶", contains="Слово")
    assert "Ольга (4 из 4)" in plain(olga)
    closing = await press(emu, LEAD, olga, "Дальше ▶", contains="Все выступили")
    assert "🏁 Завершить планёрку" in closing.button_texts()

    minutes = await press(emu, LEAD, closing, "🏁 Завершить планёрку", contains="Протокол")
    assert "понедельник, 23 нояб. 2026" in plain(minutes)
    assert "Выступили 3 человека: Анна, Вера, Ольга" in plain(minutes)
    assert "Не выступил 1 человек: Борис" in plain(minutes)
    assert "Поставлены 2 задачи" in plain(minutes)
    assert "1. поднять CTR до 2% — Анна, до 27 нояб. · KPI: CTR" in plain(minutes)
    assert "2. обновить контент-план — Вера, до 28 нояб." in plain(minutes)
    assert "Следующая планёрка: понедельник, 30 нояб., 10:00" in plain(minutes)

    [meeting] = await rows(app, Meeting)
    assert meeting.status == "ended" and meeting.running_team_id is None
    assert meeting.minutes is not None and "Борис" in meeting.minutes
    statuses = {
        s.member_id: s.status
        for s in await rows(app, MeetingSpeaker, MeetingSpeaker.meeting_id == meeting.id)
    }
    assert sorted(statuses.values()) == ["skipped", "spoke", "spoke", "spoke"]
    tasks = await rows(app, Task)
    assert {t.due for t in tasks} == {date(2026, 11, 27), date(2026, 11, 28)}
    assert all(t.meeting_id == meeting.id for t in tasks)
    assert {t.kpi_code for t in tasks} == {"ctr", None}

    again = await say(emu, LEAD, GROUP, "/end")
    assert "не идёт" in plain(again)
