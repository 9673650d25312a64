"""The post log's claim: once per team, kind and period; a dead poster's claim is retaken."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from models.db import session_maker
from models.tables import PostLog, Team
from services.common import postlog

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)


async def make_team(session) -> int:
    team = Team(chat_id=-1, title="T", anchor_date=date(2026, 11, 2), join_token="tok")
    session.add(team)
    await session.commit()
    return team.id


async def test_only_one_of_many_concurrent_claims_wins(engine):
    maker = session_maker(engine)
    async with maker() as session:
        team_id = await make_team(session)

    async def attempt() -> bool:
        async with maker() as session:
            return (
                await postlog.claim(session, team_id, "digest", "2026-11-16", now=NOW) is not None
            )

    results = await asyncio.gather(*(attempt() for _ in range(8)))
    assert results.count(True) == 1


async def test_done_claims_stay_posted_and_undone_ones_are_retaken_after_the_lease(session):
    team_id = await make_team(session)
    async with postlog.claimed(session, team_id, "digest", "w1", now=NOW) as row:
        assert row is not None
    assert await postlog.posted(session, team_id, "digest", "w1", now=NOW + timedelta(days=30))

    crashed = await postlog.claim(session, team_id, "digest", "w2", now=NOW)
    assert crashed is not None and not crashed.done  # the poster dies here
    within = NOW + postlog.LEASE - timedelta(seconds=1)
    assert await postlog.posted(session, team_id, "digest", "w2", now=within)
    assert await postlog.claim(session, team_id, "digest", "w2", now=within) is None

    after = NOW + postlog.LEASE + timedelta(seconds=1)
    assert not await postlog.posted(session, team_id, "digest", "w2", now=after)
    retaken = await postlog.claim(session, team_id, "digest", "w2", now=after)
    assert retaken is not None and retaken.late
    assert await postlog.claim(session, team_id, "digest", "w2", now=after) is None
    rows = (await session.scalars(select(PostLog).where(PostLog.period_key == "w2"))).all()
    assert len(rows) == 1


async def test_a_failing_body_leaves_the_claim_undone(session):
    team_id = await make_team(session)
    try:
        async with postlog.claimed(session, team_id, "agenda", "w1", now=NOW):
            raise RuntimeError("the process dies while posting")
    except RuntimeError:
        pass
    row = await session.scalar(select(PostLog).where(PostLog.kind == "agenda"))
    assert row is not None and not row.done


async def test_record_is_idempotent(session):
    team_id = await make_team(session)
    for _ in range(3):
        await postlog.record(session, team_id, "collection_open", "w1", now=NOW)
    rows = (await session.scalars(select(PostLog))).all()
    assert len(rows) == 1 and rows[0].done
