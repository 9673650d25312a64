"""The team's schedule as members were told it: the collections already opened keep their
period and moments (rhythm.Schedule); what comes after follows the current settings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Collection, Holiday, Team
from services.team import rhythm

KEPT = 3  # the open collection and the two before it (the previous cycle's digest, history)


async def schedule_of(
    session: AsyncSession, team: Team, latest: Collection | None = None
) -> rhythm.Schedule:
    """The team's schedule; given its `latest` collection (already read), only that one is
    kept: enough to say what is current and what comes next."""
    holidays = frozenset(
        await session.scalars(select(Holiday.day).where(Holiday.team_id == team.id))
    )
    if latest is not None:
        return rhythm.Schedule(team, holidays, (rhythm.kept_cycle(team, latest, holidays),))
    rows = list(
        await session.scalars(
            select(Collection)
            .where(Collection.team_id == team.id)
            .order_by(Collection.period_start.desc())
            .limit(KEPT)
        )
    )
    kept = tuple(rhythm.kept_cycle(team, row, holidays) for row in reversed(rows))
    return rhythm.Schedule(team, holidays, kept)


async def open_collection(session: AsyncSession, team: Team) -> Collection | None:
    """The team's latest opened collection (the one members report on until the next opens)."""
    return await session.scalar(
        select(Collection)
        .where(Collection.team_id == team.id)
        .order_by(Collection.period_start.desc())
        .limit(1)
    )
