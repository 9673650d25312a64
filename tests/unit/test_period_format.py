"""The product's one period wording (kpi.format_period) — our decision, whatever CLDR prints."""

from datetime import date

import pytest

from kpi import format_period

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("start", "end", "ru", "en"),
    [
        (date(2026, 11, 16), date(2026, 11, 22), "16–22 нояб.", "Nov 16–22"),
        (date(2026, 11, 30), date(2026, 12, 6), f"30 нояб.{NBSP}– 6 дек.", f"Nov 30{NBSP}– Dec 6"),
        (date(2026, 11, 16), date(2026, 11, 16), "16 нояб.", "Nov 16"),
        (date(2026, 11, 1), date(2026, 11, 30), "ноябрь 2026", "November 2026"),
        (date(2026, 11, 1), date(2026, 11, 14), "1–14 нояб.", "Nov 1–14"),
    ],
)
def test_a_period_is_written_one_way(start: date, end: date, ru: str, en: str) -> None:
    assert format_period(start, end, "ru") == ru
    assert format_period(start, end, "en") == en


def test_a_period_across_years_names_both_years() -> None:
    text = format_period(date(2026, 12, 28), date(2027, 1, 3), "ru")
    assert text.startswith("28 дек. 2026") and "3 янв. 2027" in text
    assert f"{NBSP}– " in text and "—" not in text
