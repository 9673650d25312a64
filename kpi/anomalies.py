"""Seed 003: «любое колебание конверсии на любом из уровней — сигнал к действию».

A conversion (CTR, click → lead → customer, open and click rates, engagement, retention, …)
that moves more than `threshold` (relative) against its trailing mean is flagged, whichever
way it moves; `direction_good` tells which way that was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kpi.definitions import KPI, evaluate, metrics
from kpi.summary import MemberInputs, team_value

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Anomaly:
    kpi_code: str
    value: Decimal
    baseline: Decimal  # the mean of the trailing window
    change_pct: Decimal  # (value − baseline) / |baseline|, in percent units
    direction_good: bool


def conversion_metrics() -> tuple[KPI, ...]:
    return tuple(m for m in metrics() if m.conversion)


def _detect(
    periods: int,
    value_of: Callable[[KPI, int], Decimal | None],
    threshold: Decimal,
    window: int,
) -> list[Anomaly]:
    if periods < 2 or window < 1:
        return []
    found: list[Anomaly] = []
    trailing = range(max(0, periods - 1 - window), periods - 1)
    for kpi in conversion_metrics():
        value = value_of(kpi, periods - 1)
        if value is None:
            continue
        past = [v for i in trailing if (v := value_of(kpi, i)) is not None]
        if not past:
            continue
        baseline = sum(past, Decimal(0)) / len(past)
        if baseline == 0:
            continue
        move = (value - baseline) / abs(baseline)
        if abs(move) > threshold:
            good = (move > 0) == (kpi.direction == "up")
            found.append(Anomaly(kpi.code, value, baseline, move * HUNDRED, good))
    found.sort(key=lambda a: abs(a.change_pct), reverse=True)
    return found


def detect_anomalies(
    history: Sequence[Mapping[str, Decimal]],
    threshold: Decimal = Decimal("0.2"),
    window: int = 4,
) -> list[Anomaly]:
    """history: one member's (or any single source's) aggregated inputs per period, oldest
    first; the last one is the current period."""
    return _detect(len(history), lambda k, i: evaluate(k, history[i]), threshold, window)


def detect_team_anomalies(
    history: Sequence[Sequence[MemberInputs]],
    threshold: Decimal = Decimal("0.2"),
    window: int = 4,
) -> list[Anomaly]:
    """Like detect_anomalies over a team's members per period: each conversion is recomputed
    from the members who gave all its inputs (see summary.team_value)."""
    rows = [[m.inputs for m in period] for period in history]
    return _detect(len(rows), lambda k, i: team_value(k, rows[i]), threshold, window)
