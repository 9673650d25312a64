"""Reading numbers as people type them, rejections with reasons, display, and their texts."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

import kpi
from kpi import InputError, format_number, parse_input, parse_number, validate

D = Decimal
NBSP, NNBSP = "\u00a0", "\u202f"
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"

ACCEPTED = [
    ("12,5", "ru", D("12.5")),
    ("12.5", "ru", D("12.5")),
    ("12,5", "en", D("12.5")),
    ("12.5", "en", D("12.5")),
    ("12,5 %", "ru", D("12.5")),
    ("12,5%", "ru", D("12.5")),
    ("12.5%", "en", D("12.5")),
    ("1 200 ₽", "ru", D(1200)),
    (f"1{NBSP}200 ₽", "ru", D(1200)),
    (f"1{NNBSP}200{NNBSP}₽", "ru", D(1200)),
    ("1 200,50 руб.", "ru", D("1200.50")),
    ("1 200,50 руб", "ru", D("1200.50")),
    ("1 200 р.", "ru", D(1200)),
    ("1,2 тыс.", "ru", D(1200)),
    ("1,2тыс", "ru", D(1200)),
    ("5 тыс руб", "ru", D(5000)),
    ("1.2k", "en", D(1200)),
    ("1.2K", "en", D(1200)),
    ("1,2к", "ru", D(1200)),
    ("2 млн", "ru", D(2000000)),
    ("1,5 млн ₽", "ru", D(1500000)),
    ("2.5m", "en", D(2500000)),
    ("3 млрд", "ru", D(3000000000)),
    ("\u22125", "ru", D(-5)),
    ("-5", "en", D(-5)),
    ("\u2212 5 %", "ru", D(-5)),
    ("+3", "en", D(3)),
    ("1,200", "ru", D("1.2")),
    ("1,200", "en", D(1200)),
    ("1,200.50", "en", D("1200.50")),
    ("1,200.50", "ru", D("1200.50")),
    ("1.200,50", "ru", D("1200.50")),
    ("1,200,000", "en", D(1200000)),
    ("1 200 000", "en", D(1200000)),
    ("0.125", "ru", D("0.125")),
    ("0,125", "en", D("0.125")),
    ("$1,200.50", "en", D("1200.50")),
    ("RUB1,200.50", "en", D("1200.50")),
    ("-RUB1,200.50", "en", D("-1200.50")),
    ("1 200,50 €", "ru", D("1200.50")),
    ("  42  ", "ru", D(42)),
    ("42.", "ru", D(42)),
    ("0", "ru", D(0)),
    ("007", "ru", D(7)),
]

REJECTED = [
    ("", "empty"),
    ("   ", "empty"),
    (NBSP, "empty"),
    ("abc", "not_a_number"),
    ("двенадцать", "not_a_number"),
    ("12 кликов", "not_a_number"),
    ("1 2", "not_a_number"),
    ("12 5", "not_a_number"),
    ("1,2,3", "not_a_number"),
    ("1.2.3", "not_a_number"),
    ("1,20,000", "not_a_number"),
    ("--5", "not_a_number"),
    ("5-", "not_a_number"),
    ("1e5", "not_a_number"),
    ("₽", "not_a_number"),
    ("%", "not_a_number"),
    ("12 % ₽", "not_a_number"),
    ("1/2", "not_a_number"),
    ("99999999999999999999", "too_large"),
    ("2000 трлн", "not_a_number"),
    ("5000000 млрд", "too_large"),
]


@pytest.mark.parametrize(("text", "locale", "expected"), ACCEPTED)
def test_accepted(text: str, locale: str, expected: Decimal) -> None:
    assert parse_number(text, locale) == expected


@pytest.mark.parametrize(("text", "reason"), REJECTED)
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_rejected_with_a_reason(text: str, reason: str, locale: str) -> None:
    with pytest.raises(InputError) as info:
        parse_number(text, locale)
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)
    if reason == "not_a_number":
        assert info.value.params["text"] == text.strip()


def test_default_locale_is_russian() -> None:
    assert parse_number("1,200") == D("1.2")


@pytest.mark.parametrize(
    ("code", "text", "reason"),
    [
        ("clicks", "-5", "negative"),
        ("spend", "−1 200 ₽", "negative"),
        ("margin_pct", "120 %", "percent_over_100"),
        ("usability_score", "101", "out_of_range"),
        ("clicks", "12,5", "not_whole"),
        ("clicks", "2 трлн", None),
        ("clicks", "10000000000000", "too_large"),
        ("lifespan", "500", "too_large"),
        ("clicks", "", "empty"),
        ("clicks", "много", "not_a_number"),
    ],
)
def test_parse_input_validates_for_the_input(code: str, text: str, reason: str | None) -> None:
    with pytest.raises(InputError) as info:
        parse_input(code, text, "ru")
    assert info.value.reason == (reason or "not_a_number")


def test_parse_input_accepts_valid_answers() -> None:
    assert parse_input("margin_pct", "35 %", "ru") == D(35)
    assert parse_input("margin_pct", "100", "ru") == D(100)
    assert parse_input("launch_days", "2,5", "ru") == D("2.5")  # days may be fractional
    assert parse_input("clicks", "1,2 тыс.", "ru") == D(1200)  # whole once multiplied
    assert parse_input("spend", "1 200,50 ₽", "ru") == D("1200.50")
    assert parse_input("usability_score", "72,5", "ru") == D("72.5")
    assert parse_input("clicks", "0", "ru") == D(0)


def test_validate_reasons_carry_params() -> None:
    with pytest.raises(InputError) as info:
        validate("lifespan", D(300))
    assert info.value.reason == "too_large"
    assert info.value.params["max"] == D(200)
    assert info.value.key == "kpi.error.too_large"
    with pytest.raises(InputError) as info:
        validate("usability_score", D(150))
    assert info.value.params["min"] == D(0) and info.value.params["max"] == D(100)
    assert info.value.message_params("ru") == {"unit": "score", "min": "0", "max": "100"}
    with pytest.raises(KeyError):
        validate("vibes", D(1))
    with pytest.raises(ValueError):
        InputError("made_up_reason")


def test_reasons_cover_every_reason_raised() -> None:
    raised = {r for _, r in REJECTED} | {
        "negative",
        "percent_over_100",
        "out_of_range",
        "not_whole",
    }
    assert raised == set(kpi.REASONS)


# --- properties -----------------------------------------------------------------------------

UNIT_CURRENCY = st.sampled_from(
    [("money", "RUB"), ("money", "USD"), ("money", "EUR")]
    + [(u, "RUB") for u in kpi.UNITS if u != "money"]
)


@given(
    unit_currency=UNIT_CURRENCY,
    locale=st.sampled_from(["ru", "en"]),
    units=st.integers(min_value=-(10**14), max_value=10**14),
)
def test_format_then_parse_gives_the_value_back(
    unit_currency: tuple[str, str], locale: str, units: int
) -> None:
    unit, currency = unit_currency
    value = D(units).scaleb(-kpi.DISPLAY_PLACES[unit])  # a value at display precision
    text = format_number(value, unit, locale, currency)
    assert parse_number(text, locale) == value, text


@given(
    n=st.integers(min_value=0, max_value=10**12),
    separator=st.sampled_from([" ", NBSP, NNBSP]),
    locale=st.sampled_from(["ru", "en"]),
)
def test_space_grouped_integers(n: int, separator: str, locale: str) -> None:
    assert parse_number(f"{n:,}".replace(",", separator), locale) == n


@given(n=st.integers(min_value=1000, max_value=10**12))
def test_comma_grouped_integer_is_thousands_in_english(n: int) -> None:
    assert parse_number(f"{n:,}", "en") == n


@given(st.text(alphabet=string.printable + "₽−\u00a0тысмлн", max_size=20))
def test_any_text_parses_or_gives_a_reason(text: str) -> None:
    try:
        value = parse_number(text, "ru")
    except InputError as error:
        assert error.reason in kpi.REASONS
    else:
        assert isinstance(value, Decimal) and value.is_finite()


# --- display -----------------------------------------------------------------------------------


def test_format_number_examples() -> None:
    assert format_number(D("12.5"), "percent", "ru") == f"12,5{NBSP}%"
    assert format_number(D("12.5"), "percent", "en") == "12.5%"
    assert format_number(D("1200.5"), "money", "ru") == f"1{NBSP}200,50{NBSP}₽"
    assert format_number(D("1200"), "money", "ru") == f"1{NBSP}200{NBSP}₽"
    assert format_number(D("1200.5"), "money", "en", "USD") == "$1,200.50"
    assert format_number(D("1234567"), "count", "ru") == f"1{NBSP}234{NBSP}567"
    assert format_number(D("1234567"), "count", "en") == "1,234,567"
    assert format_number(D("4.25"), "ratio", "ru") == "4,25"
    assert format_number(D("150.4"), "seconds", "en") == f"150{NBSP}sec"
    assert format_number(D("40"), "seconds", "ru") == f"40{NBSP}с"
    assert format_number(D("3"), "days", "ru") == f"3{NBSP}дн."
    # an alphabetic currency code is set off by a non-breaking space (issue 11, not «RUB257»)
    assert format_number(D("257655.16"), "money", "en") == f"RUB{NBSP}257,655.16"
    assert format_number(D("1200"), "money", "en") == f"RUB{NBSP}1,200"
    assert format_number(D("2.5"), "percent", "ru", signed=True) == f"+2,5{NBSP}%"
    assert format_number(D("-2.5"), "percent", "en", signed=True) == "-2.5%"


def test_none_is_shown_as_not_available() -> None:
    assert format_number(None, "percent", "ru") == "н/д"
    assert format_number(None, "money", "en") == "n/a"


def test_rounding_half_up_for_display_only() -> None:
    assert format_number(D("12.25"), "percent", "ru") == f"12,3{NBSP}%"  # half-even: 12,2
    assert format_number(D("0.125"), "money", "en", "USD") == "$0.13"  # half-even: $0.12
    assert format_number(D("2.5"), "seconds", "en") == f"3{NBSP}sec"
    assert format_number(D("-0.004"), "percent", "en") == "0%"  # no "-0%"
    assert kpi.round_half_up(D("1.005"), 2) == D("1.01")


def test_unknown_unit_is_an_error() -> None:
    with pytest.raises(ValueError):
        format_number(D(1), "furlongs", "ru")


# --- translations --------------------------------------------------------------------------


def catalog(locale: str):
    with (LOCALES_DIR / locale / "kpi.po").open("rb") as fh:
        return read_po(fh, locale=locale)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_reason_and_inconsistency_has_a_text(locale: str) -> None:
    po = catalog(locale)
    keys = [f"kpi.error.{r}" for r in kpi.REASONS]
    keys += [f"kpi.inconsistency.{c}" for c in kpi.INCONSISTENCIES]
    keys += [f"kpi.status.{s.value}" for s in kpi.Status]
    for key in keys:
        message = po.get(key)
        assert message is not None and str(message.string).strip(), (locale, key)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_texts_use_only_params_that_are_given(locale: str) -> None:
    po = catalog(locale)
    given_params = {
        "kpi.error.not_a_number": {"text"},
        "kpi.error.too_large": {"max", "text", "unit"},
        "kpi.error.out_of_range": {"min", "max", "unit"},
        "kpi.inconsistency.exceeds": {"left", "right", "left_title", "right_title"},
        "kpi.inconsistency.retained_exceeds_start": {"left", "right", "left_title", "right_title"},
    }
    for message in po:
        if not message.id or not str(message.id).startswith(("kpi.error.", "kpi.inconsistency.")):
            continue
        fields = set(re.findall(r"{(\w+)}", str(message.string)))
        assert fields <= given_params.get(str(message.id), {"unit"}), message.id


def test_po_headers() -> None:
    ru, en = catalog("ru"), catalog("en")
    assert ru.charset.lower() == en.charset.lower() == "utf-8"
    assert ru.num_plurals == 3 and en.num_plurals == 2
    assert "n%10==1 && n%100!=11" in ru.plural_expr
    assert {m.id for m in ru if m.id} == {m.id for m in en if m.id}


def test_messages_format_with_real_params() -> None:
    po = catalog("ru")
    (found,) = kpi.check_consistency({"unique_opens": D(1300), "delivered": D(1000)})
    text = str(po.get(found.key).string).format(**found.message_params("ru"))
    assert "Уникальные открытия" in text and f"1{NBSP}300" in text
    with pytest.raises(InputError) as info:
        parse_number("сто", "ru")
    text = str(po.get(info.value.key).string).format(**info.value.message_params("ru"))
    assert "«сто»" in text


@pytest.mark.parametrize(
    ("text", "locale", "value"),
    [
        ("5 шт", "ru", "5"),
        ("1 200 шт.", "ru", "1200"),
        ("40 с", "ru", "40"),
        ("3 дн.", "ru", "3"),
        ("2,5 года", "ru", "2.5"),
        ("150 sec", "en", "150"),
        ("12 pcs", "en", "12"),
    ],
)
def test_a_unit_word_after_the_number_is_read(text: str, locale: str, value: str) -> None:
    assert parse_number(text, locale) == D(value)


@pytest.mark.parametrize(
    ("code", "text", "currency", "misfit"),
    [
        ("spend", "12,5 %", "RUB", "percent"),
        ("spend", "5$", "RUB", "USD"),
        ("spend", "$5", "RUB", "USD"),
        ("spend", "5 usd", "RUB", "USD"),
        ("spend", "5 €", "RUB", "EUR"),
        ("spend", "5 шт", "RUB", "count"),
        ("spend", "5 руб", "USD", "RUB"),
        ("leads", "5 ₽", "RUB", "RUB"),
        ("margin_pct", "5 ₽", "RUB", "RUB"),
        ("spend", "5 ₽", "RUB", None),
        ("spend", "5 р.", "RUB", None),
        ("spend", "5 руб", "RUB", None),
        ("spend", "1,2 тыс. руб.", "RUB", None),
        ("spend", "RUB1,200.50", "RUB", None),
        ("spend", "5$", "USD", None),
        ("spend", "1200", "RUB", None),
        ("margin_pct", "12,5 %", "RUB", None),
        ("leads", "5 шт", "RUB", None),
    ],
)
def test_a_unit_that_does_not_fit_the_question_is_named(code, text, currency, misfit):
    from kpi.parsing import unit_mismatch

    assert unit_mismatch(code, text, currency) == misfit
