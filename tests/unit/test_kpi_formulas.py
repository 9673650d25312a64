"""Every formula: worked examples, undefined cases (None, never 0 or infinity), impossible data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi
from kpi import FORMULAS, compute

D = Decimal


def c(code: str, **values: int | str) -> Decimal | None:
    return compute(code, {k: D(v) for k, v in values.items()})


# (formula, inputs, expected, where the example comes from)
WORKED = [
    # Google AdSense Help, "Ad CTR": five clicks out of 1,000 ad impressions → 0.5%.
    ("ctr", {"clicks": 5, "impressions": 1000}, D("0.5")),
    # Google Ads Help, "Average cost-per-click": two clicks costing $0.20 and $0.40 → $0.30.
    ("cpc", {"spend": "0.60", "clicks": 2}, D("0.30")),
    # Google Ads Help, "Conversion rate": 50 conversions from 1,000 interactions → 5%.
    ("conversion_rate", {"conversions": 50, "clicks": 1000}, D(5)),
    # Bain, "Measuring your NPS": % promoters (9–10) − % detractors (0–6): 70 % − 10 % = 60.
    ("nps", {"promoters": 70, "passives": 20, "detractors": 10}, D(60)),
    ("nps", {"promoters": 0, "passives": 0, "detractors": 12}, D(-100)),
    ("nps", {"promoters": 45, "passives": 35, "detractors": 20}, D(25)),
    # CPM = spend / impressions × 1000: 5 000 ₽ for 250 000 impressions → 20 ₽.
    ("cpm", {"spend": 5000, "impressions": 250000}, D(20)),
    ("cpa", {"spend": 10000, "conversions": 40}, D(250)),
    ("cpl", {"spend": 10000, "leads": 50}, D(200)),
    # ROAS is a ratio: 50 000 ₽ revenue on 10 000 ₽ spend = 5 (500 %).
    ("roas", {"revenue": 50000, "spend": 10000}, D(5)),
    # ДРР = spend / revenue: the inverse of ROAS, in percent.
    ("drr", {"spend": 10000, "revenue": 50000}, D(20)),
    ("roi", {"revenue": 150000, "costs": 100000}, D(50)),
    ("roi", {"revenue": 50000, "costs": 100000}, D(-50)),
    # ROMI = (revenue × margin − spend) / spend: (100 000 × 30 % − 20 000) / 20 000 = 50 %.
    ("romi", {"revenue": 100000, "margin_pct": 30, "spend": 20000}, D(50)),
    ("cac", {"spend": 100000, "new_customers": 50}, D(2000)),
    ("ltv", {"avg_order_value": 2000, "purchase_frequency": 3, "lifespan": 2}, D(12000)),
    (
        "ltv_margin",
        {"avg_order_value": 2000, "purchase_frequency": 3, "lifespan": 2, "margin_pct": 40},
        D(4800),
    ),
    ("ltv_cac", {"ltv": 12000, "cac": 4000}, D(3)),
    # Retention = (E − N) / S: 1 050 at the end, 150 of them new, 1 000 at the start → 90 %.
    (
        "retention_rate",
        {"customers_start": 1000, "customers_end": 1050, "customers_new": 150},
        D(90),
    ),
    ("churn_rate", {"customers_lost": 50, "customers_start": 1000}, D(5)),
    ("csat", {"satisfied": 45, "responses": 50}, D(90)),
    ("open_rate", {"unique_opens": 2500, "delivered": 10000}, D(25)),
    ("click_rate", {"unique_clicks": 300, "delivered": 10000}, D(3)),
    ("ctor", {"unique_clicks": 300, "unique_opens": 2500}, D(12)),
    ("unsubscribe_rate", {"unsubscribes": 20, "delivered": 10000}, D("0.2")),
    ("bounce_rate", {"bounced": 50, "sent": 10000}, D("0.5")),
    ("engagement_rate", {"engagements": 450, "reach": 15000}, D(3)),
    # K-factor = invites per user × invite conversion: 5 × 20 % = 1.
    ("k_factor", {"invites_per_user": 5, "invite_conversion_pct": 20}, D(1)),
    ("frequency", {"impressions": 30000, "reach": 10000}, D(3)),
    ("avg_session_duration", {"total_session_seconds": 18000, "sessions": 120}, D(150)),
    ("plan_attainment", {"actual": 90, "plan": 120}, D(75)),
    ("budget_variance", {"actual": 110000, "plan": 100000}, D(10)),
    ("budget_variance", {"actual": 95000, "plan": 100000}, D(-5)),
    ("discount", {"list_price": 100000, "paid_price": 85000}, D(15)),
    ("share", {"part": 3, "whole": 4}, D(75)),
    ("per_unit", {"total": 45, "count": 6}, D("7.5")),
    # Uplift: 6 % in the test against 5 % in the control → +20 %.
    (
        "uplift",
        {
            "test_conversions": 60,
            "test_visitors": 1000,
            "control_conversions": 50,
            "control_visitors": 1000,
        },
        D(20),
    ),
    ("forecast_accuracy", {"forecast": 110, "actual": 100}, D(90)),
    ("forecast_accuracy", {"forecast": 300, "actual": 100}, D(0)),
    ("orders_per_customer", {"orders": 150, "customers": 100}, D("1.5")),
    ("positive_share", {"positive": 60, "neutral": 30, "negative": 10}, D(60)),
]

# The parameter whose zero makes each formula undefined.
DENOMINATOR = {
    "ctr": "impressions",
    "cpc": "clicks",
    "cpm": "impressions",
    "cpa": "conversions",
    "cpl": "leads",
    "conversion_rate": "clicks",
    "roas": "spend",
    "drr": "revenue",
    "roi": "costs",
    "romi": "spend",
    "cac": "new_customers",
    "ltv_cac": "cac",
    "retention_rate": "customers_start",
    "churn_rate": "customers_start",
    "csat": "responses",
    "open_rate": "delivered",
    "click_rate": "delivered",
    "ctor": "unique_opens",
    "unsubscribe_rate": "delivered",
    "bounce_rate": "sent",
    "engagement_rate": "reach",
    "frequency": "reach",
    "avg_session_duration": "sessions",
    "plan_attainment": "plan",
    "budget_variance": "plan",
    "discount": "list_price",
    "share": "whole",
    "per_unit": "count",
    "uplift": "control_visitors",
    "forecast_accuracy": "actual",
    "orders_per_customer": "customers",
}
NO_DENOMINATOR = {"ltv", "ltv_margin", "k_factor"}
SUM_DENOMINATOR = {"nps", "positive_share"}  # zero when all parts are zero: tested below


def example(code: str) -> dict[str, Decimal]:
    return {k: D(v) for k, v in next(i for f, i, _ in WORKED if f == code).items()}


@pytest.mark.parametrize(("code", "inputs", "expected"), WORKED)
def test_worked_examples(code: str, inputs: dict[str, int | str], expected: Decimal) -> None:
    result = compute(code, {k: D(v) for k, v in inputs.items()})
    assert isinstance(result, Decimal)
    assert result == expected


def test_every_formula_has_a_worked_example_and_a_rule_for_zero() -> None:
    assert set(FORMULAS) == {code for code, _, _ in WORKED}
    assert set(FORMULAS) == set(DENOMINATOR) | NO_DENOMINATOR | SUM_DENOMINATOR
    contract = {
        *("ctr", "cpc", "cpm", "cpa", "cpl", "conversion_rate", "roas", "drr", "roi", "romi"),
        *("cac", "ltv", "ltv_margin", "ltv_cac", "retention_rate", "churn_rate", "nps", "csat"),
        *("open_rate", "click_rate", "ctor", "unsubscribe_rate", "bounce_rate"),
        *("engagement_rate", "k_factor", "frequency", "avg_session_duration"),
        *("plan_attainment", "budget_variance", "discount"),
    }
    assert set(contract) <= set(FORMULAS)


@pytest.mark.parametrize("code", sorted(DENOMINATOR))
def test_zero_denominator_is_none_not_zero_or_infinity(code: str) -> None:
    inputs = example(code)
    inputs[DENOMINATOR[code]] = D(0)
    for param in FORMULAS[code].params:  # parts of a zero whole must be zero to stay possible
        if (param, DENOMINATOR[code]) in FORMULAS[code].at_most:
            inputs[param] = D(0)
    assert compute(code, inputs) is None


def test_sum_denominators_of_zero_are_none() -> None:
    assert c("nps", promoters=0, passives=0, detractors=0) is None
    assert c("positive_share", positive=0, neutral=0, negative=0) is None
    assert c("uplift", test_conversions=5, test_visitors=100, control_conversions=0,
             control_visitors=100) is None  # fmt: skip


@pytest.mark.parametrize("code", sorted(FORMULAS))
def test_a_missing_input_gives_none(code: str) -> None:
    full = example(code)
    assert compute(code, full) is not None
    for param in FORMULAS[code].params:
        partial = {k: v for k, v in full.items() if k != param}
        assert compute(code, partial) is None
        assert compute(code, {**full, param: None}) is None  # type: ignore[dict-item]


@pytest.mark.parametrize("code", sorted(FORMULAS))
def test_negative_inputs_are_impossible(code: str) -> None:
    full = example(code)
    for param in FORMULAS[code].params:
        assert compute(code, {**full, param: D(-1)}) is None


@pytest.mark.parametrize(
    ("code", "inputs"),
    [
        ("ctr", {"clicks": 1200, "impressions": 1000}),
        ("conversion_rate", {"conversions": 60, "clicks": 50}),
        ("open_rate", {"unique_opens": 10001, "delivered": 10000}),
        ("click_rate", {"unique_clicks": 10001, "delivered": 10000}),
        ("ctor", {"unique_clicks": 3000, "unique_opens": 2500}),
        ("unsubscribe_rate", {"unsubscribes": 11, "delivered": 10}),
        ("bounce_rate", {"bounced": 11, "sent": 10}),
        ("csat", {"satisfied": 51, "responses": 50}),
        ("frequency", {"impressions": 900, "reach": 1000}),
        ("churn_rate", {"customers_lost": 1001, "customers_start": 1000}),
        ("share", {"part": 5, "whole": 4}),
        ("orders_per_customer", {"orders": 90, "customers": 100}),
        ("retention_rate", {"customers_start": 100, "customers_end": 50, "customers_new": 60}),
        ("retention_rate", {"customers_start": 100, "customers_end": 250, "customers_new": 50}),
        ("romi", {"revenue": 1000, "margin_pct": 120, "spend": 100}),
        ("k_factor", {"invites_per_user": 2, "invite_conversion_pct": 101}),
        (
            "uplift",
            {"test_conversions": 2000, "test_visitors": 1000, "control_conversions": 5,
             "control_visitors": 100},
        ),
    ],
)  # fmt: skip
def test_impossible_data_is_not_computed(code: str, inputs: dict[str, int]) -> None:
    assert compute(code, {k: D(v) for k, v in inputs.items()}) is None


def test_compute_is_exact_decimal_and_in_percent_units() -> None:
    third = c("ctr", clicks=1, impressions=3)
    assert third == D(1) / D(3) * 100
    assert c("ctr", clicks=25, impressions=1000) == D("2.5")
    assert c("roas", revenue=400, spend=100) == D(4)  # 4 means 400 %
    assert c("ltv_cac", ltv=300, cac=100) == D(3)
    assert c("ctr", clicks=0, impressions=1000) == D(0)  # zero clicks is a real 0 %
    with pytest.raises(KeyError):
        compute("magic", {})


def test_compute_accepts_plain_ints_and_strings() -> None:
    assert compute("ctr", {"clicks": 5, "impressions": "1000"}) == D("0.5")  # type: ignore[dict-item]


@given(
    impressions=st.integers(min_value=1, max_value=10**9),
    share=st.fractions(min_value=0, max_value=1),
)
def test_ctr_stays_between_0_and_100(impressions: int, share) -> None:
    clicks = int(impressions * share)
    value = c("ctr", clicks=clicks, impressions=impressions)
    assert value is not None and D(0) <= value <= D(100)


@given(
    p=st.integers(min_value=0, max_value=10**6),
    n=st.integers(min_value=0, max_value=10**6),
    d=st.integers(min_value=0, max_value=10**6),
)
def test_nps_is_in_points_between_minus_100_and_100(p: int, n: int, d: int) -> None:
    value = c("nps", promoters=p, passives=n, detractors=d)
    if p + n + d == 0:
        assert value is None
    else:
        assert value is not None and D(-100) <= value <= D(100)
        assert (value > 0) == (p > d)


@given(
    revenue=st.integers(min_value=0, max_value=10**10),
    spend=st.integers(min_value=1, max_value=10**10),
)
def test_roas_and_drr_are_inverse(revenue: int, spend: int) -> None:
    roas = c("roas", revenue=revenue, spend=spend)
    drr = c("drr", spend=spend, revenue=revenue)
    assert roas is not None
    if revenue == 0:
        assert drr is None
    else:
        assert drr is not None
        assert abs(roas * drr - 100) < D("1e-20")


# --- evaluate(): the catalogue's KPIs over input codes -------------------------------------


def test_evaluate_maps_kpi_inputs_onto_formula_params() -> None:
    email_cr = kpi.metric("email_conversion_rate")
    assert email_cr.formula == "conversion_rate"
    assert email_cr.inputs == ("conversions", "unique_clicks")
    assert kpi.evaluate(email_cr, {"conversions": D(30), "unique_clicks": D(300)}) == D(10)
    bounce = kpi.metric("site_bounce_rate")
    assert kpi.evaluate(bounce, {"bounced_sessions": D(40), "sessions": D(200)}) == D(20)


def test_evaluate_nested_metric_ltv_cac() -> None:
    ltv_cac = kpi.metric("ltv_cac")
    assert set(ltv_cac.inputs) == {
        "avg_order_value",
        "purchase_frequency",
        "lifespan",
        "spend",
        "new_customers",
    }
    inputs = {
        "avg_order_value": D(2000),
        "purchase_frequency": D(3),
        "lifespan": D(2),
        "spend": D(100000),
        "new_customers": D(25),
    }
    assert kpi.evaluate(ltv_cac, inputs) == D(3)
    assert kpi.evaluate("ltv_cac", {**inputs, "new_customers": D(0)}) is None


def test_evaluate_raw_input_kpi_is_the_input() -> None:
    revenue = kpi.role("email_marketer").kpis[4]
    assert revenue.formula is None
    assert kpi.evaluate(revenue, {"revenue": D("125000.50")}) == D("125000.50")
    assert kpi.evaluate(revenue, {}) is None


# --- check_consistency -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "pair"),
    [
        ({"clicks": 1200, "impressions": 1000}, ("clicks", "impressions")),
        ({"unique_opens": 11, "delivered": 10}, ("unique_opens", "delivered")),
        ({"conversions": 60, "clicks": 50}, ("conversions", "clicks")),
        ({"unique_clicks": 30, "unique_opens": 20}, ("unique_clicks", "unique_opens")),
        ({"reach": 2000, "impressions": 1000}, ("reach", "impressions")),
        ({"satisfied": 6, "responses": 5}, ("satisfied", "responses")),
        ({"keywords_top10": 60, "keywords_tracked": 50}, ("keywords_top10", "keywords_tracked")),
        ({"new_customers": 60, "customers_end": 50}, ("new_customers", "customers_end")),
    ],
)
def test_check_consistency_reports_impossible_pairs(
    inputs: dict[str, int], pair: tuple[str, str]
) -> None:
    found = kpi.check_consistency({k: D(v) for k, v in inputs.items()})
    assert [(i.code, i.inputs) for i in found] == [("exceeds", pair)]
    assert found[0].params == {"left": D(inputs[pair[0]]), "right": D(inputs[pair[1]])}
    assert found[0].key == "kpi.inconsistency.exceeds"


def test_check_consistency_retention_over_100() -> None:
    found = kpi.check_consistency(
        {"customers_start": D(100), "customers_end": D(250), "new_customers": D(50)}
    )
    assert [(i.code, i.inputs) for i in found] == [
        ("retained_exceeds_start", ("customers_end", "customers_start"))
    ]
    assert found[0].params == {"left": D(200), "right": D(100)}


def test_consistent_inputs_have_no_inconsistency() -> None:
    inputs = {
        "impressions": D(10000),
        "reach": D(4000),
        "clicks": D(300),
        "conversions": D(12),
        "delivered": D(5000),
        "unique_opens": D(1200),
        "unique_clicks": D(150),
        "customers_start": D(100),
        "customers_end": D(110),
        "new_customers": D(20),
    }
    assert kpi.check_consistency(inputs) == []
    assert kpi.check_consistency({}) == []
    assert kpi.check_consistency({"clicks": D(5)}) == []  # nothing to compare with


def test_inconsistency_message_params_are_localized() -> None:
    (found,) = kpi.check_consistency({"clicks": D(1200), "impressions": D(1000)})
    ru = found.message_params("ru")
    assert ru == {
        "left": "1\xa0200",
        "right": "1\xa0000",
        "left_title": "Клики",
        "right_title": "Показы",
    }
    en = found.message_params("en")
    assert en["left"] == "1,200" and en["right_title"] == "Impressions"
    assert set(kpi.INCONSISTENCIES) == {"exceeds", "retained_exceeds_start"}


# --- funnel ------------------------------------------------------------------------------------


def test_funnel_steps_and_conversions() -> None:
    steps = kpi.funnel(
        {
            "impressions": D(100000),
            "clicks": D(2000),
            "leads": D(100),
            "new_customers": D(25),
            "conversions": D(999),
        }
    )
    assert [s.code for s in steps] == ["impressions", "clicks", "leads", "sales"]
    assert [s.value for s in steps] == [D(100000), D(2000), D(100), D(25)]
    assert [s.conversion_from_previous for s in steps] == [None, D(2), D(5), D(25)]


def test_funnel_missing_and_impossible_steps() -> None:
    steps = kpi.funnel({"impressions": D(1000), "leads": D(10), "conversions": D(20)})
    assert [s.value for s in steps] == [D(1000), None, D(10), D(20)]
    # no clicks: nothing to convert from; more sales than leads: impossible, not 200 %
    assert [s.conversion_from_previous for s in steps] == [None, None, None, None]


def test_check_consistency_scoped_to_the_members_roles() -> None:
    row = {
        "clicks": D(100),
        "impressions": D(1000),
        "reach": D(50),
        "conversions": D(150),
        "delivered": D(5000),
        "unique_opens": D(1000),
        "unique_clicks": D(400),
    }
    everything = {(i.code, i.inputs) for i in kpi.check_consistency(row)}
    assert everything == {
        ("exceeds", ("conversions", "clicks")),
        ("exceeds", ("conversions", "reach")),
    }
    # an email marketer's conversions are compared with unique email clicks only
    assert kpi.check_consistency(row, ["email_marketer"]) == []
    both = kpi.check_consistency(row, ["email_marketer", "context_ads_specialist"])
    assert [(i.code, i.inputs) for i in both] == [("exceeds", ("conversions", "clicks"))]
    # physical truths hold whatever the roles
    scoped = kpi.check_consistency({"clicks": D(10), "impressions": D(5)}, [])
    assert [(i.code, i.inputs) for i in scoped] == [("exceeds", ("clicks", "impressions"))]
    with pytest.raises(KeyError):
        kpi.check_consistency(row, ["astronaut"])
