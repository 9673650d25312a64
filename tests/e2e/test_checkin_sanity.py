"""The sanity check: a value far from the member's recent ones, or impossible against their
other answers, is asked about ("did you mean 1 200 or 12 000?") before it is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.checkins.sanity import baseline, check
from tests.support.checkins import (
    ANNA,
    OPENS,
    QUICK,
    answers,
    buttons,
    checkin,
    plain,
    put_answers,
    run_tick,
    say,
    tap,
    team_ready,
)

D = Decimal


# ----------------------------------------------------------------------------- pure
def test_baseline_is_the_median_of_recent_positive_values():
    assert baseline([D(1200), D(1300), D(1100)]) == D(1200)
    assert baseline([D(1000), D(0), D(3000)]) == D(2000)  # zero left out
    assert baseline([D(5), D(6), D(7), D(8), D(100000)]) == D("6.5")  # only the last four
    assert baseline([]) is None


def test_a_value_within_five_times_of_the_usual_passes():
    recent = [D(1200), D(1250), D(1150)]
    for value in ("1200", "300", "5000", "6000", "0"):
        assert check("impressions", D(value), recent, {}) is None, value
    assert check("impressions", D(12000), [], {}) is None  # nothing to compare with
    assert check("impressions", None, recent, {}) is None  # «нет данных»


def test_an_extra_digit_is_caught_with_the_value_meant():
    doubt = check("impressions", D(12000), [D(1200), D(1250), D(1150)], {})
    assert doubt is not None and doubt.inconsistency is None
    assert doubt.baseline == D(1200) and doubt.alternatives == (D(1200),)
    missing = check("spend", D(15000), [D(150000), D(140000)], {})
    assert missing is not None and missing.alternatives == (D(150000),)


def test_far_off_without_a_near_power_of_ten_still_asks_with_no_alternative():
    doubt = check("impressions", D(12), [D(100000)], {})
    assert doubt is not None and doubt.alternatives == ()
    near = check("impressions", D(7), [D(1200)], {})
    assert near is not None and near.alternatives == (D(700),)
    assert str(near.alternatives[0]) == "700"  # not 7E+2


def test_alternatives_must_be_valid_for_the_input():
    # a count can't be 1 234,5: the decimal point moves only where the count stays whole
    doubt = check("impressions", D(12345), [D(1200)], {})
    assert doubt is not None and doubt.alternatives == ()
    money = check("spend", D(12345), [D(1200)], {})
    assert money is not None and money.alternatives == (D("1234.5"),)


def test_more_clicks_than_impressions_is_impossible():
    doubt = check("clicks", D(6000), [], {"impressions": D(1200)})
    assert doubt is not None and doubt.inconsistency is not None
    assert doubt.inconsistency.inputs == ("clicks", "impressions")
    assert doubt.alternatives == (D(600),)
    assert check("clicks", D(600), [], {"impressions": D(1200)}) is None
    # against an earlier «нет данных» there is nothing to compare
    assert check("clicks", D(6000), [], {"impressions": None}) is None


def test_an_impossible_value_prefers_the_fix_nearest_the_usual():
    doubt = check("clicks", D(50000), [D(60), D(55)], {"impressions": D(12000)})
    assert doubt is not None and doubt.alternatives == (D(50),)


# ----------------------------------------------------------------------------- emulator
BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def history(app) -> None:
    for start, impressions in ((date(2026, 11, 9), "11800"), (date(2026, 11, 16), "12300")):
        await put_answers(
            app,
            ANNA,
            start,
            {"spend": "150000", "impressions": impressions, "clicks": "600", "conversions": "30"},
        )


async def first_question(emu, app, clock):
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    return await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)


async def test_ten_times_the_usual_asks_did_you_mean_and_stores_nothing_until_chosen(
    emu, app, clock
):
    await team_ready(emu)
    await history(app)
    await first_question(emu, app, clock)
    await say(emu, ANNA, "150000")
    doubt = await say(emu, ANNA, "120500")
    text = plain(doubt)
    assert "Показы: 120 500 — намного больше, чем обычно у вас (около 12 050)" in text
    assert "Вы имели в виду 12 050 или 120 500?" in text
    assert buttons(doubt) == ["12 050", "✅ 120 500 — верно", "✏️ Ввести заново"]
    assert await answers(app, ANNA) == {"spend": D(150000)}  # nothing stored yet
    held = await checkin(app, ANNA)
    assert (held.pending_input, held.pending_value, held.position) == (
        "impressions",
        D(120500),
        1,
    )

    nxt = await tap(emu, ANNA, doubt, "12\xa0050")
    assert "Вопрос 3 из 5 · Клики" in plain(nxt)
    assert (await answers(app, ANNA))["impressions"] == D(12050)
    assert (await checkin(app, ANNA)).pending_input is None


async def test_confirming_keeps_the_typed_value_and_typing_it_again_confirms_too(emu, app, clock):
    await team_ready(emu)
    await history(app)
    await first_question(emu, app, clock)
    doubt = await say(emu, ANNA, "1 500 000")  # ten times the usual spend
    assert "Вы имели в виду 150 000 ₽ или 1 500 000 ₽?" in plain(doubt)
    nxt = await tap(emu, ANNA, doubt, "верно")
    assert "Вопрос 2 из 5" in plain(nxt)
    assert (await answers(app, ANNA))["spend"] == D(1500000)

    doubt = await say(emu, ANNA, "2000")  # a sixth of the usual impressions
    assert "намного меньше, чем обычно" in plain(doubt)
    again = await say(emu, ANNA, "2 000")  # the same value typed again: confirmed
    assert "Вопрос 3 из 5" in plain(again)
    assert (await answers(app, ANNA))["impressions"] == D(2000)


async def test_more_clicks_than_impressions_asks_before_saving(emu, app, clock):
    await team_ready(emu)
    await first_question(emu, app, clock)
    await say(emu, ANNA, "150000")
    await say(emu, ANNA, "12000")
    doubt = await say(emu, ANNA, "60000")
    text = plain(doubt)
    assert "«Клики» (60 000) больше, чем «Показы» (12 000)" in text
    assert "Вы имели в виду 6 000 или 60 000?" in text
    assert "clicks" not in await answers(app, ANNA)

    retyped = await tap(emu, ANNA, doubt, "Ввести заново")
    assert "Вопрос 3 из 5 · Клики" in plain(retyped)
    assert (await checkin(app, ANNA)).pending_input is None
    nxt = await say(emu, ANNA, "600")
    assert "Вопрос 4 из 5" in plain(nxt)
    assert (await answers(app, ANNA))["clicks"] == D(600)


async def test_a_different_value_typed_while_asked_is_checked_afresh(emu, app, clock):
    await team_ready(emu)
    await history(app)
    await first_question(emu, app, clock)
    await say(emu, ANNA, "150000")
    await say(emu, ANNA, "120000")
    fixed = await say(emu, ANNA, "12000")
    assert "Вопрос 3 из 5" in plain(fixed)
    assert (await answers(app, ANNA))["impressions"] == D(12000)
