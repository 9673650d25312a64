"""One escaping boundary (issue 12, findings 3 and 4): markup-like text in a group title, in
people's names and in every command argument reaches people as the literal text — never a
«can't parse entities» that leaves the bot silent, never a double-escaped «&amp;»."""

from __future__ import annotations

import pytest

from demo.scenario import join_team, register_team
from tests.support.checkins import OPENS, QUICK, plain, run_tick, say

GROUP = -100477
LEAD, ANNA, BORIS = 1, 11, 12
TITLE = "Маркетинг <PR> & Co"
ANNA_NAME = "<b>Анна"
BORIS_NAME = "Борис & <i>Ко"
MARKUP = "<b>"


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


def hostile_people(emu) -> None:
    emu.add_user(LEAD, "Ольга <a href='x'>", username="olga", language_code="ru")
    emu.add_user(ANNA, ANNA_NAME, last_name="</b>", username="anna", language_code="ru")
    emu.add_user(BORIS, BORIS_NAME, username="boris", language_code="ru")
    emu.add_group(GROUP, TITLE, creator=LEAD, members=[ANNA, BORIS])


def clean(text: str) -> None:
    """What people read holds no escaped entity (a double escape shows as «&amp;»)."""
    for entity in ("&amp;", "&lt;", "&gt;", "&quot;"):
        assert entity not in text, text


async def test_markup_in_titles_and_names_is_shown_as_typed(emu, app, clock):
    hostile_people(emu)
    setup = await register_team(emu, GROUP, LEAD)
    clean(plain(setup))
    announce = await join_team(emu, GROUP, ANNA, ["context_ads_specialist"])
    assert ANNA_NAME in plain(announce)
    clean(plain(announce))
    await join_team(emu, GROUP, BORIS, ["targetologist"])
    assert any(TITLE in plain(m) for m in emu.messages(ANNA))

    shown = []
    for user_id, chat_id, command in (
        (LEAD, GROUP, "/members"),
        (LEAD, GROUP, "/status"),
        (LEAD, GROUP, "/summary"),
        (LEAD, GROUP, "/agenda"),
        (LEAD, GROUP, "/tasks"),
        (LEAD, GROUP, "/lead @anna"),
        (LEAD, GROUP, "/unlead @anna"),
        (LEAD, GROUP, "/task @anna <b>проверить & <i>связки</i> до пт"),
        (LEAD, GROUP, "/planerka"),
        (LEAD, GROUP, "/end"),
        (ANNA, ANNA, "/tasks"),
        (ANNA, ANNA, "/report"),
        (ANNA, ANNA, "/summary"),
        (ANNA, ANNA, "/help"),
        (ANNA, ANNA, "/start"),
    ):
        reply = await say(emu, user_id, command, chat_id=chat_id)
        clean(plain(reply))
        shown.append(plain(reply))
    assert any(ANNA_NAME in text for text in shown)
    assert any(BORIS_NAME in text for text in shown)
    assert any("<b>проверить & <i>связки</i>" in text for text in shown)


@pytest.mark.parametrize(
    ("user_id", "private", "command"),
    [
        (LEAD, False, f"/settings tz {MARKUP}"),
        (LEAD, False, f"/settings time {MARKUP}"),
        (LEAD, False, f"/settings day {MARKUP}"),
        (LEAD, False, f"/settings lang {MARKUP}"),
        (LEAD, False, f"/settings speaker {MARKUP}"),
        (LEAD, False, f"/settings currency {MARKUP}"),
        (LEAD, False, f"/settings cadence {MARKUP}"),
        (LEAD, False, f"/settings {MARKUP} 5"),
        (LEAD, False, f"/settings {MARKUP}"),
        (LEAD, False, f"/targets {MARKUP} 5"),
        (LEAD, False, f"/targets cpa {MARKUP}"),
        (LEAD, False, f"/export {MARKUP}"),
        (LEAD, False, f"/summary {MARKUP}"),
        (LEAD, False, f"/holiday {MARKUP}"),
        (LEAD, False, f"/away {MARKUP}"),
        (LEAD, False, f"/lead {MARKUP}"),
        (LEAD, False, f"/task @anna {MARKUP}"),
        (LEAD, False, f"/task @{MARKUP} сделать до пт"),
        (LEAD, False, f"/task @anna сделать до {MARKUP}"),
        (ANNA, True, f"/lang {MARKUP}"),
        (ANNA, True, f"/away {MARKUP}"),
        (ANNA, True, f"/summary {MARKUP}"),
        (ANNA, True, f"/targets {MARKUP}"),
        (ANNA, True, f"/start {MARKUP}"),
        (ANNA, True, f"/export {MARKUP}"),
    ],
)
async def test_markup_in_a_command_argument_gets_an_answer(emu, app, user_id, private, command):
    hostile_people(emu)
    await register_team(emu, GROUP, LEAD)
    await join_team(emu, GROUP, ANNA, ["context_ads_specialist"])
    await say(emu, LEAD, "/start", chat_id=LEAD)
    reply = await say(emu, user_id, command, chat_id=user_id if private else GROUP)
    clean(plain(reply))


async def test_markup_typed_as_an_answer_is_quoted_back_as_typed(emu, app, clock):
    hostile_people(emu)
    await register_team(emu, GROUP, LEAD)
    await join_team(emu, GROUP, ANNA, ["context_ads_specialist"])
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)
    refusal = await say(emu, ANNA, "<b>12</b> & <i>")
    assert "«<b>12</b> & <i>»" in plain(refusal)
    clean(plain(refusal))
