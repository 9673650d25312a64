"""Away ranges and team holidays: the dates people type, and /away and /holiday in the chats."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models.db import session_maker
from models.tables import Away, Holiday
from services.common.errors import UserError
from services.team.availability import parse_holidays, parse_range
from tests.support.checkins import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    QUICK,
    STRANGER,
    VERA,
    member_id,
    plain,
    say,
    team_ready,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("24.11–01.12", date(2026, 11, 24), date(2026, 12, 1)),
        ("24.11-01.12", date(2026, 11, 24), date(2026, 12, 1)),
        ("24.11 — 01.12", date(2026, 11, 24), date(2026, 12, 1)),
        ("24.11..01.12", date(2026, 11, 24), date(2026, 12, 1)),
        ("24.11.2026–01.12.2026", date(2026, 11, 24), date(2026, 12, 1)),
        ("24.11.26-1.12.26", date(2026, 11, 24), date(2026, 12, 1)),
        ("24/11-01/12", date(2026, 11, 24), date(2026, 12, 1)),
        ("25.11", date(2026, 11, 25), date(2026, 11, 25)),
        ("23.11", TODAY, TODAY),  # today is fine
        ("20.11–25.11", date(2026, 11, 20), date(2026, 11, 25)),  # already started
        ("28.12–05.01", date(2026, 12, 28), date(2027, 1, 5)),  # over New Year
        ("05.01", date(2027, 1, 5), date(2027, 1, 5)),  # January is next year's
    ],
)
def test_dates_people_type(text, start, end):
    assert parse_range(text, TODAY) == (start, end)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "away.error.format"),
        ("завтра", "away.error.format"),
        ("24.11 до 01.12", "away.error.format"),
        ("24.11–", "away.error.format"),
        ("2026-11-24 2026-11-23", "away.error.order"),  # ISO days: the one date reader
        ("31.02", "away.error.date"),
        ("24.13", "away.error.date"),
        ("01.12–24.11.2026", "away.error.order"),
        ("01.12.2026–24.11.2026", "away.error.order"),
        ("10.11–20.11", "away.error.past"),
        ("22.11", "away.error.past"),
        ("24.11.2025", "away.error.past"),
        ("24.11.2026–25.11.2027", "away.error.too_long"),
    ],
)
def test_bad_dates_are_refused_with_the_reason(text, key):
    with pytest.raises(UserError) as caught:
        parse_range(text, TODAY)
    assert caught.value.key == key


def test_holidays_are_days_and_a_month_at_most():
    assert len(parse_holidays("01.12–31.12", TODAY)) == 31
    assert parse_range("24.11.2026–24.11.2027", TODAY)[1] == date(2027, 11, 24)  # a year is fine
    assert parse_holidays("31.12–02.01", TODAY) == [
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]
    with pytest.raises(UserError) as caught:
        parse_holidays("01.12–01.01", TODAY)
    assert caught.value.key == "holiday.error.too_long"


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def aways(app, user_id: int) -> list[tuple[date, date]]:
    mid = await member_id(app, user_id)
    async with session_maker(app.engine)() as s:
        rows = await s.scalars(select(Away).where(Away.member_id == mid).order_by(Away.id))
        return [(a.start, a.end) for a in rows]


async def test_away_in_private_lists_saves_refuses_and_cancels(emu, app):
    await team_ready(emu, joiners=(ANNA,))
    empty = plain(await say(emu, ANNA, "/away"))
    assert "Отметок об отсутствии нет" in empty and "/away 24.11–01.12" in empty

    past = plain(await say(emu, ANNA, "/away 10.11–20.11"))
    assert "Эти даты уже прошли (до 20 нояб.)" in past
    backwards = plain(await say(emu, ANNA, "/away 01.12.2026–24.11.2026"))
    assert "Конец (24 нояб.) раньше начала (1 дек.)" in backwards
    nonsense = plain(await say(emu, ANNA, "/away <b>завтра</b>"))
    assert "«<b>завтра</b>» — не дата" in nonsense
    assert await aways(app, ANNA) == []

    saved = plain(await say(emu, ANNA, "/away 24.11–01.12"))
    assert "Анна — нет на месте: 24 нояб. – 1 дек." in saved
    assert await aways(app, ANNA) == [(date(2026, 11, 24), date(2026, 12, 1))]
    listed = plain(await say(emu, ANNA, "/away"))
    assert "• 24 нояб. – 1 дек." in listed

    cancelled = plain(await say(emu, ANNA, "/away отмена"))
    assert "Отметка об отсутствии снята" in cancelled
    assert await aways(app, ANNA) == []


async def test_cancelling_keeps_the_days_already_past(emu, app, clock):
    await team_ready(emu, joiners=(ANNA,))
    await say(emu, ANNA, "/away 23.11–27.11")
    clock.set(clock.now.replace(day=25))
    await say(emu, ANNA, "/away cancel")
    assert await aways(app, ANNA) == [(date(2026, 11, 23), date(2026, 11, 24))]


async def test_away_in_the_group_for_oneself_and_by_a_lead_for_a_member(emu, app):
    await team_ready(emu, joiners=(ANNA, BORIS, VERA))
    own = plain(await say(emu, ANNA, "/away 30.11", chat_id=GROUP))
    assert "Анна — нет на месте: 30 нояб." in own

    refused = plain(await say(emu, BORIS, "/away @vera 30.11", chat_id=GROUP))
    assert "только ведущие" in refused
    assert await aways(app, VERA) == []

    by_lead = plain(await say(emu, LEAD, "/away @vera 30.11–02.12", chat_id=GROUP))
    assert "Вера — нет на месте: 30 нояб. – 2 дек." in by_lead
    async with session_maker(app.engine)() as s:
        row = await s.scalar(select(Away).where(Away.member_id == await member_id(app, VERA)))
        assert row.set_by == LEAD

    unknown = plain(await say(emu, LEAD, "/away @nobody 30.11", chat_id=GROUP))
    assert "Укажите участника команды" in unknown
    stranger = plain(await say(emu, STRANGER, "/away 30.11", chat_id=GROUP))
    assert "Вы пока не в команде" in stranger


async def test_away_from_someone_not_in_a_team_points_to_join(emu, app):
    await team_ready(emu, joiners=())
    reply = plain(await say(emu, STRANGER, "/away 30.11"))
    assert "Вы пока не в команде" in reply and "/join" in reply


async def test_holiday_marks_lists_and_unmarks(emu, app):
    await team_ready(emu, joiners=(ANNA,))
    none = plain(await say(emu, ANNA, "/holiday", chat_id=GROUP))
    assert "Выходные команды не отмечены" in none
    added = plain(await say(emu, LEAD, "/holiday 31.12–02.01", chat_id=GROUP))
    assert "Выходной команды: 31 дек., 1 янв., 2 янв." in added
    again = plain(await say(emu, LEAD, "/holiday 01.01", chat_id=GROUP))
    assert "Уже отмечено как выходной: 1 янв." in again
    bad = plain(await say(emu, LEAD, "/holiday 32.12", chat_id=GROUP))
    assert "нет такой даты" in bad
    removed = plain(await say(emu, LEAD, "/holiday удалить 02.01", chat_id=GROUP))
    assert "Больше не выходной: 2 янв." in removed
    async with session_maker(app.engine)() as s:
        days = list(await s.scalars(select(Holiday.day).order_by(Holiday.day)))
    assert days == [date(2026, 12, 31), date(2027, 1, 1)]
