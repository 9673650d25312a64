"""A period's numbers: the team's KPIs by role and team-wide, one member's own, the history
behind the trends, and their text for /summary (also the digest's and the report's building
blocks). Ratios are always recomputed from the raw inputs (kpi.team_value), never averaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import KPI, KpiLine, MemberInputs, Period
from kpi.summary import line as kpi_line
from models.tables import Answer, Away, Checkin, Holiday, Member, Target, Team
from services.common import dates, kpi_data
from services.common.errors import UserError
from services.reports import targets as target_rows
from services.team import rhythm, teams
from services.team.schedule import schedule_of

HISTORY = 12
# Team-wide numbers a lead reads first, in this order, when the team has them.
HEADLINE = (
    "spend", "revenue", "leads", "cpl", "conversions", "cpa", "roas", "romi", "ctr",
    "new_customers", "cac", "sessions", "reach", "engagement_rate", "open_rate",
)  # fmt: skip


@dataclass
class TeamData:
    """Everything a period's summary is computed from, loaded in a few queries."""

    team: Team
    members: list[Member]  # active members with a role, in joining order
    periods: list[Period]  # oldest first; the last one is the period summarized
    history: list[list[MemberInputs]]
    target_rows: list[Target]
    responded: set[int]  # members who sent their numbers for the period
    away: set[int]  # members away during the period
    answering: set[int] = field(default_factory=set)  # started their questions, not finished

    @property
    def period(self) -> Period:
        return self.periods[-1]

    @property
    def current(self) -> list[MemberInputs]:
        return self.history[-1]

    @property
    def previous(self) -> list[MemberInputs] | None:
        return self.history[-2] if len(self.history) > 1 else None

    def role_codes(self) -> list[str]:
        """Roles held in the team, in catalogue order."""
        held = {c for m in self.members for c in m.role_codes}
        return [r.code for r in kpi.catalog() if r.code in held]

    def member(self, member_id: int) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)


async def holidays(session: AsyncSession, team: Team) -> set[date]:
    return set(await session.scalars(select(Holiday.day).where(Holiday.team_id == team.id)))


async def load(session: AsyncSession, team: Team, period: Period, depth: int = HISTORY) -> TeamData:
    members = [m for m in await teams.members(session, team) if m.role_codes]
    periods = kpi.periods_back(period, depth, rhythm.cadence_of(team, period), team.anchor_date)
    history = await kpi_data.history(session, team, members, periods)
    ids = [m.id for m in members]
    answered = set(
        await session.scalars(
            select(Answer.member_id)
            .where(Answer.member_id.in_(ids), Answer.period_start == period.start)
            .group_by(Answer.member_id)
        )
    )
    # a check-in finished (even if reopened to correct an answer) is a report; one still open
    # is work in progress; answers without a check-in (imported, say) count as a report
    checkins = dict(
        (
            await session.execute(
                select(Checkin.member_id, Checkin.finished_at).where(
                    Checkin.member_id.in_(ids), Checkin.period_start == period.start
                )
            )
        ).all()
    )
    responded = {m for m in answered if m not in checkins or checkins[m] is not None} | {
        m for m, finished in checkins.items() if finished is not None
    }
    answering = answered - responded
    away = set(
        await session.scalars(
            select(Away.member_id).where(
                Away.member_id.in_(ids), Away.start <= period.end, Away.end >= period.start
            )
        )
    )
    return TeamData(
        team=team,
        members=members,
        periods=periods,
        history=history,
        target_rows=await kpi_data.targets_in_force(session, team, period),
        responded=responded,
        away=away,
        answering=answering,
    )


def parse_day(text: str, today: date) -> date:
    """A day typed as 16.11, 16.11.2026, 16.11.26 or 2026-11-16; a missing year:
    services/common/dates.no_year, looking back. Refused if malformed or in the future."""
    value = text.strip()
    try:
        day = dates.read_day(value, today, ahead=False)
    except ValueError:
        day = None
    if day is None:
        raise UserError("summary.error.date", value=value)
    if day > today:
        raise UserError("summary.error.future", value=value)
    return day


def due_period(team: Team, now: datetime, holiday_days: set[date]) -> Period:
    """The latest period whose collection has closed, from the settings alone."""
    return closed_period(rhythm.Schedule(team, frozenset(holiday_days)), now)


def closed_period(schedule: rhythm.Schedule, now: datetime) -> Period:
    """The latest period whose collection has closed: what /summary and the digest show (an
    opened collection closes at the deadline it was opened with)."""
    cycle = schedule.current(now)
    if now < cycle.deadline_at:
        cycle = schedule.previous(cycle)
    return cycle.period


async def due_period_now(session: AsyncSession, team: Team, now: datetime) -> Period:
    return closed_period(await schedule_of(session, team), now)


# ----------------------------------------------------------------------------- numbers


def _holding(rows: Sequence[MemberInputs], role_code: str) -> list[MemberInputs]:
    return [m for m in rows if role_code in m.role_codes]


def paired_line(
    k: KPI,
    current: Sequence[MemberInputs],
    previous: Sequence[MemberInputs] | None,
    target: Decimal | None,
) -> KpiLine:
    """The one comparison rule (kpi.compare): the value over the members who gave all the
    KPI's inputs now; the change over those of them who gave them in the previous period too."""
    return kpi.compare(k, current, previous, target)


def role_lines(data: TeamData, role_code: str) -> list[KpiLine]:
    """The role's KPIs over the members holding it (inputs added up, ratios recomputed),
    against the team's targets for the role."""
    targets = target_rows.pick(data.target_rows, role_code=role_code)
    rows = _holding(data.current, role_code)
    previous = _holding(data.previous, role_code) if data.previous is not None else None
    return [paired_line(k, rows, previous, targets.get(k.code)) for k in kpi.role(role_code).kpis]


def team_line(data: TeamData, code: str) -> KpiLine:
    """One metric over every member who gave its inputs, against a team-wide target."""
    targets = target_rows.pick(data.target_rows)
    return paired_line(kpi.metric(code), data.current, data.previous, targets.get(code))


def headline(data: TeamData, limit: int = 6) -> list[KpiLine]:
    lines = [team_line(data, code) for code in HEADLINE]
    return [x for x in lines if x.value is not None][:limit]


def team_series(data: TeamData, code: str, role_code: str | None = None) -> list[Decimal | None]:
    """A metric per period, oldest first, over the same people throughout: the members who
    gave all its inputs in the last period (everyone, or the holders of a role). An earlier
    period is drawn only when every one of them gave them then, else it is a gap: the last
    point is the text's value and the last step is the text's change, never a mix of people."""
    k = kpi.metric(code)
    latest = data.history[-1] if data.history else []
    cohort = {m.member_id for m in kpi.complete(latest, k)}
    if role_code:
        cohort &= {m.member_id for m in _holding(latest, role_code)}
    out: list[Decimal | None] = []
    for rows in data.history:
        chosen = [m for m in kpi.complete(rows, k) if m.member_id in cohort]
        whole = cohort and {m.member_id for m in chosen} == cohort
        out.append(kpi.team_value(k, [dict(m.inputs) for m in chosen]) if whole else None)
    return out


def member_lines(data: TeamData, member: Member) -> dict[str, list[KpiLine]]:
    """A member's own KPIs for each role they hold, against their targets."""
    current = _inputs_of(data.current, member.id)
    previous = _inputs_of(data.previous, member.id) if data.previous is not None else None
    out: dict[str, list[KpiLine]] = {}
    for code in member.role_codes:
        targets = target_rows.pick(data.target_rows, member_id=member.id, role_code=code)
        out[code] = [
            kpi_line(
                k,
                kpi.evaluate(k, current),
                None if previous is None or not previous else kpi.evaluate(k, previous),
                targets.get(k.code),
            )
            for k in kpi.role(code).kpis
        ]
    return out


def member_series(data: TeamData, member_id: int, k: KPI) -> list[Decimal | None]:
    return [kpi.evaluate(k, _inputs_of(rows, member_id)) for rows in data.history]


def _inputs_of(rows: Sequence[MemberInputs] | None, member_id: int) -> dict[str, Decimal]:
    for m in rows or ():
        if m.member_id == member_id:
            return dict(m.inputs)
    return {}


@dataclass
class Reporting:
    done: list[Member]
    answering: list[Member]  # started, not finished
    silent: list[Member]
    away: list[Member]  # away and silent


def reporting(data: TeamData) -> Reporting:
    rest = [m for m in data.members if m.id not in data.responded]
    return Reporting(
        done=[m for m in data.members if m.id in data.responded],
        answering=[m for m in rest if m.id in data.answering],
        silent=[m for m in rest if m.id not in data.answering and m.id not in data.away],
        away=[m for m in rest if m.id not in data.answering and m.id in data.away],
    )
