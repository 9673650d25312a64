"""Issue 12, findings 11 and 13: an answer typed in a unit or currency that doesn't fit the
question is asked about, never stored silently; editing the message that typed an answer
corrects it while the period is open."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.support.checkins import (
    ANNA,
    MSK,
    OPENS,
    answers,
    buttons,
    checkin,
    plain,
    put_answers,
    quick_app,
    run_tick,
    tap,
    team_ready,
)

NEXT_PERIOD_OPEN = datetime(2026, 12, 4, 16, 0, tzinfo=MSK)  # 30.11–06.12 has opened


@pytest.fixture
async def app(emu, database_url, clock):
    async with quick_app(emu, database_url, clock) as running_app:
        yield running_app


async def opened(emu, app, clock):
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    return await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)


async def write(emu, text: str, contains: str | None = None):
    """Анна writes in private; her message and the bot's next message."""
    mark = emu.mark()
    sent = emu.send(ANNA, ANNA, text)
    return sent, await emu.wait_for(ANNA, contains, after=mark)


async def edit(emu, sent, text: str):
    """Анна edits `sent`; the bot's reply to the edit (a reply to that message)."""
    mark = emu.mark()
    emu.edit(sent, text)
    return await emu.wait_for(ANNA, after=mark)


async def quiet_after_edit(emu, sent, text: str) -> None:
    mark = emu.mark()
    emu.edit(sent, text)
    await emu.wait_idle()
    assert [m for m in emu.messages(ANNA) if m.seq > mark] == []


async def test_a_misfit_unit_is_asked_about_and_nothing_is_stored_until_yes(emu, app, clock):
    await team_ready(emu)
    question = await opened(emu, app, clock)
    assert "Расход" in plain(question) and "₽" in plain(question)

    for typed, shown in (("12,5 %", "12,50 ₽"), ("5$", "5 ₽"), ("7 USD", "7 ₽"), ("3 €", "3 ₽")):
        _, asked = await write(emu, typed)
        text = plain(asked)
        assert f"Вы написали «{typed}», а вопрос — в ₽. Записать {shown}?" in text, text
        assert buttons(asked) == [f"Да, {shown}", "Нет, введу заново"]
        assert await answers(app, ANNA) == {}
        again = await tap(emu, ANNA, asked, "Нет, введу заново")
        assert "Введите число в ₽." in plain(again) and "Вопрос 1 из 5" in plain(again)
        assert (await checkin(app, ANNA)).pending_input is None
    assert await answers(app, ANNA) == {}

    typed, asked = await write(emu, "5$")
    yes = next(data for label, data in asked.buttons[0] if label.startswith("Да"))
    nxt = await tap(emu, ANNA, asked, "Да, 5\xa0₽")
    assert "Вопрос 2 из 5" in plain(nxt)
    assert await answers(app, ANNA) == {"spend": Decimal("5")}
    # The old «Да» pressed again: stale, nothing changes.
    query_id = emu.press(ANNA, asked, yes, crafted=True)
    assert (await emu.wait_answer(query_id)).get("text")
    assert await answers(app, ANNA) == {"spend": Decimal("5")}
    # The answer confirmed with «Да» still belongs to the typed message: editing it corrects it.
    fixed = await edit(emu, typed, "6 ₽")
    assert "было 5 ₽, стало 6 ₽" in plain(fixed), plain(fixed)
    assert await answers(app, ANNA) == {"spend": Decimal("6")}


async def test_a_fitting_unit_is_taken_as_today(emu, app, clock):
    await team_ready(emu)
    await opened(emu, app, clock)
    for typed, code, value in (("1 200 ₽", "spend", "1200"), ("5 шт", "impressions", "5")):
        _, reply = await write(emu, typed)
        assert "Вы написали" not in plain(reply)
        assert (await answers(app, ANNA))[code] == Decimal(value)
    # A currency for a count question doesn't fit either.
    _, asked = await write(emu, "40 ₽")
    assert "а вопрос — в штуках" in plain(asked)
    assert "clicks" not in await answers(app, ANNA)


async def test_editing_an_answer_corrects_it_while_the_period_is_open(emu, app, clock):
    await team_ready(emu)
    await opened(emu, app, clock)
    spend, _ = await write(emu, "5000", contains="Вопрос 2 из 5")
    hello = emu.send(ANNA, ANNA, "13 %")  # held for a unit question: not an answer
    await emu.wait_for(ANNA, "Вы написали")
    assert (await answers(app, ANNA)) == {"spend": Decimal("5000")}

    fixed = await edit(emu, spend, "5 500")
    assert "Исправил: Расход на рекламу — было 5 000 ₽, стало 5 500 ₽" in plain(fixed), plain(fixed)
    assert (await answers(app, ANNA))["spend"] == Decimal("5500")

    refused = await edit(emu, spend, "пять тысяч")
    assert "Не похоже на число" in plain(refused)
    assert "не изменён: 5 500 ₽" in plain(refused)
    misfit = await edit(emu, spend, "5 500 $")
    assert "а вопрос — в ₽" in plain(misfit) and "не изменён" in plain(misfit)
    assert (await answers(app, ANNA))["spend"] == Decimal("5500")

    # Editing any other message is ignored quietly; so is an edit to the same value.
    await quiet_after_edit(emu, hello, "14 %")
    await quiet_after_edit(emu, spend, "5500")

    # After the next period opens, the answer can't be changed any more.
    clock.set(NEXT_PERIOD_OPEN)
    closed = await edit(emu, spend, "6000")
    assert "Сбор цифр за 23–29 нояб. уже закрыт" in plain(closed), plain(closed)
    assert (await answers(app, ANNA))["spend"] == Decimal("5500")


async def test_an_answer_confirmed_after_a_doubt_is_still_corrected_by_an_edit(emu, app, clock):
    await team_ready(emu)
    await put_answers(app, ANNA, date(2026, 11, 16), {"spend": "150000"})
    await opened(emu, app, clock)
    typed, doubt = await write(emu, "1 500 000", contains="Вы имели в виду")
    await tap(emu, ANNA, doubt, "верно")
    assert (await answers(app, ANNA))["spend"] == Decimal(1500000)
    fixed = await edit(emu, typed, "150 000")
    assert "было 1 500 000 ₽, стало 150 000 ₽" in plain(fixed), plain(fixed)
    assert (await answers(app, ANNA))["spend"] == Decimal(150000)


async def test_the_bot_asks_telegram_for_edited_messages(emu, app) -> None:
    await team_ready(emu)  # by now polling has asked for its update types
    assert "edited_message" in app.dispatcher.resolve_used_update_types()
    assert emu.queue._allowed is not None and "edited_message" in emu.queue._allowed
