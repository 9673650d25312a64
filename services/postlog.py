"""The post log: a scheduled post is claimed once per team, kind and period — across restarts
and replicas — by inserting its row; whoever inserts it first sends it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import PostLog


async def claim(
    session: AsyncSession, team_id: int, kind: str, period_key: str, *, late: bool = False
) -> PostLog | None:
    """The new log row if this caller won the claim (committed), else None."""
    row = PostLog(team_id=team_id, kind=kind, period_key=period_key, late=late)
    session.add(row)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return None
    return row


async def posted(session: AsyncSession, team_id: int, kind: str, period_key: str) -> bool:
    query = select(PostLog.id).where(
        PostLog.team_id == team_id, PostLog.kind == kind, PostLog.period_key == period_key
    )
    return await session.scalar(query) is not None
