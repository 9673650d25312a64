"""The formulas, in Decimal. Each returns None when undefined (a zero denominator, a missing
input) and when its inputs are impossible (more clicks than impressions): never 0 or infinity.

Percent results are in percent units (2.5 means 2.5 %); ROAS, LTV:CAC and other ratios are plain
ratios (4 means ×4); NPS is in points (−100..100); money is in the inputs' currency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)

Result = Decimal | None


@dataclass(frozen=True, slots=True)
class Formula:
    code: str
    params: tuple[str, ...]
    unit: str | None  # None: the unit of the metric using it (per_unit)
    fn: Callable[..., Result]
    at_most: tuple[tuple[str, str], ...] = ()  # (a, b): a > b is impossible
    percent_params: tuple[str, ...] = ()  # percent inputs: over 100 is impossible


def _div(a: Decimal, b: Decimal) -> Result:
    return None if b == 0 else a / b


def _pct(a: Decimal, b: Decimal) -> Result:
    q = _div(a, b)
    return None if q is None else q * HUNDRED


def _ctr(clicks: Decimal, impressions: Decimal) -> Result:
    return _pct(clicks, impressions)


def _cpm(spend: Decimal, impressions: Decimal) -> Result:
    q = _div(spend, impressions)
    return None if q is None else q * THOUSAND


def _change(actual: Decimal, base: Decimal) -> Result:
    return _pct(actual - base, base)


def _romi(revenue: Decimal, margin_pct: Decimal, spend: Decimal) -> Result:
    return _pct(revenue * margin_pct / HUNDRED - spend, spend)


def _ltv(avg_order_value: Decimal, purchase_frequency: Decimal, lifespan: Decimal) -> Result:
    return avg_order_value * purchase_frequency * lifespan


def _ltv_margin(
    avg_order_value: Decimal, purchase_frequency: Decimal, lifespan: Decimal, margin_pct: Decimal
) -> Result:
    return avg_order_value * purchase_frequency * lifespan * margin_pct / HUNDRED


def _retention(customers_start: Decimal, customers_end: Decimal, customers_new: Decimal) -> Result:
    return _pct(customers_end - customers_new, customers_start)


def _nps(promoters: Decimal, passives: Decimal, detractors: Decimal) -> Result:
    return _pct(promoters - detractors, promoters + passives + detractors)


def _positive_share(positive: Decimal, neutral: Decimal, negative: Decimal) -> Result:
    return _pct(positive, positive + neutral + negative)


def _k_factor(invites_per_user: Decimal, invite_conversion_pct: Decimal) -> Result:
    return invites_per_user * invite_conversion_pct / HUNDRED


def _uplift(
    test_conversions: Decimal,
    test_visitors: Decimal,
    control_conversions: Decimal,
    control_visitors: Decimal,
) -> Result:
    test = _div(test_conversions, test_visitors)
    control = _div(control_conversions, control_visitors)
    if test is None or control is None or control == 0:
        return None
    return (test / control - 1) * HUNDRED


def _forecast_accuracy(forecast: Decimal, actual: Decimal) -> Result:
    error = _div(abs(forecast - actual), actual)
    return None if error is None else max(Decimal(0), 1 - error) * HUNDRED


def _f(
    code: str,
    params: str,
    unit: str | None,
    fn: Callable[..., Result],
    at_most: tuple[tuple[str, str], ...] = (),
    percent_params: tuple[str, ...] = (),
) -> Formula:
    return Formula(code, tuple(params.split()), unit, fn, at_most, percent_params)


FORMULAS: dict[str, Formula] = {
    f.code: f
    for f in (
        _f("ctr", "clicks impressions", "percent", _ctr, (("clicks", "impressions"),)),
        _f("cpc", "spend clicks", "money", _div),
        _f("cpm", "spend impressions", "money", _cpm),
        _f("cpa", "spend conversions", "money", _div),
        _f("cpl", "spend leads", "money", _div),
        _f("conversion_rate", "conversions clicks", "percent", _pct, (("conversions", "clicks"),)),
        _f("roas", "revenue spend", "ratio", _div),
        _f("drr", "spend revenue", "percent", _pct),
        _f("roi", "revenue costs", "percent", _change),
        _f("romi", "revenue margin_pct spend", "percent", _romi, (), ("margin_pct",)),
        _f("cac", "spend new_customers", "money", _div),
        _f("ltv", "avg_order_value purchase_frequency lifespan", "money", _ltv),
        _f(
            "ltv_margin",
            "avg_order_value purchase_frequency lifespan margin_pct",
            "money",
            _ltv_margin,
            (),
            ("margin_pct",),
        ),
        _f("ltv_cac", "ltv cac", "ratio", _div),
        _f(
            "retention_rate",
            "customers_start customers_end customers_new",
            "percent",
            _retention,
            (("customers_new", "customers_end"),),
        ),
        _f(
            "churn_rate",
            "customers_lost customers_start",
            "percent",
            _pct,
            (("customers_lost", "customers_start"),),
        ),
        _f("nps", "promoters passives detractors", "points", _nps),
        _f("csat", "satisfied responses", "percent", _pct, (("satisfied", "responses"),)),
        _f(
            "open_rate",
            "unique_opens delivered",
            "percent",
            _pct,
            (("unique_opens", "delivered"),),
        ),
        _f(
            "click_rate",
            "unique_clicks delivered",
            "percent",
            _pct,
            (("unique_clicks", "delivered"),),
        ),
        _f(
            "ctor",
            "unique_clicks unique_opens",
            "percent",
            _pct,
            (("unique_clicks", "unique_opens"),),
        ),
        _f(
            "unsubscribe_rate",
            "unsubscribes delivered",
            "percent",
            _pct,
            (("unsubscribes", "delivered"),),
        ),
        _f("bounce_rate", "bounced sent", "percent", _pct, (("bounced", "sent"),)),
        _f("engagement_rate", "engagements reach", "percent", _pct),
        _f(
            "k_factor",
            "invites_per_user invite_conversion_pct",
            "ratio",
            _k_factor,
            (),
            ("invite_conversion_pct",),
        ),
        _f("frequency", "impressions reach", "ratio", _div, (("reach", "impressions"),)),
        _f("avg_session_duration", "total_session_seconds sessions", "seconds", _div),
        _f("plan_attainment", "actual plan", "percent", _pct),
        _f("budget_variance", "actual plan", "percent", _change),
        _f("discount", "list_price paid_price", "percent", lambda a, b: _pct(a - b, a)),
        # Beyond the contract's list: the building blocks the catalogue's metrics use.
        _f("share", "part whole", "percent", _pct, (("part", "whole"),)),
        _f("per_unit", "total count", None, _div),
        _f(
            "uplift",
            "test_conversions test_visitors control_conversions control_visitors",
            "percent",
            _uplift,
            (("test_conversions", "test_visitors"), ("control_conversions", "control_visitors")),
        ),
        _f("forecast_accuracy", "forecast actual", "percent", _forecast_accuracy),
        _f("orders_per_customer", "orders customers", "ratio", _div, (("customers", "orders"),)),
        _f("positive_share", "positive neutral negative", "percent", _positive_share),
    )
}


def violations(code: str, values: Mapping[str, Decimal]) -> list[tuple[str, tuple[str, str]]]:
    """Impossible combinations among a formula's present params: (kind, (param_a, param_b))."""
    formula = FORMULAS[code]
    found: list[tuple[str, tuple[str, str]]] = []
    for a, b in formula.at_most:
        if a in values and b in values and values[a] > values[b]:
            found.append(("exceeds", (a, b)))
    if code == "retention_rate":
        s, e, n = (values.get(p) for p in formula.params)
        if s is not None and e is not None and n is not None and n <= e and e - n > s:
            found.append(("retained_exceeds_start", ("customers_end", "customers_start")))
    return found


def _as_decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    raise TypeError(f"not a number: {value!r}")


def compute(code: str, inputs: Mapping[str, Decimal]) -> Decimal | None:
    """The formula `code` over `inputs` keyed by its parameter names; None when undefined or
    impossible. Raises KeyError for an unknown code."""
    formula = FORMULAS[code]
    values: dict[str, Decimal] = {}
    for param in formula.params:
        value = _as_decimal(inputs.get(param))
        if value is None or not value.is_finite() or value < 0:
            return None
        values[param] = value
    if any(values[p] > HUNDRED for p in formula.percent_params):
        return None
    if violations(code, values):
        return None
    return formula.fn(*(values[p] for p in formula.params))
