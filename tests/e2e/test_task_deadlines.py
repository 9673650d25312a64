"""Issue 12, finding 9: one limit for how far ahead a task's deadline may be, whatever form it
is typed in, and the real reason for each refusal — through /task and «🗓 Новый срок»."""

from __future__ import annotations

from sqlalchemy import select

from models.db import session_maker
from models.tables import Task
from tests.support.app import UNPACED
from tests.support.meetings import ANNA, GROUP, LEAD, plain, press, say, team_ready

BOT_SETTINGS = UNPACED  # today is Mon 23.11.2026 (the clock fixture): the latest day 23.11.2027
LATEST = "самый поздний срок — 23 нояб. 2027"


async def dues(app) -> list[str]:
    async with session_maker(app.engine)() as s:
        return [t.due.isoformat() for t in await s.scalars(select(Task).order_by(Task.id))]


async def test_one_limit_and_the_real_reason_whatever_the_form(emu, app):
    await team_ready(emu)
    refused = [
        ("через 366 дней", LATEST),
        ("до 24.11.2027", LATEST),
        ("до 30.11.2027", LATEST),
        ("через 1000 дней", LATEST),
        ("через 2 года", LATEST),
        ("до 01.01.2099", LATEST),
        ("через -3 дня", "это в прошлом"),
        ("до 20.11.2026", "уже прошёл"),
        ("до 31.02", "такой даты нет"),
    ]
    for due, reason in refused:
        answer = plain(await say(emu, LEAD, GROUP, f"/task @anna отчёт {due}"))
        assert reason in answer and "нет срока" not in answer.lower(), (due, answer)
    assert await dues(app) == []
    for due in ("через 365 дней", "до 23.11.2027", "через год"):
        answer = plain(await say(emu, LEAD, GROUP, f"/task @anna отчёт {due}"))
        assert "Задача поставлена" in answer, (due, answer)
    assert await dues(app) == ["2027-11-23"] * 3


async def test_a_new_deadline_has_the_same_limit(emu, app):
    await team_ready(emu)
    mark = emu.mark()
    await say(emu, LEAD, GROUP, "/task @anna отчёт до пт")
    card = await emu.wait_for(ANNA, after=mark, predicate=lambda m: bool(m.buttons))
    prompt = await press(emu, ANNA, card, "Новый срок")
    for typed, reason in (("через 400 дней", LATEST), ("через -1 день", "это в прошлом")):
        answer = plain(await say(emu, ANNA, ANNA, typed))
        assert reason in answer, (typed, answer)
    assert (await dues(app)) == ["2026-11-27"]
    assert "Задача поставлена" not in plain(prompt)
    assert "Срок не меняю" in plain(await say(emu, ANNA, ANNA, "/cancel"))  # no state left behind
