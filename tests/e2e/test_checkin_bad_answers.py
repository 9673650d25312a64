"""A corpus of bad answers, each typed to the bot in private chat: every one gets a clear
reason and the same question again, and nothing is stored."""

from __future__ import annotations

import pytest

import kpi
from demo.scenario import join_team
from tests.support.checkins import (
    BORIS,
    GROUP,
    OPENS,
    QUICK,
    answer_rows,
    checkin,
    plain,
    run_tick,
    say,
    tap,
    team_ready,
)

ROLE = "advertising_manager"  # money, count and percent questions

NOT_A_NUMBER = [
    "abc", "двенадцать", "много", "пять", "five", "one hundred", "нет", "не знаю", "н/д", "хз",
    "12,5,5", "1.2.3", "1,2,3", "12.345.67", "1.234,5,6", "1..2", "1,,2", "12 3456", "1 23",
    "1,23,456", "5 5 5", "12 34 56", "1 2",
    "--5", "+-5", "- 5 -", "5-", "5+", "--", "-", "—", "+", ".", ",", "?", "??",
    "1e999", "1e-5", "1E3", "NaN", "inf", "Infinity", "∞",
    "🙂", "👍", "💯", "5️⃣",
    "0x1F", "0b101", "1/2", "3:4", "12-15", "10..20", "от 5 до 10", "около 100", "~100", "≈100",
    "100?", "100!", "<100", ">5", "<b>100</b>", "#5", "@100", "=100", "100=", "(100)", "[100]",
    "{100}", "'100'", "5*2", "2^10", "sqrt(4)", "1+1", "100/3",
    "5%%", "5 %%", "%5", "5 процентов процентов", "5 руб руб", "5 тыс тыс", "5 млн руб %",
    "руб", "₽", "%", "$", "тыс", "5kk", "5 кг",
    "O", "l00", "1OO", "12o", "I2", "1_000", "1'000", "1`000", "１２３", "Ⅻ",
    "12a", "a12", "12 abc", "x", "xyz123", "0,0,0",
]  # fmt: skip
EMPTY = ["\u00a0", "   ", "\t"]
TOO_LARGE = ["100 000 000 000 000 000 000", "99999999999999999999", "1 000 000 000 000 000 ₽"]
NEGATIVE_MONEY = ["-100", "-1 200 ₽", "−5 000", "-0,01", "минус 5"]
NEGATIVE_COUNT = ["-3", "-1", "−7", "-0.5"]
NOT_WHOLE = ["12.5", "0,5", "3.14", "2,75", "1,5"]
OVER_100 = ["150%", "101", "100,5 %", "200", "1000 %", "12 тыс. %"]
NEGATIVE_PERCENT = ["-5%", "-0,1"]

REASONS = {
    "empty": "Ответ пустой",
    "not_a_number": "Не похоже на число",
    "negative": "отрицательных значений",
    "percent_over_100": "не может быть больше 100",
    "not_whole": "нужно целое число",
    "too_large": "Слишком большое число",
}
BY_UNIT = {
    "money": [
        *((text, "not_a_number") for text in NOT_A_NUMBER),
        *((text, "empty") for text in EMPTY),
        *((text, "too_large") for text in TOO_LARGE),
        *((text, "negative") for text in NEGATIVE_MONEY if text != "минус 5"),
        ("минус 5", "not_a_number"),
    ],
    "count": [
        *((text, "negative") for text in NEGATIVE_COUNT),
        *((text, "not_whole") for text in NOT_WHOLE),
    ],
    "percent": [
        *((text, "percent_over_100") for text in OVER_100),
        *((text, "negative") for text in NEGATIVE_PERCENT),
    ],
}


def test_the_corpus_is_large_and_each_entry_is_refused_for_its_reason():
    corpus = [entry for entries in BY_UNIT.values() for entry in entries]
    assert len(corpus) >= 100
    assert len({text for text, _ in corpus}) == len(corpus)
    codes = {"money": "spend", "count": "leads", "percent": "margin_pct"}
    for unit, entries in BY_UNIT.items():
        for text, reason in entries:
            with pytest.raises(kpi.InputError) as caught:
                kpi.parse_input(codes[unit], text, "ru")
            assert caught.value.reason == reason, text


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def test_every_bad_answer_gets_its_reason_and_nothing_is_stored(emu, app, clock):
    await team_ready(emu, joiners=())
    await join_team(emu, GROUP, BORIS, [ROLE])
    inputs = kpi.inputs_for_roles([ROLE])
    clock.set(OPENS)
    mark = emu.mark()
    await run_tick(app)
    question = await emu.wait_for(BORIS, f"Вопрос 1 из {len(inputs)}", after=mark)

    failures = []
    done_units = set()
    sent = 0
    for index, item in enumerate(inputs):
        header = f"Вопрос {index + 1} из {len(inputs)}"
        assert header in plain(question)
        if item.unit in BY_UNIT and item.unit not in done_units:
            done_units.add(item.unit)
            before = [(a.input_code, a.value) for a in await answer_rows(app, BORIS)]
            position = (await checkin(app, BORIS)).position
            for text, reason in BY_UNIT[item.unit]:
                reply = plain(await say(emu, BORIS, text))
                sent += 1
                expected = [REASONS[reason], "Ничего не сохранено", header]
                if not reply.startswith("⚠️") or not all(part in reply for part in expected):
                    failures.append((item.code, text, reply[:120]))
            after = [(a.input_code, a.value) for a in await answer_rows(app, BORIS)]
            assert after == before, item.code
            state = await checkin(app, BORIS)
            assert (state.position, state.pending_input) == (position, None)
        question = await tap(emu, BORIS, question, "Нет данных")
    assert failures == []
    assert sent == sum(len(entries) for entries in BY_UNIT.values())
    assert done_units == set(BY_UNIT)
    # only the «нет данных» presses were stored: one per question, each empty
    rows = await answer_rows(app, BORIS)
    assert [(a.input_code, a.value) for a in rows] == [(i.code, None) for i in inputs]
