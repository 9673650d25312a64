"""Long input (issue 12, finding 5): a quoted input is cut to 64 characters and «…», and every
message the bot sends fits Telegram's limits — with the longest names and titles Telegram
allows, and with 5000-character answers and arguments."""

from __future__ import annotations

import pytest

from demo.scenario import join_team, register_team
from tests.support.checkins import OPENS, QUICK, plain, run_tick, say

GROUP = -100478
LEAD, ANNA = 1, 11
TITLE = "Маркетинг " + "Я" * 118  # Telegram allows 128 characters
LONG = "9" * 2500 + "x" * 2500  # 5000 characters
LIMIT = 4096


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def long_team(emu) -> None:
    emu.add_user(LEAD, "О" * 64, last_name="Л" * 64, username="olga", language_code="ru")
    emu.add_user(ANNA, "А" * 64, last_name="К" * 64, username="anna", language_code="ru")
    emu.add_group(GROUP, TITLE, creator=LEAD, members=[ANNA])
    await register_team(emu, GROUP, LEAD)
    await join_team(emu, GROUP, ANNA, ["context_ads_specialist"])
    await say(emu, LEAD, "/start", chat_id=LEAD)


def fits(message) -> str:
    text = plain(message)
    assert 0 < len(text) <= LIMIT
    return text


async def test_a_5000_character_answer_is_refused_with_a_short_quote(emu, app, clock):
    await long_team(emu)
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    fits(await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark))
    refusal = fits(await say(emu, ANNA, LONG))
    assert "«" + "9" * 64 + "…»" in refusal
    assert len(refusal) < 400


@pytest.mark.parametrize(
    ("private", "command"),
    [
        (False, "/settings tz "),
        (False, "/settings time "),
        (False, "/settings "),
        (False, "/targets cpa "),
        (False, "/targets "),
        (False, "/export "),
        (False, "/summary "),
        (False, "/holiday "),
        (False, "/away "),
        (False, "/task @anna "),
        (False, "/task @"),  # a 5000-character owner
        (True, "/away "),
        (True, "/summary "),
    ],
)
async def test_a_5000_character_argument_gets_a_reply_that_fits(emu, app, private, command):
    await long_team(emu)
    reply = fits(await say(emu, LEAD, command + LONG, chat_id=LEAD if private else GROUP))
    assert LONG[:200] not in reply


async def test_the_longest_names_and_titles_fit_every_view(emu, app):
    await long_team(emu)
    for command in ("/members", "/status", "/summary", "/agenda", "/tasks", "/help"):
        text = fits(await say(emu, LEAD, command, chat_id=GROUP))
        assert "�" not in text
    for command in ("/report", "/tasks", "/summary", "/help"):
        fits(await say(emu, ANNA, command))
