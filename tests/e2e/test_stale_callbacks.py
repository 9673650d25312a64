"""Presses Telegram won't let the bot answer any more (issue 14): «query is too old and response
timeout expired or query ID is invalid» (15 s after the press, or a press delivered again after
a restart) is absorbed. A press still valid takes effect; a stale one is refused and changes
nothing; neither leaves an error in the log."""

from __future__ import annotations

import copy
import logging

import pytest
from sqlalchemy import select

from models.db import session_maker
from models.tables import Meeting, Team
from tests.support import checkins as ci
from tests.support.app import UNPACED, bot_running, make_settings
from tests.support.logs import problems
from tests.support.meetings import ANNA, GROUP, LEAD, plain, press, say, team_ready


@pytest.fixture
async def app(emu, database_url, clock):
    settings = make_settings(emu, database_url, **UNPACED)
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as running_app:
        yield running_app


def refused_answers(emu, query_id: str) -> int:
    """How many times the bot tried to answer that press (and was refused)."""
    return sum(
        1
        for method, params in emu.calls
        if method == "answerCallbackQuery" and params.get("callback_query_id") == query_id
    )


async def test_a_valid_press_too_old_to_answer_still_takes_effect(emu, app, caplog) -> None:
    caplog.set_level(logging.INFO)
    await team_ready(emu, joiners=(ANNA,))
    shown = await say(emu, LEAD, GROUP, "/settings")
    mark = emu.mark()
    query_id = emu.press(LEAD, shown, "English")
    emu.expire_callback(query_id)  # before the bot gets to it: it answers too late
    edited = await emu.wait_for(
        GROUP, after=mark, predicate=lambda m: m.message_id == shown.message_id
    )
    assert "Team settings" in plain(edited)
    await emu.wait_idle()
    async with session_maker(app.engine)() as s:
        assert (await s.scalar(select(Team))).locale == "en"
    assert refused_answers(emu, query_id) == 1 and query_id not in emu.callback_answers
    assert problems(caplog) == []


async def test_a_stale_press_too_old_to_answer_is_refused_and_changes_nothing(
    emu, app, caplog
) -> None:
    caplog.set_level(logging.INFO)
    await team_ready(emu)
    card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
    stale = copy.deepcopy(card)  # the keyboard as a slow client still shows it
    await press(emu, LEAD, card, "Дальше ▶", contains="Слово")
    await emu.wait_idle()
    mark = emu.mark()
    query_id = emu.press(LEAD, stale, "Дальше ▶")
    emu.expire_callback(query_id)
    await emu.wait_idle()
    assert refused_answers(emu, query_id) == 1  # the «stale» alert it could no longer show
    assert [m for m in emu.messages(GROUP) if m.seq > mark] == []
    async with session_maker(app.engine)() as s:
        assert (await s.scalar(select(Meeting))).position == 1
    assert problems(caplog) == []


async def test_a_checkin_press_answered_too_late_still_records_the_answer(
    emu, database_url, clock, caplog
) -> None:
    """The case from the issue: handlers/checkin.py's press, with every answer refused."""
    caplog.set_level(logging.INFO)
    async with ci.quick_app(emu, database_url, clock) as app:
        await ci.team_ready(emu)
        clock.set(ci.OPENS)
        mark = emu.mark()
        await ci.run_tick(app)
        question = await emu.wait_for(ci.ANNA, predicate=lambda m: bool(m.buttons), after=mark)
        emu.callback_ttl = 0  # Telegram refuses every answer: all presses are "too old"
        answered = len(emu.callback_answers)
        second = await ci.tap(emu, ci.ANNA, question, "🚫 Нет данных")
        assert "Вопрос 2 из 5" in ci.plain(second)
        assert await ci.answers(app, ci.ANNA) == {"spend": None}
        await emu.wait_idle()
    assert len(emu.callback_answers) == answered
    assert problems(caplog) == []
