"""The post log: a scheduled post goes out once per team, kind and period — across restarts
and replicas. Whoever inserts the row first (the claim) sends the post and marks it done; a
claim left undone longer than the lease (the poster died between claiming and sending) can be
claimed again, by one caller only (a conditional UPDATE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import upsert_insert
from models.tables import PostLog

LEASE = timedelta(minutes=10)


def _row(team_id: int, kind: str, period_key: str) -> tuple:
    return (PostLog.team_id == team_id, PostLog.kind == kind, PostLog.period_key == period_key)


async def posted(
    session: AsyncSession, team_id: int, kind: str, period_key: str, *, now: datetime
) -> bool:
    """Done, or claimed by someone within the lease."""
    query = select(PostLog.id).where(
        *_row(team_id, kind, period_key),
        or_(PostLog.done.is_(True), PostLog.posted_at > now - LEASE),
    )
    return await session.scalar(query) is not None


async def claim(
    session: AsyncSession,
    team_id: int,
    kind: str,
    period_key: str,
    *,
    now: datetime,
    late: bool = False,
) -> PostLog | None:
    """The log row if this caller won the claim (committed, not done yet), else None."""
    inserted = await session.execute(
        upsert_insert(session, PostLog)
        .values(
            team_id=team_id, kind=kind, period_key=period_key, posted_at=now, late=late, done=False
        )
        .on_conflict_do_nothing(index_elements=["team_id", "kind", "period_key"])
    )
    await session.commit()
    if inserted.rowcount == 1:
        return await session.scalar(select(PostLog).where(*_row(team_id, kind, period_key)))
    retaken = await session.execute(
        update(PostLog)
        .where(
            *_row(team_id, kind, period_key),
            PostLog.done.is_(False),
            PostLog.posted_at <= now - LEASE,
        )
        .values(posted_at=now, late=True)
    )
    await session.commit()
    if retaken.rowcount != 1:
        return None
    return await session.scalar(select(PostLog).where(*_row(team_id, kind, period_key)))


@asynccontextmanager
async def claimed(
    session: AsyncSession,
    team_id: int,
    kind: str,
    period_key: str,
    *,
    now: datetime,
    late: bool = False,
) -> AsyncIterator[PostLog | None]:
    """Claim, let the caller post, mark done. Yields None when someone else has it. If the
    body raises, the claim stays undone and is retried after the lease."""
    row = await claim(session, team_id, kind, period_key, now=now, late=late)
    yield row
    if row is not None:
        row.done = True
        await session.commit()


async def record(
    session: AsyncSession,
    team_id: int,
    kind: str,
    period_key: str,
    *,
    now: datetime,
    late: bool = False,
) -> None:
    """Notes that something happened for the period (whose per-member progress lives
    elsewhere, e.g. check-ins), once; a second record is a no-op."""
    if await posted(session, team_id, kind, period_key, now=now):
        return
    row = await claim(session, team_id, kind, period_key, now=now, late=late)
    if row is not None:
        row.done = True
        await session.commit()
