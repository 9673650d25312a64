"""The funnel impressions → clicks → leads → sales, for charts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from kpi.formulas import compute

STEPS = ("impressions", "clicks", "leads", "sales")


@dataclass(frozen=True, slots=True)
class FunnelStep:
    code: str
    value: Decimal | None
    conversion_from_previous: Decimal | None  # percent units


def funnel(inputs: Mapping[str, Decimal]) -> list[FunnelStep]:
    """All four steps, None where the input is missing. Sales are new customers, or conversions
    when new customers aren't given. A step larger than the one before has no conversion."""
    sales = inputs.get("new_customers")
    if sales is None:
        sales = inputs.get("conversions")
    values = [inputs.get("impressions"), inputs.get("clicks"), inputs.get("leads"), sales]
    steps: list[FunnelStep] = []
    for i, (code, value) in enumerate(zip(STEPS, values, strict=True)):
        rate = None
        if i > 0 and value is not None and values[i - 1] is not None:
            rate = compute("share", {"part": value, "whole": values[i - 1]})
        steps.append(FunnelStep(code, None if value is None else Decimal(value), rate))
    return steps
