"""The fixed vocabularies of the catalogue."""

from __future__ import annotations

UNITS: tuple[str, ...] = (
    "percent",  # 2.5 means 2.5 %
    "money",  # in the inputs' currency
    "count",
    "ratio",  # 4 means ×4 (ROAS, LTV:CAC, orders per customer)
    "score",  # a 0..100 scale such as SUS
    "seconds",
    "days",
    "years",
    "points",  # NPS, −100..100
)
DIRECTIONS: tuple[str, ...] = ("up", "down", "budget")  # budget: no good way without a plan
AGGREGATIONS: tuple[str, ...] = ("sum", "last", "first", "mean")

# Decimal places shown (rounded half-up) and parsed back; trailing zeros are dropped except money.
DISPLAY_PLACES: dict[str, int] = {
    "percent": 1,
    "money": 2,
    "count": 2,
    "ratio": 2,
    "score": 1,
    "seconds": 0,
    "days": 1,
    "years": 1,
    "points": 1,
}
