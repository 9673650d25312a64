"""Who is away, and the team's holidays; the dates people type for them.

Dates and ranges are read by services/common/dates.py (24.11, 24.11.2026, «24.11–01.12»; a
date without a year is this year's unless that passed over half a year ago; a range that
crosses New Year gets the end's year right).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Away, Holiday, Member, Team
from services.common import dates
from services.common.errors import UserError

MAX_AWAY_DAYS = 366
MAX_HOLIDAY_DAYS = 31


def parse_range(text: str, today: date) -> tuple[date, date]:
    """(start, end) of a typed date or range; refused if malformed, backwards or past."""
    value = " ".join(text.split())
    try:
        found = dates.read_range(value, today, ahead=True)
    except ValueError:
        raise UserError("away.error.date", value=value) from None
    if found is None:
        raise UserError("away.error.format", value=value)
    start, end = found
    if end < start:
        raise UserError("away.error.order", start=start, end=end)
    if end < today:
        raise UserError("away.error.past", end=end)
    if (end - start).days >= MAX_AWAY_DAYS:
        raise UserError("away.error.too_long", days=MAX_AWAY_DAYS)
    return start, end


def days_in(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# ----------------------------------------------------------------------------- away
async def add_away(
    session: AsyncSession, members: Iterable[Member], start: date, end: date, set_by: int
) -> list[Away]:
    rows = [Away(member_id=m.id, start=start, end=end, set_by=set_by) for m in members]
    session.add_all(rows)
    await session.flush()
    return rows


async def cancel_away(session: AsyncSession, members: Iterable[Member], today: date) -> int:
    """Ends every current or future away range of these members before today; how many."""
    ids = [m.id for m in members]
    rows = list(
        await session.scalars(select(Away).where(Away.member_id.in_(ids), Away.end >= today))
    )
    for row in rows:
        if row.start < today:
            row.end = today - timedelta(days=1)
        else:
            await session.delete(row)
    await session.flush()
    return len(rows)


async def aways(
    session: AsyncSession, member_ids: Sequence[int], since: date
) -> dict[int, list[Away]]:
    """Member id → their away ranges that end on or after `since`, earliest first."""
    query = (
        select(Away)
        .where(Away.member_id.in_(list(member_ids)), Away.end >= since)
        .order_by(Away.start, Away.id)
    )
    result: dict[int, list[Away]] = defaultdict(list)
    for row in await session.scalars(query):
        result[row.member_id].append(row)
    return result


def away_range(ranges: Iterable[Away], first: date, last: date | None = None) -> Away | None:
    """The range covering any day of first..last (or the day `first`), if there is one."""
    last = first if last is None else last
    return next((r for r in ranges if r.start <= last and r.end >= first), None)


async def away_on(session: AsyncSession, member_ids: Sequence[int], day: date) -> dict[int, Away]:
    """Member id → the range that has them away on `day`."""
    found = await aways(session, member_ids, day)
    return {
        member_id: hit
        for member_id, ranges in found.items()
        if (hit := away_range(ranges, day)) is not None
    }


# ----------------------------------------------------------------------------- holidays
def parse_holidays(text: str, today: date) -> list[date]:
    start, end = parse_range(text, today)
    if (end - start).days >= MAX_HOLIDAY_DAYS:
        raise UserError("holiday.error.too_long", days=MAX_HOLIDAY_DAYS)
    return days_in(start, end)


async def add_holidays(session: AsyncSession, team: Team, days: Iterable[date]) -> list[date]:
    """Marks the days; returns those that weren't marked before."""
    have = set(await holidays(session, team))
    new = sorted(set(days) - have)
    session.add_all(Holiday(team_id=team.id, day=d) for d in new)
    await session.flush()
    return new


async def remove_holidays(session: AsyncSession, team: Team, days: Iterable[date]) -> list[date]:
    wanted = set(days)
    have = set(await holidays(session, team))
    gone = sorted(have & wanted)
    if gone:
        await session.execute(
            delete(Holiday).where(Holiday.team_id == team.id, Holiday.day.in_(gone))
        )
    return gone


async def holidays(session: AsyncSession, team: Team, since: date | None = None) -> list[date]:
    query = select(Holiday.day).where(Holiday.team_id == team.id).order_by(Holiday.day)
    if since is not None:
        query = query.where(Holiday.day >= since)
    return list(await session.scalars(query))
