"""The monthly report (seed 001: «ежемесячные отчёты руководителю отдела»).

How a month is built (the README states the same):
- a period belongs to the calendar month holding most of its days (kpi.month_holding; a tie
  goes to the month it starts in): 26 Oct – 1 Nov is October's, 30 Nov – 6 Dec December's;
- a month counts its periods that the team lived through (ending on or after the team's
  anchor day), that weren't skipped for a holiday and that have a working day; a month
  counting fewer periods than it holds is partial (the team's first month);
- the report goes out once the month is over and every counted period's collection has
  closed (its deadline passed): on the first working day after both (team holidays and
  weekends skipped) at 09:00 team time, to the leads in private chat and, when
  `monthly_group` is on, to the group; claimed in the post log as kind "monthly" with the
  month's key "YYYY-MM": exactly once; caught up within `catch_up_hours` when the bot was
  down, marked late;
- each member's counted periods are summed (stock inputs: the last value) and ratios are
  recomputed from the sums; the report names the periods it covers;
- plans are those in force in the month's last counted period, scaled for summed raw inputs
  by the number of periods counted (a weekly plan of 100 leads is 400 for a four-period
  month); plans for rates and costs apply as they are;
- the comparison with the previous month is like for like: per KPI the same people
  (kpi.compare), and when the months count different numbers of periods, the previous
  month's sums are taken per period (scaled to this month's count);
- the trend chart draws months on that same per-period scale and never a partial month.
"""

from __future__ import annotations

import calendar
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import MemberInputs, Period
from models.tables import Answer, Member, Target, Team
from services.common import kpi_data
from services.common.clock import team_today
from services.reports import digest as digest_data
from services.reports import summary as sm
from services.team import rhythm, teams

log = logging.getLogger(__name__)

AT = time(9, 0)
MONTHS_OF_HISTORY = 6


def month_of(day: date) -> Period:
    return Period(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))


def previous_month(month: Period) -> Period:
    return month_of(month.start - timedelta(days=1))


def month_key(month: Period) -> str:
    return month.start.strftime("%Y-%m")


def first_working_day(month: Period, holidays: set[date]) -> date:
    return rhythm.next_working_day(month.start, holidays)


def periods_in(team: Team, month: Period) -> list[Period]:
    """The team's periods that belong to the month (most of their days in it), oldest first."""
    cadence = rhythm.cadence(team)
    period = rhythm.period_of(team, month.start)
    out = []
    while period.start <= month.end:
        if kpi.month_holding(period) == month:
            out.append(period)
        period = kpi.next_period(period, cadence, team.anchor_date)
    return out


def _has_working_day(period: Period, holidays: set[date]) -> bool:
    day = period.start
    while day <= period.end:
        if rhythm.is_working_day(day, holidays):
            return True
        day += timedelta(days=1)
    return False


def counted(team: Team, month: Period, holidays: set[date]) -> list[rhythm.Cycle]:
    """The cycles of the month's periods that count: lived through by the team, not skipped
    for a holiday, with at least one working day."""
    out = []
    for period in periods_in(team, month):
        if period.end < team.anchor_date or not _has_working_day(period, holidays):
            continue
        cycle = rhythm.cycle_for(team, period, holidays)
        if not cycle.skipped:
            out.append(cycle)
    return out


def is_partial(team: Team, month: Period, holidays: set[date]) -> bool:
    """Fewer periods counted than the month holds for lack of the team (its first month)."""
    return any(p.end < team.anchor_date for p in periods_in(team, month))


def due_at(team: Team, month: Period, holidays: set[date]) -> datetime | None:
    """When the report on `month` goes out: 09:00 on the first working day after both the
    month's end and the last counted period's deadline; None when the month counts none."""
    cycles = counted(team, month, holidays)
    if not cycles:
        return None
    zone = ZoneInfo(team.timezone)
    deadline = max(c.deadline_at for c in cycles)
    day = max(deadline.astimezone(zone).date(), month.end + timedelta(days=1))
    day = rhythm.next_working_day(day, holidays)
    if datetime.combine(day, AT, zone) <= deadline:
        day = rhythm.next_working_day(day + timedelta(days=1), holidays)
    return datetime.combine(day, AT, zone)


def due_month(
    team: Team, now: datetime, holidays: set[date], catch_up: timedelta
) -> tuple[Period, datetime] | None:
    """(the month to report on, when it was due) if its report is due now."""
    this = month_of(team_today(now, team.timezone))
    window = max(catch_up, digest_data.LATE_AFTER)
    month = previous_month(previous_month(this))
    for _ in range(2):
        moment = due_at(team, month, holidays)
        if moment is not None and moment <= now <= moment + window:
            return month, moment
        month = month_of(month.end + timedelta(days=1))
    return None


def _scaled(rows: Sequence[Target], periods: int) -> list[Target]:
    """Per-period plans as month plans: summed raw inputs × the number of periods."""
    out = []
    for row in rows:
        value = row.value
        if kpi.is_input(row.kpi_code) and kpi.input_def(row.kpi_code).aggregation == "sum":
            value = row.value * periods
        out.append(
            Target(
                id=row.id,
                team_id=row.team_id,
                member_id=row.member_id,
                role_code=row.role_code,
                kpi_code=row.kpi_code,
                value=value,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
            )
        )
    return out


def _per_period(rows: list[MemberInputs], factor: Decimal) -> list[MemberInputs]:
    """The month's summed inputs scaled by `factor` (this month's periods ÷ that month's):
    per-period averages on this month's scale; stock and mean inputs as they are."""
    if factor == 1:
        return rows
    out = []
    for m in rows:
        inputs = {
            code: value * factor if kpi.is_input(code) and _sums(code) else value
            for code, value in m.inputs.items()
        }
        out.append(MemberInputs(m.member_id, m.role_codes, inputs))
    return out


def _sums(code: str) -> bool:
    return kpi.input_def(code).aggregation == "sum"


@dataclass
class Month:
    """A month's report data: the TeamData of monthly aggregates (oldest month first, on this
    month's per-period scale), the periods counted, each member's reports, partial months."""

    data: sm.TeamData
    periods: list[Period]  # the periods counted in the month reported on
    reported: dict[int, int]  # member id → periods they reported in
    partial: list[bool]  # per month of data.history: partial, so not drawn
    counts: list[int]  # per month: periods counted

    def trend_data(self) -> sm.TeamData:
        """The same data with partial months left empty: the trend never draws them."""
        history = [
            [MemberInputs(m.member_id, m.role_codes, {}) for m in rows] if partial else rows
            for rows, partial in zip(self.data.history, self.partial, strict=True)
        ]
        return dataclasses.replace(self.data, history=history)


async def load(
    session: AsyncSession, team: Team, month: Period, months: int = MONTHS_OF_HISTORY
) -> Month:
    """The months up to `month` (oldest first) as monthly aggregates of their counted
    periods, earlier months scaled per period to `month`'s count."""
    holidays = await sm.holidays(session, team)
    members = [m for m in await teams.members(session, team) if m.role_codes]
    spans = [month]
    while len(spans) < months:
        spans.insert(0, previous_month(spans[0]))
    by_month = [[c.period for c in counted(team, m, holidays)] for m in spans]
    flat = [p for ps in by_month for p in ps]
    raw = await kpi_data.history(session, team, members, flat)
    per_period = dict(zip(flat, raw, strict=True))
    current = by_month[-1]
    history: list[list[MemberInputs]] = []
    for periods in by_month:
        month_rows = []
        for index, member in enumerate(members):
            rows = [dict(per_period[p][index].inputs) for p in periods]
            month_rows.append(MemberInputs(member.id, member.role_codes, kpi.aggregate(rows)))
        if periods and current and len(periods) != len(current):
            month_rows = _per_period(month_rows, Decimal(len(current)) / Decimal(len(periods)))
        history.append(month_rows)
    reported: dict[int, int] = {}
    if current and members:
        query = (
            select(Answer.member_id, func.count(func.distinct(Answer.period_start)))
            .where(
                Answer.member_id.in_([m.id for m in members]),
                Answer.period_start.in_([p.start for p in current]),
            )
            .group_by(Answer.member_id)
        )
        reported = {member_id: int(n) for member_id, n in await session.execute(query)}
    plans = await kpi_data.targets_in_force(session, team, current[-1]) if current else []
    data = sm.TeamData(
        team=team,
        members=members,
        periods=spans,
        history=history,
        target_rows=_scaled(plans, len(current)),
        responded={m for m, n in reported.items() if n},
        away=set(),
    )
    partial = [
        is_partial(team, m, holidays) or not ps for m, ps in zip(spans, by_month, strict=True)
    ]
    return Month(data, current, reported, partial, [len(ps) for ps in by_month])


async def task_counts(session: AsyncSession, team: Team, month: Period, today: date) -> dict:
    return await digest_data.task_counts(session, team, month, today)


async def _any_answers(session: AsyncSession, team: Team, month: Period) -> bool:
    starts = [p.start for p in periods_in(team, month)]
    if not starts:
        return False
    query = (
        select(func.count())
        .select_from(Answer)
        .join(Member, Member.id == Answer.member_id)
        .where(Member.team_id == team.id, Answer.period_start.in_(starts))
    )
    return bool(await session.scalar(query))
