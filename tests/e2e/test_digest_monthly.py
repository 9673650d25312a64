"""The monthly report: when it is due, the month's numbers (sums; ratios from the sums) against
hand-computed values, and its delivery to the leads and the group — once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from jobs import periodic_jobs
from jobs.loop import tick
from models.db import session_maker
from models.tables import Holiday, Member, PostLog, Target, Team
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


async def test_a_period_belongs_to_the_month_holding_most_of_its_days():
    from kpi import Period, month_holding

    assert month_holding(Period(date(2026, 10, 26), date(2026, 11, 1))) == monthly.month_of(
        date(2026, 10, 1)
    )
    assert month_holding(Period(date(2026, 11, 30), date(2026, 12, 6))) == monthly.month_of(
        date(2026, 12, 1)
    )
    assert month_holding(Period(date(2026, 12, 28), date(2027, 1, 3))) == monthly.month_of(
        date(2026, 12, 1)
    )
    # a tie (a two-week period split 7/7) goes to the month it starts in
    assert month_holding(Period(date(2026, 8, 25), date(2026, 9, 7))) == monthly.month_of(
        date(2026, 8, 1)
    )


async def test_a_month_whose_last_week_spills_into_the_next_is_reported_after_it_closes(session):
    """December 2026 holds 30 Nov – 6 Dec and 28 Dec – 3 Jan (four of its days in December):
    five weeks. Its report waits for the last one's deadline, Mon 4 Jan 09:30, and goes out
    on Tue 5 Jan at 09:00 (before issue 11: Fri 1 Jan at 09:00, the last week not collected)."""
    crew = await make_team(session)
    team, catch_up = crew.team, timedelta(hours=12)
    december = monthly.month_of(date(2026, 12, 1))
    assert [p.start for p in monthly.periods_in(team, december)] == [
        date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 21),
        date(2026, 12, 28),
    ]  # fmt: skip
    due = datetime(2027, 1, 5, 9, 0, tzinfo=MSK)
    assert monthly.due_at(team, december, set()) == due
    assert monthly.due_month(team, datetime(2027, 1, 4, 9, 0, tzinfo=MSK), set(), catch_up) is None
    assert monthly.due_month(team, due, set(), catch_up) == (december, due)
    # with the New Year holidays (1–8 Jan) the meeting moves to Mon 11 Jan, 09:30 deadline
    holidays = {date(2027, 1, d) for d in range(1, 9)}
    assert monthly.due_at(team, december, holidays) == datetime(2027, 1, 12, 9, 0, tzinfo=MSK)


async def test_the_report_waits_for_a_deadline_after_the_first_working_day(session):
    """Meeting on Wednesday: 23–29 Nov closes Wed 2 Dec 09:30, so November goes out Thu 3 Dec."""
    crew = await make_team(session)
    crew.team.meeting_weekday = 2
    assert monthly.due_at(crew.team, NOVEMBER, set()) == datetime(2026, 12, 3, 9, 0, tzinfo=MSK)


async def test_a_month_with_a_holiday_week_counts_and_plans_the_weeks_worked(session):
    """January 2027 with the holidays 1–8 Jan: the week of 4–10 Jan has no working day, so the
    month counts 11, 18 and 25 Jan; a weekly plan of 100 leads is 300; December's five weeks
    are compared per week (×3/5)."""
    crew = await make_team(session)
    team = crew.team
    for day in range(1, 9):
        session.add(Holiday(team_id=team.id, day=date(2027, 1, day)))
    boris = crew.members["boris"]
    for start in (date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 21),
                  date(2026, 12, 28)):  # fmt: skip
        await put(session, boris, start, {"leads": "100", "impressions": "1000", "clicks": "50"})
    for start in (date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25)):
        await put(session, boris, start, {"leads": "110", "impressions": "1000", "clicks": "50"})
    session.add(
        Target(
            team_id=team.id,
            role_code="targetologist",
            kpi_code="leads",
            value=Decimal(100),
            valid_from=date(2026, 11, 2),
        )
    )
    await session.commit()
    january = monthly.month_of(date(2027, 1, 1))
    assert len(monthly.periods_in(team, january)) == 4
    loaded = await monthly.load(session, team, january)
    assert [p.start.day for p in loaded.periods] == [11, 18, 25]
    from services.reports import summary as sm

    tgt = {x.kpi.code: x for x in sm.role_lines(loaded.data, "targetologist")}
    assert tgt["leads"].value == Decimal(330)
    assert tgt["leads"].target == Decimal(300)  # not 400: the holiday week isn't planned
    assert tgt["leads"].status.value == "on_track"
    # December: 500 leads in 5 weeks = 300 in 3; January 330: +10 % (not −34 % against 500)
    assert tgt["leads"].previous == Decimal(300)
    assert tgt["leads"].change_pct == Decimal(10)
    assert sm.team_line(loaded.data, "ctr").change == 0  # ratios do not move with the scale
    text = spaces(
        monthly_view.report_text(
            loaded, {"total": 0, "done": 0, "overdue": 0}, I18n().get("ru"), late=False
        )
    )
    assert "Сложено из 3 отчётных периодов" in text
    assert "Периоды месяца: 11–17 янв., 18–24 янв., 25–31 янв." in text
    assert "В прошлом месяце было 5 периодов, в этом 3: сравнение — по среднему за период." in text
    assert "<b>330</b> · ▲ +10 % · план 300 (110 %)" in text


async def test_the_trend_never_draws_a_partial_month(session):
    """The team started on 2 Nov: October holds weeks before it, so it is partial (one week of
    numbers, 26 Oct – 1 Nov is October's but ends before the team's start) and isn't drawn."""
    crew = await make_team(session)
    crew.team.anchor_date = date(2026, 10, 21)  # registered mid-October
    boris = crew.members["boris"]
    await put(session, boris, date(2026, 10, 19), {"leads": "60"})
    await put(session, boris, date(2026, 10, 26), {"leads": "60"})
    for start in (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)):
        await put(session, boris, start, {"leads": "50"})
    await session.commit()
    loaded = await monthly.load(session, crew.team, NOVEMBER)
    assert loaded.partial[-2:] == [True, False]
    assert loaded.counts[-2:] == [2, 4]
    from services.reports import summary as sm

    # the text compares per period: October 120 in 2 weeks = 240 in 4; November 200
    line = sm.team_line(loaded.data, "leads")
    assert (line.value, line.previous) == (Decimal(200), Decimal(240))
    # the chart draws November alone (before issue 11: October as a whole month of 120)
    assert sm.team_series(loaded.trend_data(), "leads")[-2:] == [None, Decimal(200)]


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
    # 30 Nov – 6 Dec has six of its seven days in December: it is December's, not November's
    # (before issue 11 November counted it, unopened, and multiplied the plans by 5)
    assert [p.start.day for p in monthly.periods_in(crew.team, NOVEMBER)] == [2, 9, 16, 23]
    loaded = await monthly.load(session, crew.team, NOVEMBER)
    data, reported = loaded.data, loaded.reported
    assert len(loaded.periods) == 4
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
    assert tgt["leads"].target == Decimal(400)  # 100 a week × the 4 weeks counted
    digest = await monthly_view.compose(
        session, crew.team, NOVEMBER, I18n().get("ru"), now=datetime(2026, 12, 1, 9, tzinfo=MSK),
        late=False,
    )  # fmt: skip
    text = spaces(digest.text)
    assert text.startswith("📅 <b>Отчёт за ноябрь 2026</b>\nКоманда «Маркетинг»")
    assert "Сложено из 4 отчётных периодов" in text
    assert "Периоды месяца: 2–8 нояб., 9–15 нояб., 16–22 нояб., 23–29 нояб." in text
    assert "🟢 CTR (click-through rate): <b>1,8 %</b>\n" in text  # no plan, no October
    assert "<b>306,67 ₽</b>" in text
    assert "🔴 Объем генерируемых лидов/продаж (Таргетолог): <b>144</b> · план 400 (36 %)" in text
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
        assert "Сложено из " in private.plain and "23–29 нояб." in private.plain
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
        mark = emu.mark()
        emu.send(LEAD, LEAD, "/start")
        await emu.wait_for(LEAD, after=mark)  # the report needs the private chat open
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
