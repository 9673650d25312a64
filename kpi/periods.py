"""Meeting periods: weekly (Mon–Sun), two-weekly (aligned to an anchor's week), monthly.

Pure: callers pass dates already in the team's time zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

# Two-weekly periods without an anchor are aligned to this Monday.
DEFAULT_ANCHOR = date(2024, 1, 1)


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        return self.start.isoformat()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def month_holding(period: Period) -> Period:
    """The calendar month a period belongs to: the one holding most of its days; on a tie
    (a two-week period split 7/7), the month it starts in. So 26 Oct – 1 Nov is October's and
    30 Nov – 6 Dec is December's: every period belongs to exactly one month."""
    days: dict[tuple[int, int], int] = {}
    day = period.start
    while day <= period.end:
        days[(day.year, day.month)] = days.get((day.year, day.month), 0) + 1
        day += timedelta(days=1)
    first = (period.start.year, period.start.month)
    year, month = max(days, key=lambda ym: (days[ym], ym == first))
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_containing(day: date, cadence: Cadence | str, anchor: date | None = None) -> Period:
    cadence = Cadence(cadence)
    if cadence is Cadence.WEEKLY:
        start = _monday(day)
        return Period(start, start + timedelta(days=6))
    if cadence is Cadence.BIWEEKLY:
        base = _monday(anchor or DEFAULT_ANCHOR)
        weeks = (_monday(day) - base).days // 7
        start = base + timedelta(weeks=weeks - weeks % 2)
        return Period(start, start + timedelta(days=13))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def previous_period(period: Period, cadence: Cadence | str, anchor: date | None = None) -> Period:
    return period_containing(period.start - timedelta(days=1), cadence, anchor)


def next_period(period: Period, cadence: Cadence | str, anchor: date | None = None) -> Period:
    return period_containing(period.end + timedelta(days=1), cadence, anchor)


def periods_back(
    period: Period, n: int, cadence: Cadence | str, anchor: date | None = None
) -> list[Period]:
    """The n periods ending with `period`, oldest first."""
    if n < 1:
        return []
    out = [period]
    for _ in range(n - 1):
        out.append(previous_period(out[-1], cadence, anchor))
    return out[::-1]


def rollup(
    rows: Sequence[tuple[date, Mapping[str, Decimal]]],
    cadence: Cadence | str,
    anchor: date | None = None,
) -> list[tuple[Period, dict[str, Decimal]]]:
    """Rows dated by their period's start (e.g. weekly answers) aggregated into longer periods,
    oldest first: a month's inputs are its weeks' sums (stock inputs: the last week's value)."""
    from kpi.aggregation import aggregate

    grouped: dict[Period, list[tuple[date, Mapping[str, Decimal]]]] = {}
    for day, row in rows:
        grouped.setdefault(period_containing(day, cadence, anchor), []).append((day, row))
    return [
        (p, aggregate([row for _, row in sorted(grouped[p], key=lambda item: item[0])]))
        for p in sorted(grouped)
    ]
