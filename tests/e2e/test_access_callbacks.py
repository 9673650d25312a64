"""Crafted button presses (issue 12, findings 2 and 10): every callback payload is checked
before use — only known actions, only finite decimals the question allows, only ids of the
presser's own team. Anything else is answered «кнопка устарела»; nothing is stored, nothing
crashes, and the member's next answers are still answered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from models.db import session_maker
from tests.e2e.test_checkin_sanity import history
from tests.support.checkins import (
    ANNA,
    GROUP,
    LEAD,
    OPENS,
    QUICK,
    answers,
    checkin,
    member_id,
    plain,
    run_tick,
    say,
    team_ready,
)

STALE = "кнопка устарела"


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def crafted(emu, user_id: int, message, data: str) -> str:
    """`user_id` sends callback `data` from `message`; the bot's answer to the press."""
    query = emu.press(user_id, message, data, crafted=True)
    answer = await emu.wait_answer(query)
    return (answer.get("text") or "").lower()


async def test_non_finite_and_made_up_check_in_presses_are_stale(emu, app, clock):
    await team_ready(emu)
    await history(app)
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    question = await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)
    held = await checkin(app, ANNA)
    for value in ("NaN", "1E+999", "-Infinity", "sNaN", "abc"):
        answer = await crafted(emu, ANNA, question, f"ci:alt:{held.id}:0:{value}")
        assert STALE in answer or "позади" in answer, value
    assert await answers(app, ANNA) == {}
    for data in (f"ci:bogus:{held.id}:0:", f"ci:same:{held.id}:-1:", "ci:same:x:0:", "ci:a"):
        assert STALE in await crafted(emu, ANNA, question, data), data

    # A real doubt is open: only a finite value the question allows is taken from a button.
    await say(emu, ANNA, "150000")
    doubt = await say(emu, ANNA, "120500")
    assert "Вы имели в виду" in plain(doubt)
    for value in ("NaN", "Infinity", "1E+999", "-5", "0.5"):  # impressions: whole, ≥ 0
        assert STALE in await crafted(emu, ANNA, doubt, f"ci:alt:{held.id}:1:{value}"), value
    assert await answers(app, ANNA) == {"spend": Decimal(150000)}
    # ...and the member's next answers are still answered.
    nxt = await say(emu, ANNA, "12000")
    assert "Вопрос 3 из 5" in plain(nxt)
    assert await answers(app, ANNA) == {"spend": Decimal(150000), "impressions": Decimal(12000)}


async def test_the_database_refuses_non_finite_numbers(emu, app):
    await team_ready(emu)
    anna = await member_id(app, ANNA)
    async with session_maker(app.engine)() as s:
        for value in ("NaN", "Infinity", "-Infinity"):
            with pytest.raises(Exception, match=r"(?i)check constraint"):
                await s.execute(
                    text(
                        "INSERT INTO answers (member_id, period_start, input_code, value, late,"
                        " answered_at) VALUES (:m, '2026-11-23', 'clicks', :v, false,"
                        " '2026-11-23 10:00:00')"
                    ),
                    {"v": value, "m": anna},
                )
            await s.rollback()


async def test_made_up_settings_meeting_task_and_role_buttons_are_stale(emu, app):
    await team_ready(emu)
    shown = await say(emu, LEAD, "/settings", chat_id=GROUP)
    for data in ("st:nonexistent:x", "st:currency:XYZ", "st:day:9", "st:cadence:hourly"):
        assert STALE in await crafted(emu, LEAD, shown, data), data
    for data in ("mt:bogus:1:0:", "mt:skip:x:0:", "tk:explode:1:card", "tk:done:1:evil"):
        assert STALE in await crafted(emu, LEAD, shown, data), data
    # Nothing changed: the settings still read as before.
    assert plain(await say(emu, LEAD, "/settings", chat_id=GROUP)) == plain(shown)

    # The role picker in private: an unknown department or role is stale, no role stored.
    invite = await say(emu, LEAD, "/join", chat_id=GROUP)
    url = next(d for row in invite.buttons for _, d in row if d and "start=" in d)
    picker = await say(emu, LEAD, f"/start {url.split('start=', 1)[1]}")
    team_id = 1
    for data in (f"rp:dept:{team_id}:nope::0", f"rp:role:{team_id}:hacker:analytics:0"):
        assert STALE in await crafted(emu, LEAD, picker, data), data


async def test_a_forwarded_message_is_not_taken_as_the_answer(emu, app, clock):
    """Finding 13 (forwards): someone else's message forwarded is not stored as an answer."""
    await team_ready(emu)
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)
    mark = emu.mark()
    emu.send(ANNA, ANNA, "150000", forwarded_from=LEAD)
    reply = await emu.wait_for(ANNA, after=mark)
    assert "пересланное" in plain(reply)
    assert await answers(app, ANNA) == {}
    assert "Вопрос 2 из 5" in plain(await say(emu, ANNA, "150000"))
