"""What /export covers: a typed range of dates, the periods in it, the answers given for them
(views/export.py writes the file)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import Period
from models.tables import Answer, Team
from services.common import dates
from services.common.errors import UserError
from services.team import rhythm

DEFAULT_PERIODS = 12
MAX_DAYS = 3 * 366


def parse_range(text: str, today: date) -> tuple[date, date]:
    """«01.09–30.11», «01.09.2026–30.11.2026», «2026-09-01..2026-11-30». A missing year:
    services/common/dates.read_range, looking back."""
    value = " ".join(text.split())
    try:
        found = dates.read_range(value, today, ahead=False)
    except ValueError:
        found = None
    if found is None:
        raise UserError("export.error.date", value=value)
    start, end = found
    if start > end:
        raise UserError("export.error.backwards", value=value)
    if start > today:
        raise UserError("export.error.future", value=value)
    if (end - start).days > MAX_DAYS:
        raise UserError("export.error.too_long", days=MAX_DAYS)
    return start, end


def periods_between(team: Team, start: date, end: date) -> list[Period]:
    """The team's periods overlapping [start, end], oldest first."""
    cadence = rhythm.cadence(team)
    period = rhythm.period_of(team, start)
    out = []
    while period.start <= end:
        out.append(period)
        period = kpi.next_period(period, cadence, team.anchor_date)
    return out


def last_periods(team: Team, period: Period, n: int = DEFAULT_PERIODS) -> list[Period]:
    return kpi.periods_back(period, n, rhythm.cadence(team), team.anchor_date)


async def answers(session: AsyncSession, member_ids: list[int], starts: list[date]) -> list[Answer]:
    """The members' answers for the periods starting on `starts`, oldest first."""
    return list(
        await session.scalars(
            select(Answer)
            .where(Answer.member_id.in_(member_ids), Answer.period_start.in_(starts))
            .order_by(Answer.period_start, Answer.member_id, Answer.id)
        )
    )
