"""The question flow through the emulator: the opening, typed answers, the buttons, the card,
corrections, /report, late answers, several roles and several teams, privacy."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from demo.scenario import join_team, register_team
from kpi import format_period
from models.db import session_maker
from models.tables import Answer, User
from tests.support.checkins import (
    ANNA,
    BORIS,
    DEADLINE,
    GROUP,
    MSK,
    OPENS,
    QUICK,
    STRANGER,
    WEEK,
    answer_rows,
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

LAST_WEEK = date(2026, 11, 16)


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def opened(emu, app, clock, user_id: int = ANNA):
    """Collection opens on Friday 15:00; the member's intro and first question."""
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    intro = await emu.wait_for(user_id, "📊", after=mark)
    question = await emu.wait_for(user_id, predicate=lambda m: bool(m.buttons), after=mark)
    return intro, question


async def test_collection_opens_and_each_question_is_answered_in_turn(emu, app, clock):
    await team_ready(emu)
    intro, question = await opened(emu, app, clock)
    assert "команды «Маркетинг» за 23–29 нояб." in plain(intro)
    assert "5 вопросов" in plain(intro)
    assert "ответить до пн, 30 нояб., 09:30" in plain(intro)

    assert "Вопрос 1 из 5 · Расход на рекламу" in plain(question)
    assert "по данным рекламных кабинетов" in plain(question)  # the hint
    assert "Единица: ₽" in plain(question)
    assert "В прошлый раз" not in plain(question)  # nothing last period
    assert buttons(question) == ["🚫 Нет данных"]  # no «back» on the first question

    second = await say(emu, ANNA, "150 000")
    assert "Вопрос 2 из 5 · Показы" in plain(second) and "Единица: шт." in plain(second)
    assert buttons(second) == ["🚫 Нет данных", "⬅️ Назад"]
    assert await answers(app, ANNA) == {"spend": Decimal("150000")}  # committed before asked

    for text in ["12000", "600", "30"]:
        await say(emu, ANNA, text)
    card = await say(emu, ANNA, "450 000 ₽")
    assert "Спасибо! Цифры за 23–29 нояб. сохранены." in plain(card)
    assert "Контекстолог" in plain(card)
    assert "🟢 CTR (click-through rate): 5 %\n" in plain(card)  # no previous: no change
    assert "CPA (cost per acquisition): 5 000 ₽" in plain(card)
    assert "ROAS (return on ad spend): 3" in plain(card)
    assert buttons(card) == [
        "✏️ Расход на рекламу: 150 000 ₽",
        "✏️ Показы: 12 000",
        "✏️ Клики: 600",
        "✏️ Конверсии: 30",
        "✏️ Выручка: 450 000 ₽",
    ]
    assert await answers(app, ANNA) == {
        "spend": Decimal("150000"),
        "impressions": Decimal("12000"),
        "clicks": Decimal("600"),
        "conversions": Decimal("30"),
        "revenue": Decimal("450000"),
    }
    state = await checkin(app, ANNA)
    assert state.state == "done" and state.finished_at is not None
    assert not any(a.late for a in await answer_rows(app, ANNA))


async def test_buttons_same_as_last_time_no_data_and_back(emu, app, clock):
    await team_ready(emu)
    await put_answers(
        app,
        ANNA,
        LAST_WEEK,
        {
            "spend": "140000",
            "impressions": "11500",
            "clicks": "460",
            "conversions": "23",
            "revenue": "400000",
        },
    )
    _, first = await opened(emu, app, clock)
    assert "В прошлый раз: 140 000 ₽" in plain(first)
    assert buttons(first) == ["↩️ Как в прошлый раз: 140 000 ₽", "🚫 Нет данных"]

    second = await tap(emu, ANNA, first, "Как в прошлый раз")
    assert "Вопрос 2 из 5 · Показы" in plain(second)
    pressed = emu.bot_message(ANNA, first.message_id)
    assert "✓ 140 000 ₽" in plain(pressed) and pressed.buttons == []
    assert (await answers(app, ANNA))["spend"] == Decimal("140000")

    third = await tap(emu, ANNA, second, "Нет данных")
    assert "Вопрос 3 из 5 · Клики" in plain(third)
    assert await answers(app, ANNA) == {"spend": Decimal("140000"), "impressions": None}

    again = await tap(emu, ANNA, third, "Назад")
    assert "Вопрос 2 из 5 · Показы" in plain(again)
    assert "Сейчас записано: нет данных" in plain(again)
    after = await say(emu, ANNA, "12 000")
    assert "Вопрос 3 из 5 · Клики" in plain(after)  # on to the first unanswered one
    assert (await answers(app, ANNA))["impressions"] == Decimal("12000")

    # a button of a question already answered changes nothing
    query = emu.press(ANNA, again, "Нет данных")
    assert "уже позади" in (await emu.wait_answer(query))["text"]
    assert (await answers(app, ANNA))["impressions"] == Decimal("12000")

    await say(emu, ANNA, "600")
    await say(emu, ANNA, "23")
    card = await say(emu, ANNA, "450 000")
    # CTR 600/12 000 = 5 % against 460/11 500 = 4 %: one percentage point up
    assert "🟢 CTR (click-through rate): 5 % · ▲ +1 п.п." in plain(card)
    # CPA 140 000/23 against 140 000/23: the same
    assert "CPA (cost per acquisition): 6 086,96 ₽ · без изменений" in plain(card)
    # conversion 23/600 = 3,8 % against 23/460 = 5 %: 1,2 points down, a drop of 23 %
    assert "🔴 Конверсия: 3,8 % · ▼ −1,17 п.п." in plain(card)
    assert "450 000 ₽ · ▲ +12,5 %" in plain(card)  # revenue 450 000 against 400 000
    assert len(await answer_rows(app, ANNA)) == 10  # five last week, five now: no duplicates


async def test_a_correction_from_the_card_updates_the_answer_in_place(emu, app, clock):
    await team_ready(emu)
    await opened(emu, app, clock)
    for text in ["150000", "12000", "600", "30"]:
        await say(emu, ANNA, text)
    card = await say(emu, ANNA, "450000")

    question = await tap(emu, ANNA, card, "✏️ Клики: 600")
    assert "Вопрос 3 из 5 · Клики" in plain(question)
    assert "Сейчас записано: 600" in plain(question)
    assert buttons(question) == ["🚫 Нет данных", "✖️ Не менять"]
    assert emu.bot_message(ANNA, card.message_id).buttons == []  # the old card is closed

    new_card = await say(emu, ANNA, "660")
    assert "Цифры за 23–29 нояб. сохранены" in plain(new_card)
    assert "CTR (click-through rate): 5,5 %" in plain(new_card)
    assert "✏️ Клики: 660" in buttons(new_card)

    keep = await tap(emu, ANNA, new_card, "✏️ Выручка")
    back_to_card = await tap(emu, ANNA, keep, "Не менять")
    assert "сохранены" in plain(back_to_card)
    rows = await answer_rows(app, ANNA)
    assert len(rows) == 5 and {a.input_code: a.value for a in rows}["clicks"] == Decimal("660")
    assert (await checkin(app, ANNA)).state == "done"


async def test_report_continues_at_the_same_question_and_shows_the_card_when_done(emu, app, clock):
    await team_ready(emu)
    await opened(emu, app, clock)
    await say(emu, ANNA, "150000")
    await say(emu, ANNA, "12000")
    again = await say(emu, ANNA, "/report")
    assert "Вопрос 3 из 5 · Клики" in plain(again)
    assert "Собираю цифры" not in plain(again)  # no second intro
    for text in ["600", "30", "450000"]:
        await say(emu, ANNA, text)
    card = await say(emu, ANNA, "/report")
    assert "сохранены" in plain(card) and len(card.buttons) == 5


async def test_report_after_the_deadline_is_accepted_marked_late(emu, app, clock):
    await team_ready(emu)
    clock.set(datetime(2026, 12, 2, 12, 0, tzinfo=MSK))  # Wednesday after the meeting
    mark = emu.mark()
    emu.send(ANNA, ANNA, "/report")
    intro = await emu.wait_for(ANNA, "Собираю цифры", after=mark)
    assert "за 23–29 нояб." in plain(intro)  # the period stays current until the next opens
    assert "Дедлайн (пн, 30 нояб., 09:30) уже прошёл" in plain(intro)
    await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)
    for text in ["150000", "12000", "600", "30"]:
        await say(emu, ANNA, text)
    card = await say(emu, ANNA, "450000")
    assert "после дедлайна" in plain(card)
    rows = await answer_rows(app, ANNA)
    assert len(rows) == 5 and all(a.late for a in rows)

    status = await say(emu, 1, "/status", chat_id=GROUP)
    assert "Анна (после дедлайна)" in plain(status)


async def test_an_answer_before_the_deadline_is_not_late_one_after_it_is(emu, app, clock):
    await team_ready(emu)
    await opened(emu, app, clock)
    await say(emu, ANNA, "150000")
    clock.set(DEADLINE.replace(minute=31))
    await say(emu, ANNA, "12000")
    late = {a.input_code: a.late for a in await answer_rows(app, ANNA)}
    assert late == {"spend": False, "impressions": True}


async def test_two_roles_ask_each_shared_input_once(emu, app, clock):
    await team_ready(emu, joiners=())
    await join_team(emu, GROUP, BORIS, ["targetologist", "smm_manager"])
    intro, first = await opened(emu, app, clock, BORIS)
    # targetologist 7 inputs + smm manager 6, of which 5 are shared: 8 questions
    assert "8 вопросов" in plain(intro) and "Вопрос 1 из 8" in plain(first)
    titles = []
    reply = first
    for value in ["100000", "50000", "30000", "1500", "2000", "40", "900", "25"]:
        titles.append(plain(reply).split("\n")[0].split(" · ")[1])
        reply = await say(emu, BORIS, value)
    assert len(titles) == len(set(titles)) == 8
    assert "Таргетолог" in plain(reply) and "SMM" in plain(reply)
    assert len(await answers(app, BORIS)) == 8


async def test_english_speaker_gets_english_questions_and_english_number_reading(emu, app, clock):
    await team_ready(emu, anna_language="en")
    intro, question = await opened(emu, app, clock)
    period = format_period(date(2026, 11, 23), date(2026, 11, 29), "en")
    assert f"Collecting the numbers of “Маркетинг” for {period}" in plain(intro)
    assert "5 questions" in plain(intro)
    assert "Question 1 of 5 · Ad spend" in plain(question)
    await say(emu, ANNA, "1,200")  # a thousands separator in English
    assert (await answers(app, ANNA))["spend"] == Decimal("1200")


async def test_questions_and_answers_stay_in_private_chat(emu, app, clock):
    await team_ready(emu)
    pointer = await say(emu, ANNA, "/report", chat_id=GROUP)
    assert "только в личном чате" in plain(pointer)
    assert pointer.buttons == [[("Открыть бота", "https://t.me/planerka_bot")]]
    await opened(emu, app, clock)
    mark = emu.mark()
    emu.send(ANNA, GROUP, "150000")  # typed in the group by mistake
    await emu.wait_idle()
    assert await answers(app, ANNA) == {}
    assert [m for m in emu.messages(GROUP) if m.seq > mark] == []


async def test_someone_not_in_a_team_is_pointed_to_join(emu, app, clock):
    await team_ready(emu)
    reply = await say(emu, STRANGER, "/report")
    assert "Вы пока не в команде" in plain(reply) and "/join" in plain(reply)
    reply = await say(emu, STRANGER, "150000")
    assert "Вы пока не в команде" in plain(reply)
    async with session_maker(app.engine)() as s:
        assert await s.scalar(select(Answer.id)) is None


async def test_a_text_with_no_question_open_says_when_the_next_collection_is(emu, app, clock):
    await team_ready(emu)
    reply = await say(emu, ANNA, "150000")
    assert "Сейчас вопросов нет" in plain(reply)
    assert "пт, 27 нояб., 15:00" in plain(reply)
    assert await answers(app, ANNA) == {}


async def test_someone_in_two_teams_chooses_the_team(emu, app, clock):
    await team_ready(emu)
    second_group = -100401
    emu.add_group(second_group, "Бренд", creator=BORIS, members=[ANNA])
    await register_team(emu, second_group, BORIS)
    await join_team(emu, second_group, ANNA, ["seo_specialist"])

    clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=MSK))
    choice = await say(emu, ANNA, "/report")
    assert "в нескольких командах" in plain(choice)
    assert sorted(buttons(choice)) == ["Маркетинг", "• Бренд"]  # • the last chosen
    mark = emu.mark()
    emu.press(ANNA, choice, "Маркетинг")
    question = await emu.wait_for(ANNA, "Вопрос 1 из", after=mark)
    assert "Расход на рекламу · «Маркетинг»" in plain(question)
    await say(emu, ANNA, "150000")
    async with session_maker(app.engine)() as s:
        user = await s.get(User, ANNA)
        assert user.active_team_id is not None
    # the answer went to the chosen team's period (16–22 Nov, current until Friday)
    assert await answers(app, ANNA, date(2026, 11, 16)) == {"spend": Decimal("150000")}
    assert await answers(app, ANNA, WEEK) == {}


async def test_questions_of_a_second_team_wait_until_the_first_are_answered(emu, app, clock):
    await team_ready(emu)
    second_group = -100401
    emu.add_group(second_group, "Бренд", creator=BORIS, members=[ANNA])
    await register_team(emu, second_group, BORIS)
    await join_team(emu, second_group, ANNA, ["seo_specialist"])
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)  # both teams open at Friday 15:00
    first = await emu.wait_for(ANNA, "Вопрос 1 из 5", after=mark)
    assert "· «Маркетинг»" in plain(first)  # in two teams, each question says which
    waiting = await emu.wait_for(ANNA, "команды «Бренд»", after=mark)
    assert buttons(waiting) == ["▶️ Начать"]
    assert "Сейчас вы отвечаете на вопросы команды «Маркетинг»" in plain(waiting)

    await say(emu, ANNA, "150000")  # a text answers the team being asked
    assert await answers(app, ANNA) == {"spend": Decimal("150000")}
    seo = await tap(emu, ANNA, waiting, "Начать")
    assert "Вопрос 1 из 7 · Визиты на сайт · «Бренд»" in plain(seo)
    await say(emu, ANNA, "20000")  # now texts answer «Бренд»
    async with session_maker(app.engine)() as s:
        rows = list(await s.scalars(select(Answer).order_by(Answer.id)))
    assert [(a.input_code, a.value) for a in rows] == [
        ("spend", Decimal("150000")),
        ("sessions", Decimal("20000")),
    ]
    assert rows[0].member_id != rows[1].member_id
    back = await say(emu, ANNA, "/report")
    assert "в нескольких командах" in plain(back)
    for text in ["8000", "700000", "300", "90", "1500", "400"]:
        card = await say(emu, ANNA, text)
    assert "SEO специалист" in plain(card)
    assert "Ещё ждут ваших цифр: «Маркетинг» — /report." in plain(card)
