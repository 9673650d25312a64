"""Where each member of a team stands in the current collection (for /status)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Answer, Away, Collection, Member, Team
from services.checkins import flow as checkins
from services.checkins.flow import DONE
from services.common.clock import team_today
from services.team import availability, rhythm, teams

ORDER = ("done", "in_progress", "not_started", "away", "unreachable")


@dataclass(frozen=True)
class MemberStatus:
    member: Member
    kind: str  # one of ORDER
    answered: int
    total: int
    late: bool = False
    away: Away | None = None


@dataclass(frozen=True)
class TeamStatus:
    cycle: rhythm.Cycle
    collection: Collection | None
    members: list[MemberStatus]

    def of(self, kind: str) -> list[MemberStatus]:
        return [m for m in self.members if m.kind == kind]


async def team_status(session: AsyncSession, team: Team, now: datetime) -> TeamStatus:
    cycle = await checkins.cycle_now(session, team, now)
    people = [m for m in await teams.members(session, team) if checkins.inputs_of(m)]
    ids = [m.id for m in people]
    collection = await checkins.collection_of(session, team, cycle.period.start)
    start = cycle.period.start
    found = await checkins.checkins_of(session, ids, start)
    counts: dict[int, tuple[int, bool]] = {}
    if ids:
        rows = await session.execute(
            select(Answer.member_id, Answer.input_code, Answer.late).where(
                Answer.member_id.in_(ids), Answer.period_start == start
            )
        )
        per_member: dict[int, list[tuple[str, bool]]] = {}
        for member_id, code, late in rows:
            per_member.setdefault(member_id, []).append((code, late))
        for member_id, answers in per_member.items():
            counts[member_id] = (len(answers), any(late for _, late in answers))
    today = team_today(now, team.timezone)
    opened = cycle.opens_at.astimezone(ZoneInfo(team.timezone)).date()
    ranges = await availability.aways(session, ids, min(today, opened))
    result = []
    for member in people:
        codes = {i.code for i in checkins.inputs_of(member)}
        checkin = found.get(member.id)
        answered, late = counts.get(member.id, (0, False))
        total = len(codes)
        away_now = availability.away_range(ranges.get(member.id, []), today)
        away_at_open = availability.away_range(ranges.get(member.id, []), opened, today)
        user = member.user
        if checkin is not None and checkin.state == DONE:
            kind = "done"
        elif away_now is not None or (checkin is None and away_at_open is not None):
            kind = "away"
        elif user.blocked or not user.started:
            kind = "unreachable"
        elif answered:
            kind = "in_progress"
        else:
            kind = "not_started"
        result.append(
            MemberStatus(
                member,
                kind,
                min(answered, total),
                total,
                late,
                away_now or away_at_open,
            )
        )
    result.sort(key=lambda s: (ORDER.index(s.kind), s.member.id))
    return TeamStatus(cycle, collection, result)
