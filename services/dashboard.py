"""The Mini App's data: the team's scorecard over the last 13 periods, one member's rows, who
contributed to a cell, the task board and the minutes archive. Every number is computed the
way /summary computes it (services.summary's role_lines / member_lines over each period), so
the dashboard and the bot's texts can't disagree. Data only: no Telegram, no web.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import KPI, KpiLine, Period
from models.tables import Meeting, Member, Target, Task, Team
from services.reports import summary as sm
from services.tasks import tasks as task_service

DEPTH = 13  # periods on the scorecard (a quarter of weeks)
CLOSED_TASKS = 50  # done and cancelled tasks kept on the board, newest first
MEETINGS = 52


@dataclass(frozen=True)
class Row:
    """One KPI of one role: a line per period (oldest first) and the row's summary columns."""

    role_code: str
    kpi: KPI
    lines: list[KpiLine]
    average: Decimal | None
    total: Decimal | None  # only where the KPI adds up over periods

    @property
    def plan(self) -> Decimal | None:
        return self.lines[-1].target if self.lines else None


@dataclass(frozen=True)
class Scorecard:
    team: Team
    periods: list[Period]  # oldest first; the last is the period /summary shows
    views: list[sm.TeamData]  # the bot's TeamData as of each period
    rows: list[Row]

    @property
    def data(self) -> sm.TeamData:
        return self.views[-1]

    def holders(self, role_code: str) -> list[Member]:
        return [m for m in self.data.members if role_code in m.role_codes]

    def view(self, period_key: str) -> sm.TeamData | None:
        return next((v for v in self.views if v.period.key == period_key), None)


def _in_force(rows: Sequence[Target], period: Period) -> list[Target]:
    """services.targets.in_period over rows already loaded."""
    return [
        r
        for r in rows
        if r.valid_from <= period.start and (r.valid_to is None or r.valid_to >= period.start)
    ]


def summable(k: KPI) -> bool:
    """A raw count or amount that adds up over periods (leads, spend), unlike a ratio or a stock."""
    return k.formula is None and kpi.input_def(k.args[0]).aggregation == "sum"


def _row_summary(
    k: KPI, role_code: str, lines: list[KpiLine], views: list[sm.TeamData]
) -> tuple[Decimal | None, Decimal | None]:
    values = [x.value for x in lines if x.value is not None]
    if not values:
        return None, None
    if summable(k):
        total = sum(values, Decimal(0))
        return total / len(values), total
    if k.formula is None:  # a stock or a score: the mean of the periods' values
        return sum(values, Decimal(0)) / len(values), None
    # a ratio: recomputed from the inputs summed over every period and holder, never averaged
    rows = [dict(m.inputs) for v in views for m in v.current if role_code in m.role_codes]
    return kpi.team_value(k, rows), None


async def scorecard(
    session: AsyncSession, team: Team, period: Period, depth: int = DEPTH
) -> Scorecard:
    """The team's KPIs by role over `depth` periods ending with `period`."""
    data = await sm.load(session, team, period, depth=depth + 1)  # +1: the first one's change
    targets = list(
        await session.scalars(select(Target).where(Target.team_id == team.id).order_by(Target.id))
    )
    views = [
        dataclasses.replace(
            data,
            periods=data.periods[: i + 1],
            history=data.history[: i + 1],
            target_rows=_in_force(targets, data.periods[i]),
        )
        for i in range(1, len(data.periods))
    ]
    rows: list[Row] = []
    for code in data.role_codes():
        per_period = [sm.role_lines(v, code) for v in views]
        for index, k in enumerate(kpi.role(code).kpis):
            lines = [lines_[index] for lines_ in per_period]
            average, total = _row_summary(k, code, lines, views)
            rows.append(Row(code, k, lines, average, total))
    return Scorecard(team=team, periods=[v.period for v in views], views=views, rows=rows)


GROUPINGS = ("role", "topic")  # the scorecard's rows by role, or by the ten agenda topics


def by_topic(rows: Sequence[Row]) -> list[tuple[kpi.Topic | None, list[Row]]]:
    """The rows under the agenda's ten topics (seed 004), in the agenda's order, as the agenda
    lists them (a KPI under each topic that names it: the catalogue's KPI.topics), then the
    rows no topic names (None); empty topics left out."""
    groups: list[tuple[kpi.Topic | None, list[Row]]] = []
    for topic in kpi.agenda_topics():
        found = [r for r in rows if topic.code in r.kpi.topics]
        if found:
            groups.append((topic, found))
    rest = [r for r in rows if not r.kpi.topics]
    if rest:
        groups.append((None, rest))
    return groups


def member_rows(card: Scorecard, member: Member) -> list[Row]:
    """A member's own KPIs over the scorecard's periods, as /summary in private shows them."""
    per_period = [sm.member_lines(v, member) for v in card.views]
    own = [
        dataclasses.replace(
            v, history=[[m for m in h if m.member_id == member.id] for h in v.history]
        )
        for v in card.views
    ]
    rows: list[Row] = []
    for code in member.role_codes:
        for index, k in enumerate(kpi.role(code).kpis):
            lines = [p[code][index] for p in per_period]
            average, total = _row_summary(k, code, lines, own)
            rows.append(Row(code, k, lines, average, total))
    return rows


@dataclass(frozen=True)
class Contribution:
    member: Member
    value: Decimal | None  # the member's own value of the KPI
    inputs: dict[str, Decimal]  # the KPI's raw inputs the member gave
    counted: bool  # gave every input, so is in the team's number


def contributions(
    card: Scorecard, role_code: str, kpi_code: str, period_key: str
) -> tuple[KpiLine, list[Contribution]] | None:
    """The cell's line and what each holder of the role gave for it; None if no such cell."""
    view = card.view(period_key)
    row = next((r for r in card.rows if r.role_code == role_code and r.kpi.code == kpi_code), None)
    if view is None or row is None:
        return None
    line = row.lines[card.views.index(view)]
    out: list[Contribution] = []
    for inputs in view.current:
        if role_code not in inputs.role_codes:
            continue
        member = view.member(inputs.member_id)
        if member is None:
            continue
        given = {c: inputs.inputs[c] for c in row.kpi.inputs if inputs.inputs.get(c) is not None}
        counted = len(given) == len(row.kpi.inputs)
        value = kpi.evaluate(row.kpi, given) if counted else None
        out.append(Contribution(member, value, given, counted))
    return line, out


# ----------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class BoardTask:
    task: Task
    owner: Member
    state: str  # open, overdue, done, cancelled


async def task_board(session: AsyncSession, team: Team, today: date) -> list[BoardTask]:
    """The team's open tasks (soonest first), then the latest closed ones."""
    opened = await task_service.open_for_team(session, team)
    closed = list(
        await session.scalars(
            select(Task)
            .where(Task.team_id == team.id, Task.status != task_service.OPEN)
            .order_by(Task.done_at.desc(), Task.id.desc())
            .limit(CLOSED_TASKS)
        )
    )
    tasks = [*opened, *closed]
    owners = await task_service.members_by_id(session, tasks)
    out = []
    for task in tasks:
        state = task.status
        if task_service.is_overdue(task, today):
            state = "overdue"
        out.append(BoardTask(task, owners[task.owner_member_id], state))
    return out


# ----------------------------------------------------------------------------- meetings


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    text: str  # as posted to the group (Telegram HTML)


async def minutes_archive(session: AsyncSession, team: Team) -> list[Minutes]:
    """Ended meetings with their minutes, newest first."""
    query = (
        select(Meeting)
        .where(Meeting.team_id == team.id, Meeting.minutes.is_not(None))
        .order_by(Meeting.started_at.desc(), Meeting.id.desc())
        .limit(MEETINGS)
    )
    return [Minutes(m, m.minutes or "") for m in await session.scalars(query)]


def ended_at(minutes: Minutes) -> datetime:
    return minutes.meeting.ended_at or minutes.meeting.started_at
