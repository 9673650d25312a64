"""Stored answers and targets, loaded into the shapes kpi/ computes on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kpi import MemberInputs, Period
from models.tables import Answer, Member, Target, Team


async def answers_by_member(
    session: AsyncSession, team: Team, starts: Sequence[date]
) -> dict[date, dict[int, dict[str, Decimal]]]:
    """period start → member id → input code → value ("no data" answers are left out)."""
    query = (
        select(Answer.period_start, Answer.member_id, Answer.input_code, Answer.value)
        .join(Member, Member.id == Answer.member_id)
        .where(Member.team_id == team.id, Answer.period_start.in_(list(starts)))
    )
    result: dict[date, dict[int, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for start, member_id, code, value in await session.execute(query):
        if value is not None:
            result[start][member_id][code] = value
    return result


async def history(
    session: AsyncSession, team: Team, members: Sequence[Member], periods: Sequence[Period]
) -> list[list[MemberInputs]]:
    """Each member's inputs for each period (empty when no answers), oldest first, in one query."""
    answers = await answers_by_member(session, team, [p.start for p in periods])
    return [
        [
            MemberInputs(
                member_id=m.id,
                role_codes=m.role_codes,
                inputs=dict(answers.get(p.start, {}).get(m.id, {})),
            )
            for m in members
        ]
        for p in periods
    ]


async def targets_in_force(session: AsyncSession, team: Team, period: Period) -> list[Target]:
    """Every target row of the team in force for the period, oldest first: the one query of
    "the target in force" (services/reports/targets.pick chooses among them per scope)."""
    query = (
        select(Target)
        .where(
            Target.team_id == team.id,
            Target.valid_from <= period.start,
            or_(Target.valid_to.is_(None), Target.valid_to >= period.start),
        )
        .order_by(Target.id)
    )
    return list(await session.scalars(query))


async def targets(
    session: AsyncSession, team: Team, period: Period, member_id: int | None = None
) -> dict[str, Decimal]:
    """KPI code → plan value in force for the period; a member's own target beats the team's,
    a one-period target beats an open-ended one, a newer one beats an older one."""
    rows = [
        row
        for row in await targets_in_force(session, team, period)
        if row.member_id is None or row.member_id == member_id
    ]
    rows.sort(key=lambda t: (t.member_id is not None, t.valid_to is not None, t.created_at, t.id))
    return {row.kpi_code: row.value for row in rows}
