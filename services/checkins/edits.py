"""Edited answers: the member edits the private message that typed an answer, and the stored
answer follows while its period is still the team's current one (finding 13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Answer, Member, Team
from services.checkins import flow as checkins


@dataclass(frozen=True)
class Typed:
    """The answer a message typed, with whose and which team's it is."""

    answer: Answer
    member: Member
    team: Team


async def answer_of_message(session: AsyncSession, user_id: int, message_id: int) -> Typed | None:
    """The answer still stored from this private message of this person, if any (an answer
    given again since, by a button or another message, no longer belongs to it)."""
    row = (
        await session.execute(
            select(Answer, Member)
            .join(Member, Member.id == Answer.member_id)
            .where(Member.user_id == user_id, Answer.message_id == message_id)
            .order_by(Answer.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    answer, member = row
    team = await session.get_one(Team, member.team_id)
    return Typed(answer, member, team)


async def still_open(session: AsyncSession, typed: Typed, now: datetime) -> bool:
    """An answer can be corrected while its period is the team's current one and the person
    is still in the team."""
    if not typed.member.active:
        return False
    cycle = await checkins.cycle_now(session, typed.team, now)
    return cycle.period.start == typed.answer.period_start


async def correct(session: AsyncSession, typed: Typed, value: Decimal, now: datetime) -> bool:
    """Store the corrected value (committed); False if the answer changed meanwhile or the
    value can't be stored."""
    answer = typed.answer
    if not checkins.storable(value):
        return False
    collection = await checkins.collection_of(session, typed.team, answer.period_start)
    late = answer.late or (collection is not None and now > collection.deadline_at)
    result = await session.execute(
        update(Answer)
        .where(Answer.id == answer.id, Answer.message_id == answer.message_id)
        .values(value=value, late=late, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return result.rowcount == 1
