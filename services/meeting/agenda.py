"""The prepared agenda (seed 004, rule 3): the ten topics filled with the period's team numbers,
the last meeting's tasks, the anomalies in conversions (seed 003) and who hasn't reported.

Posted to the group `agenda_minutes_before` the meeting (claimed in the post log once per period;
caught up after downtime within CATCH_UP_HOURS, never later than an hour after the meeting
time), and shown by /agenda at any time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from models.tables import Answer, Holiday, Member, Task, Team
from services.common import kpi_data
from services.common.clock import team_now
from services.meeting import meetings
from services.reports import targets as target_rows
from services.tasks import tasks as task_service
from services.team import rhythm, teams
from services.team.schedule import schedule_of

log = logging.getLogger(__name__)

HISTORY_PERIODS = 5  # the current period and four before it, for anomalies
ANOMALY_THRESHOLD = Decimal("0.2")


@dataclass(frozen=True)
class TaskState:
    task: Task
    owner: Member


@dataclass(frozen=True)
class AgendaData:
    cycle: rhythm.Cycle
    summary: kpi.TeamSummary
    anomalies: list[kpi.Anomaly]
    last_tasks: list[TaskState]  # the tasks set at the last meeting
    other_open: list[Task]  # open tasks not from the last meeting
    not_reported: list[Member]
    away: list[Member]
    today: date
    collected: bool  # the period's collection has opened (else there are no numbers yet)


async def team_holidays(session: AsyncSession, team: Team) -> list[date]:
    return list(await session.scalars(select(Holiday.day).where(Holiday.team_id == team.id)))


async def cycle_now(session: AsyncSession, team: Team, now: datetime) -> rhythm.Cycle:
    return (await schedule_of(session, team)).current(now)


async def upcoming_cycle(session: AsyncSession, team: Team, now: datetime) -> rhythm.Cycle:
    """The cycle of the next meeting: the current one, or the one after once its meeting ended."""
    schedule = await schedule_of(session, team)
    cycle = schedule.current(now)
    if not await meetings.held_for(session, team, cycle.period.start, ended=True):
        return cycle
    return schedule.next_held(schedule.following(cycle))


async def reported_ids(session: AsyncSession, team: Team, period_start: date) -> set[int]:
    """Members with any answer for the period («нет данных» is an answer too)."""
    query = (
        select(Answer.member_id)
        .join(Member, Member.id == Answer.member_id)
        .where(Member.team_id == team.id, Answer.period_start == period_start)
        .distinct()
    )
    return set(await session.scalars(query))


async def collect(
    session: AsyncSession, team: Team, cycle: rhythm.Cycle, now: datetime
) -> AgendaData:
    members = [m for m in await teams.members(session, team) if m.role_codes]
    cadence = rhythm.cadence_of(team, cycle.period)
    periods = kpi.periods_back(cycle.period, HISTORY_PERIODS, cadence, team.anchor_date)
    history = await kpi_data.history(session, team, members, periods)
    plans = await kpi_data.targets_in_force(session, team, cycle.period)
    role_plans = {c: target_rows.pick(plans, role_code=c) for m in members for c in m.role_codes}
    summary = kpi.team_summary(history[-1], history[-2], target_rows.pick(plans), role_plans)
    anomalies = kpi.detect_team_anomalies(history, ANOMALY_THRESHOLD)
    meeting_day = team_now(cycle.meeting_at, team.timezone).date()
    away_ids = await meetings.away_member_ids(session, team, meeting_day)
    reported = await reported_ids(session, team, cycle.period.start)
    last = await meetings.last_ended(session, team)
    last_tasks = await task_service.of_meeting(session, last.id) if last else []
    owners = await task_service.members_by_id(session, last_tasks)
    last_ids = {t.id for t in last_tasks}
    other_open = [
        t for t in await task_service.open_for_team(session, team) if t.id not in last_ids
    ]
    return AgendaData(
        cycle=cycle,
        summary=summary,
        anomalies=anomalies,
        last_tasks=[TaskState(t, owners[t.owner_member_id]) for t in last_tasks],
        other_open=other_open,
        not_reported=[m for m in members if m.id not in reported and m.id not in away_ids],
        away=[m for m in members if m.id in away_ids],
        today=team_now(now, team.timezone).date(),
        collected=cycle.opens_at <= now,
    )
