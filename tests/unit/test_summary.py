"""The summary's numbers against hand-computed values (tests/support/digest.py has the
table): ratios recomputed from summed inputs, like-for-like changes, targets, «н/д»."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kpi import Period
from models.tables import Target
from services.common.errors import UserError
from services.reports import summary as sm
from tests.support.digest import WEEK, WEEK_BEFORE, make_team, put, put_numbers
from tests.support.text import spaces
from views import summary as summary_view
from views.common import split_message
from views.i18n import I18n

PERIOD = Period(WEEK, date(2026, 11, 22))


def by_code(lines):
    return {x.kpi.code: x for x in lines}


@pytest.fixture
async def crew(session):
    crew = await make_team(session)
    await put_numbers(session, crew)
    return crew


async def test_role_lines_recompute_ratios_from_the_summed_inputs(session, crew):
    data = await sm.load(session, crew.team, PERIOD)
    ctx = by_code(sm.role_lines(data, "context_ads_specialist"))
    # Анна + Вера: clicks 1000+200 over impressions 50000+30000 (the mean of their CTRs,
    # 2 % and 0,67 %, would be 1,33 %)
    assert ctx["ctr"].value == Decimal("1.5")
    assert ctx["cpa"].value == Decimal(15000) / Decimal(50)  # 300
    assert ctx["roas"].value == Decimal(5)  # 75000 / 15000
    assert ctx["revenue"].value == Decimal(75000)
    assert abs(ctx["conversion_rate"].value - Decimal(50) / Decimal(1200) * 100) < Decimal("1e-20")
    tgt = by_code(sm.role_lines(data, "targetologist"))
    assert tgt["cpm"].value == Decimal(80)  # 8000 / 100000 × 1000
    assert tgt["cpc"].value == Decimal(4)
    assert tgt["leads"].value == Decimal(80)
    assert tgt["engagement_rate"].value == Decimal("7.5")


async def test_changes_compare_the_same_people(session, crew):
    """Вера didn't report the week before: the previous CTR is Анна's alone (1000/40000)."""
    data = await sm.load(session, crew.team, PERIOD)
    ctx = by_code(sm.role_lines(data, "context_ads_specialist"))
    assert ctx["ctr"].previous == Decimal("2.5")
    assert ctx["ctr"].change == Decimal("-1.0")
    assert ctx["ctr"].status.value == "off_track"  # worse by 40 %, no target
    assert ctx["cpa"].previous == Decimal(320)  # 8000 / 25
    assert ctx["cpa"].change_pct == Decimal("-6.25")
    assert ctx["cpa"].status.value == "on_track"  # falling cost is good
    assert ctx["revenue"].change_pct == Decimal(50)
    team_spend = sm.team_line(data, "spend")
    assert team_spend.value == Decimal(23000)
    assert team_spend.previous == Decimal(16000)  # Анна 8000 + Борис 8000


async def test_targets_give_attainment_and_status(session, crew):
    team = crew.team
    session.add_all(
        [
            Target(team_id=team.id, kpi_code="cpa", value=Decimal(250), valid_from=WEEK_BEFORE),
            Target(team_id=team.id, kpi_code="conversion_rate", value=Decimal(4), valid_from=WEEK),
            Target(
                team_id=team.id,
                role_code="targetologist",
                kpi_code="leads",
                value=Decimal(100),
                valid_from=WEEK_BEFORE,
            ),
        ]
    )
    await session.commit()
    data = await sm.load(session, team, PERIOD)
    ctx = by_code(sm.role_lines(data, "context_ads_specialist"))
    assert ctx["cpa"].target == Decimal(250)
    assert ctx["cpa"].attainment == Decimal(250) / Decimal(300)  # lower is better
    assert ctx["cpa"].status.value == "off_track"  # 83 % < 90 %
    tgt = by_code(sm.role_lines(data, "targetologist"))
    assert tgt["leads"].attainment == Decimal("0.8")
    # a team-wide target reaches every role tracking the KPI
    assert ctx["conversion_rate"].status.value == "on_track"  # 50/1200 = 4,17 %
    assert tgt["conversion_rate"].attainment == Decimal("2.5") / Decimal(4)
    assert tgt["conversion_rate"].status.value == "off_track"
    # team-wide CPA: 23000 / (40+10+50) = 230 → 250/230 ≥ 1
    team_cpa = sm.team_line(data, "cpa")
    assert team_cpa.value == Decimal(230)
    assert team_cpa.status.value == "on_track"


async def test_team_text_spells_out_values_changes_targets_and_no_data(session, crew):
    session.add(
        Target(team_id=crew.team.id, kpi_code="cpa", value=Decimal(250), valid_from=WEEK_BEFORE)
    )
    await session.commit()
    data = await sm.load(session, crew.team, PERIOD)
    text = spaces(summary_view.team_text(data, I18n().get("ru")))
    assert "Сводка команды «Маркетинг»</b> · 16–22 нояб." in text
    assert "Отчитались: 3 из 4 · нет ответа: Глеб Иванов" in text
    assert "<b>Контекстолог</b> · 2 человека" in text
    assert "<b>Таргетолог</b> · 1 человек" in text
    assert "❌ CTR (click-through rate): <b>1,5 %</b> · ▼ 1 п.п." in text
    assert "<b>300 ₽</b> · ▼ 6,3 % · план 250 ₽ (83,3 %)" in text
    assert "<b>75 000 ₽</b> · ▲ 50 %" in text
    # the SEO specialist sent nothing: one «no data» line for the role
    seo = text.split("<b>SEO специалист</b>")[1]
    assert seo.split("\n")[1] == "▫️ нет данных за период"
    en = spaces(summary_view.team_text(data, I18n().get("en")))
    assert "Reported: 3 of 4 · no answer: Глеб Иванов" in en
    assert "<b>1.5%</b> · ▼ 1 pp" in en


async def test_undefined_ratios_are_na(session):
    crew = await make_team(session)
    await put(session, crew.members["anna"], WEEK, {"spend": "100", "impressions": "0",
                                                    "clicks": "0", "conversions": "0"})  # fmt: skip
    await session.commit()
    data = await sm.load(session, crew.team, PERIOD)
    ctx = by_code(sm.role_lines(data, "context_ads_specialist"))
    assert ctx["ctr"].value is None and ctx["cpa"].value is None
    assert ctx["ctr"].status.value == "no_data"
    text = spaces(summary_view.team_text(data, I18n().get("ru")))
    assert "▫️ CTR (click-through rate): <b>н/д</b>" in text
    assert "▫️ ROAS (return on ad spend): <b>н/д</b>" in text  # no revenue given


async def test_a_member_sees_their_own_numbers_against_their_targets(session, crew):
    vera = crew.members["vera"]
    session.add(
        Target(
            team_id=crew.team.id,
            member_id=vera.id,
            kpi_code="ctr",
            value=Decimal("1"),
            valid_from=WEEK,
            valid_to=date(2026, 11, 22),
        )
    )
    await session.commit()
    data = await sm.load(session, crew.team, PERIOD)
    own = by_code(sm.member_lines(data, vera)["context_ads_specialist"])
    assert own["ctr"].value == Decimal(200) / Decimal(30000) * 100  # 0,67 %
    assert own["ctr"].attainment == own["ctr"].value  # against a plan of 1 %
    assert own["ctr"].status.value == "off_track"
    assert own["ctr"].previous is None  # she sent nothing the week before
    text = spaces(summary_view.member_text(data, vera, I18n().get("ru")))
    assert "Ваши KPI</b> · «Маркетинг» · 16–22 нояб." in text
    assert "❌ CTR (click-through rate): <b>0,7 %</b> · план 1 % (66,7 %)" in text
    anna = by_code(sm.member_lines(data, crew.members["anna"])["context_ads_specialist"])
    assert anna["ctr"].target is None  # Вера's target is hers alone


def test_days_typed_for_a_period():
    today = date(2026, 11, 23)
    assert sm.parse_day("16.11", today) == date(2026, 11, 16)
    assert sm.parse_day("2026-11-16", today) == date(2026, 11, 16)
    assert sm.parse_day("20.06", today) == date(2026, 6, 20)
    assert sm.parse_day("20.12.25", today) == date(2025, 12, 20)
    assert sm.parse_day("1.2.26", today) == date(2026, 2, 1)
    for bad, key in (("32.11", "summary.error.date"), ("вчера", "summary.error.date"),
                     ("01.12.2026", "summary.error.future"),
                     ("20.12", "summary.error.future")):  # fmt: skip
        with pytest.raises(UserError) as caught:
            sm.parse_day(bad, today)
        assert caught.value.key == key


def test_long_texts_are_cut_at_line_ends():
    text = "\n".join(f"<b>строка {i}</b> " + "х" * 80 for i in range(200))
    parts = split_message(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    assert all(p.count("<b>") == p.count("</b>") for p in parts)


async def test_an_unfinished_check_in_is_not_a_report(session, crew):
    from datetime import UTC, datetime

    from models.tables import Checkin

    session.add_all(
        [
            Checkin(member_id=crew.members["boris"].id, period_start=WEEK, state="in_progress"),
            Checkin(
                member_id=crew.members["anna"].id,
                period_start=WEEK,
                state="editing",  # finished, reopened to correct an answer
                finished_at=datetime(2026, 11, 21, 10, tzinfo=UTC),
            ),
        ]
    )
    await session.commit()
    data = await sm.load(session, crew.team, PERIOD)
    assert data.responded == {crew.members["anna"].id, crew.members["vera"].id}
    text = spaces(summary_view.team_text(data, I18n().get("ru")))
    assert "Отчитались: 2 из 4 · не закончили: Борис Орлов · нет ответа: Глеб Иванов" in text


def test_one_splitter_keeps_the_order_around_a_line_over_the_limit():
    from views.common import split_message

    text = "head\n" + "x" * 5000 + "\ntail"
    assert split_message(text) == ["head", "x" * 4096, "x" * 904 + "\ntail"]
    assert split_message("a\n\nb", limit=2) == ["a", "b"]
