"""The monthly report: when it is due, the month's numbers (sums; ratios from the sums) against
hand-computed values, and its delivery to the leads and the group — once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from jobs import periodic_jobs
from jobs.loop import tick
from models.db import session_maker
from models.tables import Member, PostLog, Target, Team
from services.reports import monthly
from tests.support.digest import (
    ANNA,
    LEAD,
    MSK,
    NUMBERS,
    WEEK,
    WEEK_BEFORE,
    lead_and_anna,
    make_team,
    onboard_lead_and_anna,
    put,
    put_numbers,
    quick_app,
)
from tests.support.text import spaces
from views import monthly as monthly_view
from views.i18n import I18n

NOVEMBER = monthly.month_of(date(2026, 11, 5))


def test_first_working_day_skips_weekends_and_holidays():
    assert monthly.first_working_day(monthly.month_of(date(2026, 12, 9)), set()) == date(
        2026, 12, 1
    )
    january = monthly.month_of(date(2027, 1, 20))
    holidays = {date(2027, 1, d) for d in range(1, 9)}
    assert monthly.first_working_day(january, holidays) == date(2027, 1, 11)
    assert monthly.first_working_day(monthly.month_of(date(2026, 8, 3)), set()) == date(2026, 8, 3)


async def test_due_on_the_first_working_day_from_nine_within_the_catch_up_window(session):
    crew = await make_team(session)
    team, catch_up = crew.team, timedelta(hours=12)
    at = datetime(2026, 12, 1, 9, 0, tzinfo=MSK)
    assert monthly.due_month(team, at - timedelta(minutes=1), set(), catch_up) is None
    month, moment = monthly.due_month(team, at, set(), catch_up)
    assert (month, moment) == (NOVEMBER, at)
    assert monthly.month_key(month) == "2026-11"
    assert monthly.due_month(team, at + timedelta(hours=11), set(), catch_up)[0] == NOVEMBER
    assert monthly.due_month(team, at + timedelta(hours=13), set(), catch_up) is None
    assert monthly.due_month(team, datetime(2026, 12, 2, 9, 0, tzinfo=MSK), set(), catch_up) is None


async def test_the_month_adds_up_its_weeks_and_recomputes_ratios(session):
    crew = await make_team(session)
    await put_numbers(session, crew)
    session.add(
        Target(
            team_id=crew.team.id,
            role_code="targetologist",
            kpi_code="leads",
            value=Decimal(100),
            valid_from=WEEK_BEFORE,
        )
    )
    await session.commit()
    assert [p.start.day for p in monthly.periods_in(crew.team, NOVEMBER)] == [2, 9, 16, 23, 30]
    data, reported, periods = await monthly.load(session, crew.team, NOVEMBER)
    assert periods == 5
    assert reported == {crew.members["anna"].id: 2, crew.members["boris"].id: 2,
                        crew.members["vera"].id: 1}  # fmt: skip
    from services.reports import summary as sm

    ctx = {x.kpi.code: x for x in sm.role_lines(data, "context_ads_specialist")}
    # clicks 1000+1000+200 over impressions 40000+50000+30000
    assert ctx["ctr"].value == Decimal(2200) / Decimal(120000) * 100
    assert ctx["cpa"].value == Decimal(23000) / Decimal(75)  # spend 8000+10000+5000, conv. 25+40+10
    assert ctx["ctr"].previous is None  # October: nothing
    tgt = {x.kpi.code: x for x in sm.role_lines(data, "targetologist")}
    assert tgt["leads"].value == Decimal(144)  # 64 + 80
    assert tgt["leads"].target == Decimal(500)  # 100 a week × 5 weeks
    digest = await monthly_view.compose(
        session, crew.team, NOVEMBER, I18n().get("ru"), now=datetime(2026, 12, 1, 9, tzinfo=MSK),
        late=False,
    )  # fmt: skip
    text = spaces(digest.text)
    assert text.startswith("📅 <b>Отчёт за ноябрь 2026</b>\nКоманда «Маркетинг»")
    assert "Сложено из 5 отчётных периодов" in text
    assert "✅ CTR (click-through rate): <b>1,8 %</b>" in text  # no plan, no October
    assert "<b>306,67 ₽</b>" in text
    assert "❌ Объем генерируемых лидов/продаж (Таргетолог): 144 при плане 500 (28,8 %)" in text
    assert "• Анна Котова — 2" in text and "• Глеб Иванов — 0" in text
    assert digest.images[0][0] == "1_plan_fact.png"  # no trend line from a single month


GROUP = -101000


async def test_sent_to_the_leads_in_private_and_to_the_group_once(emu, database_url, clock):
    lead_and_anna(emu, GROUP)
    async with quick_app(emu, database_url, clock) as app:
        await onboard_lead_and_anna(emu, GROUP)
        mark = emu.mark()
        emu.send(LEAD, LEAD, "/start")
        await emu.wait_for(LEAD, after=mark)
        async with session_maker(app.engine)() as s:
            anna = await s.scalar(select(Member).where(Member.user_id == ANNA))
            for start in (WEEK, WEEK_BEFORE):
                await put(s, anna, start, NUMBERS[start]["anna"])
            await s.commit()
        clock.set(datetime(2026, 12, 1, 9, 5, tzinfo=MSK))
        mark = emu.mark()
        await tick(app.runtime, periodic_jobs())
        group = await emu.wait_for(GROUP, "Отчёт за ноябрь 2026", after=mark)
        private = await emu.wait_for(LEAD, "Отчёт за ноябрь 2026", after=mark)
        await emu.wait_idle()
        assert "С опозданием" not in group.plain
        assert "Сложено из 5 отчётных периодов" in private.plain
        assert not [m for m in emu.messages(ANNA) if "Отчёт за" in (m.plain or "")]
        await tick(app.runtime, periodic_jobs())
        await emu.wait_idle()
        reports = [m for m in emu.messages(GROUP) if "Отчёт за" in (m.plain or "")]
        assert len(reports) == 1
        async with session_maker(app.engine)() as s:
            rows = list(await s.scalars(select(PostLog).where(PostLog.kind == "monthly")))
        assert [(r.period_key, r.late) for r in rows] == [("2026-11", False)]


async def test_with_monthly_group_off_only_the_leads_get_it(emu, database_url, clock):
    lead_and_anna(emu, GROUP)
    async with quick_app(emu, database_url, clock) as app:
        await onboard_lead_and_anna(emu, GROUP)
        mark = emu.mark()
        emu.send(LEAD, GROUP, "/settings monthly_group no")
        await emu.wait_for(GROUP, after=mark)
        emu.send(LEAD, LEAD, "/start")
        async with session_maker(app.engine)() as s:
            anna = await s.scalar(select(Member).where(Member.user_id == ANNA))
            await put(s, anna, WEEK, NUMBERS[WEEK]["anna"])
            await s.commit()
            assert (
                await s.scalar(select(Team).where(Team.chat_id == GROUP))
            ).monthly_to_group is False
        clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=MSK))  # six hours late
        mark = emu.mark()
        await tick(app.runtime, periodic_jobs())
        private = await emu.wait_for(LEAD, "Отчёт за ноябрь 2026", after=mark)
        await emu.wait_idle()
        assert "С опозданием: бот был недоступен." in private.plain
        assert not [m for m in emu.messages(GROUP) if "Отчёт за" in (m.plain or "")]
