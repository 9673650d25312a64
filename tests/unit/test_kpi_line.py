"""The one KPI-line presenter (views/kpi_line.py) and the pure rules under it (issue 11):
how a change is written, the comparison of the same people, spend judged against a budget."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

import kpi
from kpi import MemberInputs, Status
from kpi.summary import line
from views import kpi_line as kl
from views.i18n import I18n

NBSP, MINUS = "\u00a0", "\u2212"
RU, EN = I18n().get("ru"), I18n().get("en")


def change(code: str, value: str, previous: str, t=RU) -> str:
    return kl.change(line(kpi.metric(code), D(value), D(previous), None), t)


def test_percent_kpis_change_in_points_the_rest_in_percent():
    # CTR 1,38 % → 1,327 %: −0,053 п.п. (before issue 11: «▼ −0,1 п.п.» on the card, twice the
    # real change, and «▼ −3,8 %» on the speaker card)
    assert change("ctr", "1.327", "1.38") == f"▼ {MINUS}0,05{NBSP}п.п."
    assert change("drr", "19.5", "21.45") == f"▼ {MINUS}1,95{NBSP}п.п."  # not «−9,1 %»
    # CPA 781,46 → 752,31 ₽: −3,73 % (before: «−4 %» on the card)
    assert change("cpa", "752.31", "781.46") == f"▼ {MINUS}3,7{NBSP}%"
    assert change("leads", "150", "100") == f"▲ +50{NBSP}%"
    assert change("ctr", "2.5", "2", EN) == f"▲ +0.5{NBSP}pp"
    assert change("cpa", "110", "100", EN) == "▲ +10%"


@pytest.mark.parametrize(
    ("code", "value", "previous", "shown"),
    [
        # issue 13: a change is written at the precision of the value it changes; before, the
        # faithful-digits rule wrote «▲ +0,00006 п.п.» under two equal-looking values
        ("ctr", "2.00006", "2", "без изменений"),
        ("ctr", "1.996", "2", "без изменений"),  # −0,004 п.п. rounds to 0 at 0,01
        ("ctr", "2.007", "2", f"▲ +0,01{NBSP}п.п."),
        ("cpa", "100.04", "100", "без изменений"),  # +0,04 % rounds to 0 at 0,1 %
        ("cpa", "100.06", "100", f"▲ +0,1{NBSP}%"),
        ("cpa", "99.9", "100", f"▼ {MINUS}0,1{NBSP}%"),
        ("nps", "30.04", "30", "без изменений"),  # points, at the value's 0,1
        ("nps", "30.06", "30", "▲ +0,1"),
        ("cpa", "0.004", "0", "без изменений"),  # against 0: in ₽, at 0,01 ₽
    ],
)
def test_a_change_is_shown_at_the_values_precision_and_a_tiny_one_is_no_change(
    code, value, previous, shown
):
    item = line(kpi.metric(code), D(value), D(previous), None)
    assert kl.change(item, RU) == shown
    if shown == "без изменений":
        assert kl.change_good(item) is None  # no arrow, no tone: nothing to praise or blame


def test_one_no_change_wording_one_minus_and_marks():
    assert change("ctr", "2", "2") == "без изменений"
    assert change("cpa", "100", "100", EN) == "no change"
    assert "-" not in change("cpa", "90", "100") and MINUS in change("cpa", "90", "100")
    assert kl.change(line(kpi.metric("ctr"), D(2), None, None), RU) == ""
    assert [kl.mark(s) for s in Status] == ["🟢", "🟡", "🔴", "⚪", "🔵"]
    assert kl.relative(D("-23.9"), RU) == f"{MINUS}23,9{NBSP}%"


def test_the_whole_line_with_plan_and_non_breaking_spaces():
    item = line(kpi.metric("ctr"), D("1.327"), D("1.38"), D(2))
    assert kl.text(item, RU) == (
        f"🔴 CTR: <b>1,3{NBSP}%</b> · ▼ {MINUS}0,05{NBSP}п.п. · план 2{NBSP}% (66,4{NBSP}%)"
    )
    # a unit appears once (before issue 11: «40 с с», «3,5 дн. дн.», "40 sec s")
    seconds = line(kpi.metric("avg_session_duration"), D(40), None, None)
    assert kl.text(seconds, RU) == f"🟢 Среднее время на сайте: <b>40{NBSP}с</b>"
    assert kl.value(D("3.5"), "days", RU) == f"3,5{NBSP}дн."
    assert kl.value(D(40), "seconds", EN) == f"40{NBSP}sec"
    # English money: the code set off (before: «RUB257,655.16»)
    assert kl.value(D("257655.16"), "money", EN) == f"RUB{NBSP}257,655.16"
    parts = kl.parts(item, RU)
    assert (parts.status, parts.attainment, parts.change_good) == (
        "off_track",
        f"66,4{NBSP}%",
        False,
    )


def test_spend_has_no_direction_without_a_budget_plan():
    spend = kpi.metric("spend")
    assert spend.direction == "budget"
    # 5 % more than last week and a 24 % cut: neither good nor bad without a plan (before
    # issue 11: ⚠️/❌ and ✅)
    assert line(spend, D(105), D(100), None).status is Status.UNRATED
    assert line(spend, D(76), D(100), None).status is Status.UNRATED
    assert kl.change_good(line(spend, D(76), D(100), None)) is None
    # with a budget: over it is off track, a large underspend at risk, near it on track
    assert line(spend, D(105), None, D(100)).status is Status.OFF_TRACK
    assert line(spend, D(70), None, D(100)).status is Status.AT_RISK
    assert line(spend, D(95), None, D(100)).status is Status.ON_TRACK
    assert line(spend, D(105), None, D(100)).attainment == D("1.05")  # the budget used


def test_the_comparison_rule_is_per_kpi_and_the_same_people():
    """Борис half-answered (no conversions yet); the week before all three answered. The
    CPA compares Анна and Вера with Анна and Вера; before issue 11 the agenda took the week
    before of anyone who answered anything (Борис included): a fake fall."""
    cpa = kpi.metric("cpa")
    now = [
        MemberInputs(1, ("x",), {"spend": D(100), "conversions": D(10)}),
        MemberInputs(2, ("x",), {"spend": D(50), "conversions": D(5)}),
        MemberInputs(3, ("x",), {"spend": D(80)}),
        MemberInputs(4, ("x",), {"spend": D(40), "conversions": D(4)}),  # new this week
    ]
    before = [
        MemberInputs(1, ("x",), {"spend": D(100), "conversions": D(8)}),
        MemberInputs(2, ("x",), {"spend": D(50), "conversions": D(5)}),
        MemberInputs(3, ("x",), {"spend": D(500), "conversions": D(5)}),
    ]
    item = kpi.compare(cpa, now, before, None)
    assert item.value == D(190) / D(19)  # 1, 2 and 4: all who gave both inputs now
    assert item.members == (1, 2, 4) and item.partial == (3,)
    assert item.compared == (1, 2)
    assert item.previous == D(150) / D(13) and item.basis == D(10)
    assert kl.text(item, RU) == (
        f"🟢 CPA, цена конверсии: <b>10{NBSP}₽</b> (по 3 из 4) · ▼ {MINUS}13,3{NBSP}% (у 2 из 3)"
    )
    team = kpi.team_summary(now, before)
    by_code = {x.kpi.code: x for t in team.topics for x in t.lines}
    assert by_code["cpa"].change == item.change


def test_the_digest_writes_a_bad_swing_with_a_true_minus_and_its_direction():
    """Before issue 11: «отклонение -23,9 %» (a hyphen) and no «в худшую сторону»."""
    from datetime import date, timedelta

    from models.tables import Team
    from services.reports import summary as sm
    from views import digest as digests

    team = Team(title="Маркетинг", cadence="weekly", currency="RUB", locale="ru")
    start = date(2026, 10, 19)
    periods = [kpi.Period(start + timedelta(weeks=i), start + timedelta(weeks=i, days=6))
               for i in range(5)]  # fmt: skip
    clicks = ["200", "200", "200", "200", "150"]  # CTR 2 % four weeks, then 1,5 %: −25 %
    history = [
        [MemberInputs(1, ("context_ads_specialist",), {"impressions": D(10000), "clicks": D(c)})]
        for c in clicks
    ]
    data = sm.TeamData(team=team, members=[], periods=periods, history=history, target_rows=[],
                       responded=set(), away=set())  # fmt: skip
    text = digests.digest_text(data, {"total": 0, "done": 0, "overdue": 0}, RU, late=False)
    swing = next(x for x in text.split("\n") if x.startswith("⚡ CTR"))
    assert f"({MINUS}25{NBSP}%) — в худшую сторону" in swing
    assert "-" not in swing.split("—")[0]


def test_of_how_many_counts_only_those_whose_roles_ask_for_the_inputs():
    """Issue 13: the team's CPA needs spend and conversions. An SMM manager is asked for
    spend, never for conversions, so leaving her out is no gap: before, the line said
    «(по 2 из 3)» for a team where everyone asked had answered."""
    cpa = kpi.metric("cpa")
    ads, smm = ("context_ads_specialist",), ("smm_manager",)
    assert kpi.summary.asked_all(ads, cpa) and not kpi.summary.asked_all(smm, cpa)
    now = [
        MemberInputs(1, ads, {"spend": D(100), "conversions": D(10)}),
        MemberInputs(2, ads, {"spend": D(50), "conversions": D(5)}),
        MemberInputs(3, smm, {"spend": D(30)}),
    ]
    item = kpi.compare(cpa, now, None, None)
    assert item.members == (1, 2) and item.partial == ()
    assert kl.whose(item, RU) == ""
    assert kl.text(item, RU) == f"🟢 CPA, цена конверсии: <b>10{NBSP}₽</b>"
    # one who is asked for both and gave only spend is still left out, and counted in M
    now.append(MemberInputs(4, ads, {"spend": D(20)}))
    item = kpi.compare(cpa, now, None, None)
    assert item.partial == (4,)
    assert kl.whose(item, RU) == "(по 2 из 3)"
    assert kl.whose(item, EN) == "(2 of 3 people)"
