"""Periods (weekly, two-weekly, monthly) and aggregation over them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi import (
    Cadence,
    Period,
    aggregate,
    combine_members,
    compute,
    evaluate,
    next_period,
    period_containing,
    periods_back,
    previous_period,
    rollup,
)

D = Decimal
WED = date(2026, 11, 25)


def test_weekly_is_monday_to_sunday() -> None:
    p = period_containing(WED, Cadence.WEEKLY)
    assert p == Period(date(2026, 11, 23), date(2026, 11, 29))
    assert p.key == "2026-11-23" and p.days == 7
    assert period_containing(date(2026, 11, 29), "weekly") == p  # Sunday
    assert period_containing(date(2026, 11, 30), "weekly").start == date(2026, 11, 30)
    assert WED in p and date(2026, 11, 30) not in p


def test_biweekly_aligns_to_the_anchor_week() -> None:
    anchor = date(2026, 11, 19)  # a Thursday: its week starts Monday 16th
    p = period_containing(WED, Cadence.BIWEEKLY, anchor)
    assert p == Period(date(2026, 11, 16), date(2026, 11, 29))
    assert period_containing(date(2026, 11, 15), "biweekly", anchor) == Period(
        date(2026, 11, 2), date(2026, 11, 15)
    )
    assert period_containing(date(2026, 11, 30), "biweekly", anchor).start == date(2026, 11, 30)
    other = period_containing(WED, Cadence.BIWEEKLY, date(2026, 11, 23))
    assert other == Period(date(2026, 11, 23), date(2026, 12, 6))
    assert period_containing(WED, Cadence.BIWEEKLY).days == 14  # default anchor


def test_monthly_is_the_calendar_month() -> None:
    assert period_containing(date(2024, 2, 10), Cadence.MONTHLY) == Period(
        date(2024, 2, 1), date(2024, 2, 29)
    )
    assert period_containing(date(2026, 12, 31), "monthly") == Period(
        date(2026, 12, 1), date(2026, 12, 31)
    )
    jan = next_period(period_containing(date(2026, 12, 31), "monthly"), "monthly")
    assert jan == Period(date(2027, 1, 1), date(2027, 1, 31))
    assert previous_period(jan, "monthly").start == date(2026, 12, 1)


def test_periods_back_oldest_first() -> None:
    p = period_containing(WED, "weekly")
    back = periods_back(p, 4, "weekly")
    assert [x.start for x in back] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert periods_back(p, 1, "weekly") == [p]
    assert periods_back(p, 0, "weekly") == []


def test_unknown_cadence_is_an_error() -> None:
    with pytest.raises(ValueError):
        period_containing(WED, "daily")


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    cadence=st.sampled_from(list(Cadence)),
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
)
def test_periods_tile_the_calendar(day: date, cadence: Cadence, anchor: date) -> None:
    p = period_containing(day, cadence, anchor)
    assert day in p
    assert p.start.weekday() == 0 or cadence is Cadence.MONTHLY
    nxt = next_period(p, cadence, anchor)
    assert nxt.start == p.end + timedelta(days=1)
    assert previous_period(nxt, cadence, anchor) == p
    assert period_containing(p.start, cadence, anchor) == p
    assert period_containing(p.end, cadence, anchor) == p
    expected = {Cadence.WEEKLY: {7}, Cadence.BIWEEKLY: {14}, Cadence.MONTHLY: {28, 29, 30, 31}}
    assert p.days in expected[cadence]


# --- aggregation ---------------------------------------------------------------------------


def test_a_months_ctr_is_recomputed_from_sums_not_averaged() -> None:
    weeks = [
        {"clicks": D(1), "impressions": D(100)},  # 1 %
        {"clicks": D(30), "impressions": D(1000)},  # 3 %
    ]
    month = aggregate(weeks)
    assert month == {"clicks": D(31), "impressions": D(1100)}
    ctr = evaluate("ctr", month)
    mean_of_weekly = sum(evaluate("ctr", w) for w in weeks) / 2  # type: ignore[misc]
    assert ctr == compute("ctr", {"clicks": D(31), "impressions": D(1100)})
    assert mean_of_weekly == D(2)
    assert ctr != mean_of_weekly


def test_stock_measures_take_the_last_value_and_missing_stays_missing() -> None:
    rows = [
        {"followers": D(1000), "customers_start": D(500), "leads": D(10), "usability_score": D(60)},
        {"followers": None, "leads": D(5)},
        {"followers": D(1100), "customers_start": D(520), "usability_score": D(80)},
    ]
    total = aggregate(rows)
    assert total["followers"] == D(1100)
    assert total["customers_start"] == D(500)  # the start of the range
    assert total["leads"] == D(15)
    assert total["usability_score"] == D(70)  # a score: mean
    assert "clicks" not in total
    assert aggregate([]) == {}
    assert aggregate([{"custom_thing": D(2)}, {"custom_thing": D(3)}]) == {"custom_thing": D(5)}


def test_retention_over_a_range_uses_first_start_last_end_and_all_new() -> None:
    weeks = [
        {"customers_start": D(1000), "customers_end": D(1020), "new_customers": D(40)},
        {"customers_start": D(1020), "customers_end": D(1050), "new_customers": D(50)},
    ]
    month = aggregate(weeks)
    assert month == {"customers_start": D(1000), "customers_end": D(1050), "new_customers": D(90)}
    assert evaluate("retention_rate", month) == D(96)


def test_combine_members_adds_up_stocks_and_averages_scores() -> None:
    rows = [
        {"followers": D(1000), "usability_score": D(60), "clicks": D(5)},
        {"followers": D(500), "usability_score": D(80)},
        {"clicks": None},
    ]
    assert combine_members(rows) == {
        "followers": D(1500),
        "usability_score": D(70),
        "clicks": D(5),
    }


def test_rollup_weeks_into_months() -> None:
    rows = [  # weekly answers dated by their Monday, in any order
        (date(2026, 11, 23), {"clicks": D(10), "followers": D(100)}),
        (date(2026, 11, 2), {"clicks": D(5), "followers": D(90)}),
        (date(2026, 12, 7), {"clicks": D(3), "followers": D(130)}),
        (date(2026, 11, 30), {"clicks": D(7), "followers": D(120)}),
    ]
    months = rollup(rows, Cadence.MONTHLY)
    assert [(p.key, inputs) for p, inputs in months] == [
        ("2026-11-01", {"clicks": D(22), "followers": D(120)}),
        ("2026-12-01", {"clicks": D(3), "followers": D(130)}),
    ]
    assert rollup([], "monthly") == []
