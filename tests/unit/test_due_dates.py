"""Deadlines typed in Russian and English, read against a fixed 'today'."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.dates import parse_due, split_due
from services.common.errors import UserError

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28.11", date(2026, 11, 28)),
        ("28.11.2026", date(2026, 11, 28)),
        ("5.1.27", date(2027, 1, 5)),
        ("2026-12-01", date(2026, 12, 1)),
        ("28/11", date(2026, 11, 28)),
        ("завтра", date(2026, 11, 24)),
        ("Послезавтра", date(2026, 11, 25)),
        ("сегодня", MONDAY),
        ("до пт", date(2026, 11, 27)),
        ("пятница", date(2026, 11, 27)),
        ("к пятнице", date(2026, 11, 27)),
        ("до пятницы", date(2026, 11, 27)),
        ("в среду", date(2026, 11, 25)),
        ("пн", date(2026, 11, 30)),  # today is Monday: the next one
        ("воскресенье", date(2026, 11, 29)),
        ("через 3 дня", date(2026, 11, 26)),
        ("через день", date(2026, 11, 24)),
        ("через неделю", date(2026, 11, 30)),
        ("через 2 недели", date(2026, 12, 7)),
        ("через пять дней", date(2026, 11, 28)),
        ("через месяц", date(2026, 12, 23)),
        ("через год", date(2027, 11, 23)),
        ("23.11.2027", date(2027, 11, 23)),
        ("через 365 дней", date(2027, 11, 23)),
    ],
)
def test_russian_deadlines(text, expected):
    assert parse_due(text, MONDAY, "ru") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2026, 11, 24)),
        ("by fri", date(2026, 11, 27)),
        ("Friday", date(2026, 11, 27)),
        ("in 3 days", date(2026, 11, 26)),
        ("in a week", date(2026, 11, 30)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("day after tomorrow", date(2026, 11, 25)),
        ("28.11", date(2026, 11, 28)),
        ("11/28", date(2026, 11, 28)),
        ("until 1.12.2026", date(2026, 12, 1)),
    ],
)
def test_english_deadlines(text, expected):
    assert parse_due(text, MONDAY, "en") == expected


def test_a_date_without_year_rolls_into_next_year_only_across_new_year():
    december = date(2026, 12, 20)
    assert parse_due("10.01", december) == date(2027, 1, 10)
    with pytest.raises(UserError) as error:
        parse_due("18.12", december)
    assert error.value.key == "due.error.past"
    assert error.value.params["date"] == date(2026, 12, 18)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("  ", "empty"),
        ("когда-нибудь", "unknown"),
        ("31.02", "invalid"),
        ("31.13.2026", "invalid"),
        ("01.11.2026", "past"),
        ("20.11", "past"),
        ("01.01.2030", "too_far"),
        ("через 400 дней", "too_far"),
        ("через 366 дней", "too_far"),
        ("через 1000 дней", "too_far"),
        ("через 99999999999999999999 дней", "too_far"),
        ("через 2 года", "too_far"),
        ("24.11.2027", "too_far"),
        ("01.01.2099", "too_far"),
        ("01.01.0001", "past"),
        ("01.01.0000", "invalid"),
        ("через -3 дня", "past_relative"),
        ("через −3 дня", "past_relative"),
    ],
)
def test_refusals_carry_a_reason(text, reason):
    with pytest.raises(UserError) as error:
        parse_due(text, MONDAY, "ru")
    assert error.value.key == f"due.error.{reason}"


@pytest.mark.parametrize(
    ("text", "words", "due"),
    [
        ("подготовить отчёт по лидам до пт", "подготовить отчёт по лидам", date(2026, 11, 27)),
        ("обновить креативы до 28.11", "обновить креативы", date(2026, 11, 28)),
        ("поднять CTR до 2% через 3 дня", "поднять CTR до 2%", date(2026, 11, 26)),
        ("завтра созвон с подрядчиком", "созвон с подрядчиком", date(2026, 11, 24)),
        ("A/B test the landing by fri", "A/B test the landing", date(2026, 11, 27)),
        ("fix the tracking in 2 weeks", "fix the tracking", date(2026, 12, 7)),
        ("отчёт послезавтра", "отчёт", date(2026, 11, 25)),
        ("письмо к пятнице", "письмо", date(2026, 11, 27)),
    ],
)
def test_split_finds_the_deadline_in_a_task(text, words, due):
    assert split_due(text, MONDAY, "ru") == (words, due)


def test_split_without_a_deadline_or_with_a_bare_abbreviation_is_missing():
    for text in ("подготовить отчёт", "write a post about sun", "обзор ср"):
        with pytest.raises(UserError) as error:
            split_due(text, MONDAY)
        assert error.value.key == "due.error.missing", text


def test_split_reports_a_past_deadline():
    with pytest.raises(UserError) as error:
        split_due("отчёт до 20.11", MONDAY)
    assert error.value.key == "due.error.past"


def test_one_no_year_rule_looks_ahead_or_back():
    from services.common.dates import no_year, read_range

    today = date(2026, 11, 23)
    assert no_year(10, 1, today, ahead=True) == date(2027, 1, 10)  # January: next one
    assert no_year(20, 11, today, ahead=True) == date(2026, 11, 20)  # just past: refused later
    assert no_year(20, 12, today, ahead=False) == date(2026, 12, 20)  # soon: refused later
    assert no_year(20, 8, date(2026, 1, 10), ahead=False) == date(2025, 8, 20)
    assert read_range("28.12–05.01", today, ahead=True) == (date(2026, 12, 28), date(2027, 1, 5))
    assert read_range("01.12..31.01", date(2027, 2, 10), ahead=False) == (
        date(2026, 12, 1),
        date(2027, 1, 31),
    )
    assert read_range("2026-09-01 2026-11-30", today, ahead=False) == (
        date(2026, 9, 1),
        date(2026, 11, 30),
    )
    assert read_range("вчера", today, ahead=False) is None


def test_one_limit_whatever_the_form_and_the_refusal_names_the_furthest_day():
    from services.common.dates import check_due, furthest

    assert furthest(MONDAY) == date(2027, 11, 23)
    assert furthest(date(2028, 2, 29)) == date(2029, 2, 28)
    for text in ("отчёт до 24.11.2027", "отчёт через 366 дней", "отчёт через 53 недели"):
        with pytest.raises(UserError) as error:
            split_due(text, MONDAY)
        assert error.value.key == "due.error.too_far", text
        assert error.value.params["max"] == date(2027, 11, 23), text
    assert split_due("отчёт до 23.11.2027", MONDAY) == ("отчёт", date(2027, 11, 23))
    assert check_due(date(2027, 11, 23), MONDAY) == date(2027, 11, 23)
    with pytest.raises(UserError) as error:
        check_due(date(2027, 11, 24), MONDAY)
    assert error.value.key == "due.error.too_far"


@pytest.mark.parametrize("text", ["отчёт через -3 дня", "отчёт через 1000 дней"])
def test_split_gives_the_real_reason_not_missing(text):
    with pytest.raises(UserError) as error:
        split_due(text, MONDAY)
    assert error.value.key in {"due.error.past_relative", "due.error.too_far"}


def test_every_refusal_is_translated():
    from views.common import error_text
    from views.i18n import I18n

    i18n = I18n()
    for locale in ("ru", "en"):
        t = i18n.get(locale)
        for text in ("через -3 дня", "через 1000 дней", "24.11.2027", "31.02", "01.11.2026"):
            with pytest.raises(UserError) as error:
                parse_due(text, MONDAY, locale)
            shown = error_text(error.value, t)
            assert error.value.key not in shown and "{" not in shown, shown
    with pytest.raises(UserError) as error:
        parse_due("через 1000 дней", MONDAY, "ru")
    assert "23 нояб. 2027" in error_text(error.value, i18n.get("ru"))
