"""Member and team summaries (status in the KPI's good direction) and conversion anomalies."""

from __future__ import annotations

from decimal import Decimal

import pytest

import kpi
from kpi import MemberInputs, Status, summarize, team_summary

D = Decimal
CTR = kpi.metric("ctr")  # up is good
CPA = kpi.metric("cpa")  # down is good


def one(k: kpi.KPI, value: int | str, previous=None, target=None) -> kpi.KpiLine:
    """A line for a KPI whose value is given directly through a raw-input stand-in."""
    return kpi.summary.line(
        k,
        D(value),
        None if previous is None else D(previous),
        None if target is None else D(target),
    )


@pytest.mark.parametrize(
    ("value", "target", "status"),
    [("100", "100", Status.ON_TRACK), ("120", "100", Status.ON_TRACK),
     ("95", "100", Status.AT_RISK), ("90", "100", Status.AT_RISK),
     ("89.9", "100", Status.OFF_TRACK), ("-10", "100", Status.OFF_TRACK)],
)  # fmt: skip
def test_status_against_a_target_up(value: str, target: str, status: Status) -> None:
    line = one(CTR, value, target=target)
    assert line.status is status
    assert line.attainment == D(value) / D(target)


@pytest.mark.parametrize(
    ("value", "status", "attainment"),
    [("450", Status.ON_TRACK, D(500) / D(450)), ("500", Status.ON_TRACK, D(1)),
     ("540", Status.AT_RISK, D(500) / D(540)), ("600", Status.OFF_TRACK, D(500) / D(600))],
)  # fmt: skip
def test_a_falling_cpa_is_good(value: str, status: Status, attainment: Decimal) -> None:
    line = one(CPA, value, target="500")
    assert line.status is status
    assert line.attainment == attainment


@pytest.mark.parametrize(
    ("kpi_code", "value", "previous", "status"),
    [("ctr", "2", "2", Status.ON_TRACK), ("ctr", "2.5", "2", Status.ON_TRACK),
     ("ctr", "1.92", "2", Status.ON_TRACK), ("ctr", "1.8", "2", Status.AT_RISK),
     ("ctr", "1.6", "2", Status.AT_RISK), ("ctr", "1.5", "2", Status.OFF_TRACK),
     ("cpa", "550", "500", Status.AT_RISK), ("cpa", "700", "500", Status.OFF_TRACK),
     ("cpa", "400", "500", Status.ON_TRACK), ("ctr", "1", "0", Status.ON_TRACK),
     ("cpa", "10", "0", Status.AT_RISK)],
)  # fmt: skip
def test_status_against_the_previous_period(
    kpi_code: str, value: str, previous: str, status: Status
) -> None:
    line = one(kpi.metric(kpi_code), value, previous=previous)
    assert line.status is status
    assert line.change == D(value) - D(previous)
    expected_pct = None if D(previous) == 0 else (D(value) - D(previous)) / D(previous) * 100
    assert line.change_pct == expected_pct
    assert line.attainment is None and line.target is None


def test_no_previous_and_no_value() -> None:
    assert one(CTR, "3").status is Status.ON_TRACK
    empty = kpi.summary.line(CTR, None, D(2), D(3))
    assert empty.status is Status.NO_DATA
    assert empty.change is None and empty.change_pct is None and empty.attainment is None


def test_targets_where_a_ratio_means_nothing() -> None:
    variance = kpi.metric("budget_variance")  # down is good, target 0 %
    assert one(variance, "-5", target="0").status is Status.ON_TRACK
    assert one(variance, "3", target="0").status is Status.OFF_TRACK
    assert one(variance, "3", target="0").attainment == D(0)
    roi = kpi.metric("roi")
    assert one(roi, "-12", target="-10").status is Status.OFF_TRACK
    assert one(roi, "-10.5", target="-10").status is Status.AT_RISK
    assert one(roi, "-10.5", target="-10").attainment is None


def test_summarize_a_member() -> None:
    role = kpi.role("context_ads_specialist")
    current = {
        "impressions": D(100000),
        "clicks": D(2000),
        "conversions": D(100),
        "spend": D(50000),
        "revenue": D(200000),
    }
    previous = {**current, "clicks": D(2500), "spend": D(40000)}
    lines = summarize(role.kpis, current, previous, {"cpa": D(450), "roas": D(4)})
    by_code = {line.kpi.code: line for line in lines}
    assert [line.kpi.code for line in lines] == [k.code for k in role.kpis]
    assert by_code["ctr"].value == D(2) and by_code["ctr"].previous == D("2.5")
    assert by_code["ctr"].status is Status.AT_RISK  # exactly 20 % worse: the at_risk edge
    assert by_code["cpa"].value == D(500) and by_code["cpa"].attainment == D(450) / D(500)
    assert by_code["cpa"].status is Status.AT_RISK
    assert by_code["roas"].value == D(4) and by_code["roas"].status is Status.ON_TRACK
    assert by_code["conversion_rate"].value == D(5)
    assert by_code["revenue"].value == D(200000) and by_code["revenue"].change == D(0)
    assert all(line.previous is None for line in summarize(role.kpis, current, None))


def test_member_summary_covers_each_role() -> None:
    member = MemberInputs(7, ("smm_manager", "email_marketer"), {"reach": D(100)})
    lines = kpi.member_summary(member)
    assert list(lines) == ["smm_manager", "email_marketer"]
    assert lines["smm_manager"][0].value == D(100)
    assert lines["email_marketer"][0].status is Status.NO_DATA


def team() -> list[MemberInputs]:
    return [
        MemberInputs(
            1,
            ("context_ads_specialist",),
            {"impressions": D(1000), "clicks": D(10), "conversions": D(1), "spend": D(500),
             "revenue": D(3000)},
        ),
        MemberInputs(
            2,
            ("context_ads_specialist",),
            {"impressions": D(9000), "clicks": D(290), "conversions": D(14), "spend": D(4500),
             "revenue": D(12000)},
        ),
        MemberInputs(
            3,
            ("smm_manager",),
            {"reach": D(5000), "engagements": D(250), "followers": D(1200), "clicks": D(100),
             "impressions": D(10000), "conversions": D(5)},
        ),
        MemberInputs(4, ("email_marketer",), {}),
        MemberInputs(5, ("context_ads_specialist",), {"clicks": D(40)}),  # partial: no impressions
    ]  # fmt: skip


def test_team_by_role_recomputes_ratios_from_sums() -> None:
    summary = team_summary(team())
    assert list(summary.by_role) == ["context_ads_specialist", "smm_manager", "email_marketer"]
    ctx = {line.kpi.code: line for line in summary.by_role["context_ads_specialist"]}
    # members 1 and 2 only (5 gave no impressions): (10 + 290) / (1000 + 9000)
    assert ctx["ctr"].value == D(3)
    assert ctx["ctr"].value != (D(1) + D("3.2222")) / 2
    assert ctx["cpa"].value == D(5000) / D(15)
    assert ctx["roas"].value == D(15000) / D(5000)
    # conversion rate: members 1, 2 (5 gave clicks but no conversions)
    assert ctx["conversion_rate"].value == D(15) / D(300) * 100
    assert all(line.status is Status.NO_DATA for line in summary.by_role["email_marketer"])
    assert summary.reported == (1, 2, 3, 5)


def test_team_topics_only_show_kpis_someone_reported() -> None:
    summary = team_summary(team())
    assert [t.topic.code for t in summary.topics] == [t.code for t in kpi.agenda_topics()]
    topics = {t.topic.code: {line.kpi.code: line for line in t.lines} for t in summary.topics}
    # team-wide CTR: every member with clicks and impressions (1, 2, 3)
    assert topics["conversions"]["ctr"].value == D(400) / D(20000) * 100
    assert "email_conversion_rate" not in topics["conversions"]
    assert topics["email"] == {} and topics["seo"] == {}
    assert topics["social_media"]["followers"].value == D(1200)
    assert topics["social_media"]["engagement_rate"].value == D(5)
    assert topics["roi"]["roas"].value == D(3)


def test_team_summary_with_previous_and_targets() -> None:
    previous = [
        MemberInputs(1, ("context_ads_specialist",), {"impressions": D(5000), "clicks": D(200)}),
        MemberInputs(3, ("smm_manager",), {"followers": D(1000)}),
    ]
    summary = team_summary(team(), previous, {"ctr": D("2.5"), "followers": D(1500)})
    ctx = {line.kpi.code: line for line in summary.by_role["context_ads_specialist"]}
    assert ctx["ctr"].previous == D(4) and ctx["ctr"].target == D("2.5")
    assert ctx["ctr"].status is Status.ON_TRACK and ctx["ctr"].attainment == D("1.2")
    assert ctx["cpa"].previous is None
    smm = {line.kpi.code: line for line in summary.by_role["smm_manager"]}
    assert smm["followers"].change == D(200)
    assert smm["followers"].status is Status.OFF_TRACK  # 1200 of 1500 = 0.8


def test_empty_team() -> None:
    summary = team_summary([])
    assert summary.by_role == {} and summary.reported == ()
    assert all(t.lines == [] for t in summary.topics)


# --- anomalies -------------------------------------------------------------------------------


def week(clicks: int, impressions: int = 1000, **extra: int) -> dict[str, Decimal]:
    return {
        "clicks": D(clicks),
        "impressions": D(impressions),
        **{k: D(v) for k, v in extra.items()},
    }


def test_a_conversion_drop_against_the_trailing_mean_is_flagged() -> None:
    history = [week(20), week(22), week(18), week(20), week(15)]
    (anomaly,) = kpi.detect_anomalies(history)
    assert anomaly.kpi_code == "ctr"
    assert anomaly.value == D("1.5") and anomaly.baseline == D(2)
    assert anomaly.change_pct == D(-25)
    assert anomaly.direction_good is False


def test_a_rise_is_flagged_too_and_marked_good() -> None:
    history = [week(20), week(20), week(20), week(20), week(26)]
    (anomaly,) = kpi.detect_anomalies(history)
    assert anomaly.change_pct == D(30) and anomaly.direction_good is True


def test_moves_within_the_threshold_are_not_flagged() -> None:
    history = [week(20), week(20), week(20), week(20), week(23)]
    assert kpi.detect_anomalies(history) == []
    assert kpi.detect_anomalies(history, threshold=D("0.1"))[0].kpi_code == "ctr"


def test_window_limits_the_baseline() -> None:
    history = [week(100), week(20), week(20), week(20), week(20), week(26)]
    assert kpi.detect_anomalies(history, window=4)[0].baseline == D(2)
    assert kpi.detect_anomalies(history, window=5)[0].baseline == D("3.6")
    assert kpi.detect_anomalies(history, window=5)[0].direction_good is False


def test_funnel_levels_and_other_conversions_are_watched() -> None:
    history = [
        week(200, 10000, leads=20, new_customers=10, delivered=1000, unique_opens=300),
        week(200, 10000, leads=20, new_customers=10, delivered=1000, unique_opens=300),
        week(200, 10000, leads=20, new_customers=4, delivered=1000, unique_opens=100),
    ]
    codes = {a.kpi_code: a for a in kpi.detect_anomalies(history)}
    assert set(codes) == {"lead_to_customer_rate", "open_rate"}
    assert codes["lead_to_customer_rate"].change_pct == D(-60)
    watched = {m.code for m in kpi.conversion_metrics()}
    assert {"ctr", "conversion_rate", "open_rate", "click_rate", "ctor", "engagement_rate",
            "lead_rate", "lead_to_customer_rate", "retention_rate"} <= watched  # fmt: skip


def test_no_anomaly_without_history_or_baseline() -> None:
    assert kpi.detect_anomalies([]) == []
    assert kpi.detect_anomalies([week(20)]) == []
    assert kpi.detect_anomalies([week(0), week(0), week(30)]) == []  # zero baseline
    assert kpi.detect_anomalies([{}, {}, week(30)]) == []  # no trailing values


def test_team_anomalies_recompute_each_conversion_from_complete_members() -> None:
    def period(ctr_clicks: int) -> list[MemberInputs]:
        return [
            MemberInputs(1, ("context_ads_specialist",), week(ctr_clicks)),
            MemberInputs(2, ("email_marketer",), {"clicks": D(500)}),  # no impressions: left out
        ]

    history = [period(20), period(20), period(20), period(10)]
    (anomaly,) = kpi.detect_team_anomalies(history)
    assert anomaly.kpi_code == "ctr" and anomaly.value == D(1) and anomaly.baseline == D(2)
