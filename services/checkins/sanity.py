"""Answers that look wrong, caught before they are saved: a value more than FACTOR times above
or below the member's recent values (a digit too many or too few), or impossible against
their other answers (more clicks than impressions). Pure: values in, a doubt or None out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

import kpi

FACTOR = Decimal(5)
RECENT = 4
SHIFTS = (-1, 1, -2, 2, -3, 3)


@dataclass(frozen=True)
class Doubt:
    """Why `value` is held for confirmation, and the values it might have been meant as."""

    input_code: str
    value: Decimal
    alternatives: tuple[Decimal, ...]
    baseline: Decimal | None = None
    inconsistency: kpi.Inconsistency | None = None


def baseline(recent: Sequence[Decimal]) -> Decimal | None:
    """The typical recent value: the median of the last RECENT positive values."""
    values = [v for v in recent[:RECENT] if v is not None and v > 0]
    return Decimal(median(values)) if values else None


def _valid(input_code: str, value: Decimal) -> bool:
    try:
        kpi.validate(input_code, value)
    except kpi.InputError:
        return False
    return True


def _plain(value: Decimal) -> Decimal:
    """The value without exponent notation or trailing zeros (700, not 7E+2 or 700.00)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _shifted(input_code: str, value: Decimal) -> list[Decimal]:
    """The value with its decimal point moved 1–3 places either way, where still valid."""
    out = []
    for shift in SHIFTS:
        candidate = _plain(value.scaleb(shift))
        if candidate != value and _valid(input_code, candidate):
            out.append(candidate)
    return out


def _conflicts(
    input_code: str, value: Decimal, others: Mapping[str, Decimal], roles: Sequence[str] | None
) -> list[kpi.Inconsistency]:
    inputs = {**others, input_code: value}
    return [i for i in kpi.check_consistency(inputs, roles) if input_code in i.inputs]


def check(
    input_code: str,
    value: Decimal | None,
    recent: Sequence[Decimal],
    answers: Mapping[str, Decimal | None],
    roles: Sequence[str] | None = None,
) -> Doubt | None:
    """A doubt about `value` for `input_code`, given the member's recent values of it (newest
    first), their other answers this period and their roles; None if it looks right."""
    if value is None:
        return None
    others = {k: v for k, v in answers.items() if v is not None and k != input_code}
    base = baseline(recent)
    conflicts = _conflicts(input_code, value, others, roles)
    if conflicts:
        fixes = [
            c for c in _shifted(input_code, value) if not _conflicts(input_code, c, others, roles)
        ]
        if base is not None:
            fixes.sort(key=lambda c: abs(c - base))
        return Doubt(input_code, value, tuple(fixes[:1]), base, conflicts[0])
    if base is None or value <= 0:
        return None
    if value <= base * FACTOR and value * FACTOR >= base:
        return None
    near = [c for c in _shifted(input_code, value) if c <= base * FACTOR and c * FACTOR >= base]
    near.sort(key=lambda c: abs(c - base))
    return Doubt(input_code, value, tuple(near[:1]), base)
