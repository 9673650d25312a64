"""The monthly report (seed 001: «ежемесячные отчёты руководителю отдела»).

On the first working day of a month (team time zone, team holidays skipped) at 09:00, the
month just ended is aggregated — each member's periods whose start falls in the month summed
(stock inputs: the last value), ratios recomputed from the sums — and sent to the leads in
private chat and, when the team's `monthly_group` setting is on, to the group. Claimed in the
post log as kind "monthly" with the reported month's key "YYYY-MM": exactly once; caught up
within `catch_up_hours` when the bot was down, marked late.

The month's plans are those in force in its last period, scaled to the month for summed raw
inputs (a weekly plan of 100 leads is 400 for a four-period month); plans for rates and costs
apply as they are.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
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


def due_at(team: Team, month: Period, holidays: set[date]) -> datetime:
    """When the report on the month *before* `month` goes out."""
    return datetime.combine(first_working_day(month, holidays), AT, ZoneInfo(team.timezone))


def due_month(
    team: Team, now: datetime, holidays: set[date], catch_up: timedelta
) -> tuple[Period, datetime] | None:
    """(the month to report on, when it was due) if its report is due now."""
    this = month_of(team_today(now, team.timezone))
    moment = due_at(team, this, holidays)
    if moment <= now <= moment + max(catch_up, digest_data.LATE_AFTER):
        return previous_month(this), moment
    return None


def periods_in(team: Team, month: Period) -> list[Period]:
    """The team's periods whose start falls in the month, oldest first."""
    cadence = rhythm.cadence(team)
    period = rhythm.period_of(team, month.start)
    if period.start < month.start:
        period = kpi.next_period(period, cadence, team.anchor_date)
    out = []
    while period.start <= month.end:
        out.append(period)
        period = kpi.next_period(period, cadence, team.anchor_date)
    return out


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


async def load(
    session: AsyncSession, team: Team, month: Period, months: int = MONTHS_OF_HISTORY
) -> tuple[sm.TeamData, dict[int, int], int]:
    """The months (oldest first, `month` last) as a TeamData of monthly aggregates; with how
    many periods each member reported in `month`, and how many periods the month has."""
    members = [m for m in await teams.members(session, team) if m.role_codes]
    spans = [month]
    while len(spans) < months:
        spans.insert(0, previous_month(spans[0]))
    by_month = [periods_in(team, m) for m in spans]
    flat = [p for ps in by_month for p in ps]
    raw = await kpi_data.history(session, team, members, flat)
    per_period = dict(zip(flat, raw, strict=True))
    history: list[list[MemberInputs]] = []
    for periods in by_month:
        month_rows = []
        for index, member in enumerate(members):
            rows = [dict(per_period[p][index].inputs) for p in periods]
            month_rows.append(MemberInputs(member.id, member.role_codes, kpi.aggregate(rows)))
        history.append(month_rows)
    current = by_month[-1]
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
    return data, reported, len(current)


async def task_counts(session: AsyncSession, team: Team, month: Period, today: date) -> dict:
    return await digest_data.task_counts(session, team, month, today)


async def _any_answers(session: AsyncSession, team: Team, month: Period) -> bool:
    query = (
        select(func.count())
        .select_from(Answer)
        .join(Member, Member.id == Answer.member_id)
        .where(
            Member.team_id == team.id,
            Answer.period_start >= month.start,
            Answer.period_start <= month.end,
        )
    )
    return bool(await session.scalar(query))
