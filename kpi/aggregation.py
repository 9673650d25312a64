"""Adding up raw inputs: over periods of one member, and across members of a team.

Ratios are never averaged: they are recomputed from the summed inputs (a month's CTR is
Σclicks / Σimpressions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from kpi.definitions import all_inputs

_HOW: dict[str, str] = {i.code: i.aggregation for i in all_inputs()}


def aggregate(rows: Sequence[Mapping[str, Decimal | None]]) -> dict[str, Decimal]:
    """Periods of one member, oldest first, into one: "sum" inputs summed, "last" (stock: followers,
    positions) the last present value, "first" the first, "mean" the mean of present values.
    An input missing from every row stays missing. Unknown codes are summed."""
    out: dict[str, Decimal] = {}
    means: dict[str, list[Decimal]] = {}
    for row in rows:
        for code, value in row.items():
            if value is None:
                continue
            how = _HOW.get(code, "sum")
            if how == "sum":
                out[code] = out[code] + value if code in out else Decimal(value)
            elif how == "last":
                out[code] = Decimal(value)
            elif how == "first":
                out.setdefault(code, Decimal(value))
            else:
                means.setdefault(code, []).append(Decimal(value))
    for code, values in means.items():
        out[code] = sum(values, Decimal(0)) / len(values)
    return out


def combine_members(rows: Iterable[Mapping[str, Decimal | None]]) -> dict[str, Decimal]:
    """Members of a team in one period into one: every input summed (two SMM managers' followers
    add up), except "mean" inputs (scores), which are averaged."""
    out: dict[str, Decimal] = {}
    means: dict[str, list[Decimal]] = {}
    for row in rows:
        for code, value in row.items():
            if value is None:
                continue
            if _HOW.get(code, "sum") == "mean":
                means.setdefault(code, []).append(Decimal(value))
            else:
                out[code] = out[code] + value if code in out else Decimal(value)
    for code, values in means.items():
        out[code] = sum(values, Decimal(0)) / len(values)
    return out
