from __future__ import annotations

import pytest

from services.common.errors import UserError
from services.team.settings import (
    parse_bool,
    parse_currency,
    parse_time,
    parse_timezone,
    parse_weekday,
)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("пн", 0),
        ("Понедельник", 0),
        ("вторник", 1),
        ("ср.", 2),
        ("fri", 4),
        ("Sunday", 6),
        ("7", 6),
    ],
)
def test_weekdays_in_both_languages(text: str, index: int) -> None:
    assert parse_weekday(text) == index


@pytest.mark.parametrize(
    ("parse", "text", "key"),
    [
        (parse_weekday, "someday", "settings.error.weekday"),
        (parse_weekday, "8", "settings.error.weekday"),
        (parse_time, "25:00", "settings.error.time"),
        (parse_time, "9", "settings.error.time"),
        (parse_timezone, "Mars/Olympus", "settings.error.timezone"),
        (parse_currency, "XYZ", "settings.error.currency"),
        (parse_bool, "maybe", "settings.error.bool"),
    ],
)
def test_refusals_carry_their_reason(parse, text: str, key: str) -> None:
    with pytest.raises(UserError) as caught:
        parse(text)
    assert caught.value.key == key


def test_accepted_values_are_normalized() -> None:
    assert parse_time("9.05") == "09:05"
    assert parse_currency("usd") == "USD"
    assert parse_timezone("Asia/Novosibirsk") == "Asia/Novosibirsk"
    assert parse_bool("да") is True and parse_bool("no") is False
