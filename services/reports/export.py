"""What /export covers: a typed range of dates, the periods in it, the answers given for them
(views/export.py writes the file)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import Period
from models.tables import Answer, Team
from services.common.errors import UserError
from services.team import rhythm

DEFAULT_PERIODS = 12
MAX_DAYS = 3 * 366
DAY = r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?"
RANGE = re.compile(rf"^{DAY}\s*(?:[-–—‒−]+|\.\.|…)\s*{DAY}$")
ISO_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|…|–|—|\s)\s*(\d{4}-\d{2}-\d{2})$")


def _day(dd: str, mm: str, yy: str | None, year: int) -> date:
    if yy is not None:
        year = int(yy) + (2000 if len(yy) == 2 else 0)
    return date(year, int(mm), int(dd))


def parse_range(text: str, today: date) -> tuple[date, date]:
    """«01.09–30.11», «01.09.2026–30.11.2026», «2026-09-01..2026-11-30». Without a year the
    end is in this year unless that is more than half a year ahead (then last year's), and the
    start is the latest such day not after the end."""
    value = " ".join(text.split())
    try:
        iso = ISO_RANGE.match(value)
        match = RANGE.match(value)
        if iso:
            start, end = date.fromisoformat(iso[1]), date.fromisoformat(iso[2])
        elif match:
            d1, m1, y1, d2, m2, y2 = match.groups()
            end = _day(d2, m2, y2, today.year)
            if y2 is None and (end - today).days > 183:
                end = end.replace(year=end.year - 1)
            start = _day(d1, m1, y1, end.year)
            if y1 is None and start > end:
                start = start.replace(year=start.year - 1)
        else:
            raise ValueError(value)
    except ValueError:
        raise UserError("export.error.date", value=value) from None
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
