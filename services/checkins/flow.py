"""KPI check-ins: a team's collection for a period and each member's way through their questions.

The question flow is a state machine in the database (a `checkins` row), not in memory:
`position` indexes the member's questions (kpi.inputs_for_roles of their roles); a doubtful
value waits in pending_input/pending_value until the member confirms it. States:

- pending: not asked yet (the member can't be reached, or another team's questions come first);
- in_progress: asking the question at `position`;
- editing: correcting one answer from the card, then back to done;
- done: every question answered (a value or «нет данных»).

Each change is committed before the member is told, with a compare-and-set on the state it
was made from, so a restart (even kill -9) continues at the same question and two updates
racing for one question store one value. Answers are unique per member, period and input and
are updated in place; an answer given after the collection's deadline is marked late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
import kpi.parsing
from kpi.errors import InputError
from models.db import upsert_insert
from models.tables import Answer, Checkin, Collection, Member, Team, User
from services.checkins import sanity as checkin_sanity
from services.checkins.sanity import Doubt
from services.team import availability, rhythm, schedule

PENDING, ASKING, EDITING, DONE = "pending", "in_progress", "editing", "done"
# question_message_id while the planner sends a member's intro and first question: DELIVERING,
# then minus the intro's message id once the intro is out. Ticks run one at a time
# (jobs/loop.py), so a check-in found so when a tick starts was being asked by a replica
# that died: jobs/checkins.py sends what is missing.
DELIVERING = 0
OPEN = (ASKING, EDITING)
HISTORY_DAYS = 400


@dataclass
class Flow:
    """One member's check-in for one period, with what it needs to ask and check answers."""

    team: Team
    member: Member
    collection: Collection
    checkin: Checkin
    inputs: tuple[kpi.Input, ...]
    answers: dict[str, Answer]
    history: dict[str, list[Decimal]] = field(default_factory=dict)  # newest first, no None

    @property
    def period(self) -> kpi.Period:
        return kpi.Period(self.collection.period_start, self.collection.period_end)

    @property
    def total(self) -> int:
        return len(self.inputs)

    @property
    def position(self) -> int:
        return min(self.checkin.position, max(self.total - 1, 0))

    @property
    def current(self) -> kpi.Input | None:
        if self.checkin.state not in OPEN or not self.inputs:
            return None
        return self.inputs[self.position]

    @property
    def answered(self) -> int:
        return sum(1 for i in self.inputs if i.code in self.answers)

    def value(self, code: str) -> Decimal | None:
        answer = self.answers.get(code)
        return None if answer is None else answer.value

    def last_value(self, code: str) -> Decimal | None:
        """The member's latest earlier value of this input («в прошлый раз»)."""
        values = self.history.get(code)
        return values[0] if values else None

    def values(self) -> dict[str, Decimal | None]:
        return {code: a.value for code, a in self.answers.items()}

    def is_late(self, now: datetime) -> bool:
        return now > self.collection.deadline_at


@dataclass(frozen=True)
class Outcome:
    """What the member is shown next: ask (the current question), card (done), check (confirm a
    doubtful value), invalid (the reason, then the same question), stale (a button of a
    question already left behind)."""

    step: str
    error: kpi.InputError | None = None
    doubt: Doubt | None = None
    saved: str | None = None
    late: bool = False


# ----------------------------------------------------------------------------- helpers
def inputs_of(member: Member) -> tuple[kpi.Input, ...]:
    codes = [c for c in member.role_codes if _known_role(c)]
    return kpi.inputs_for_roles(codes)


def _known_role(code: str) -> bool:
    try:
        kpi.role(code)
    except KeyError:
        return False
    return True


async def holidays_of(session: AsyncSession, team: Team) -> set[date]:
    return set(await availability.holidays(session, team))


async def cycle_now(session: AsyncSession, team: Team, now: datetime) -> rhythm.Cycle:
    """The cycle members report on now (the open collection's as it was opened)."""
    return (await schedule.schedule_of(session, team)).current(now)


def _latest_collection(query: Select) -> Select:
    """The query's check-ins joined to their collection, kept only when it is their team's
    latest one (a check-in of the current period always is)."""
    latest = (
        select(func.max(Collection.period_start))
        .where(Collection.team_id == Member.team_id)
        .correlate(Member)
        .scalar_subquery()
    )
    return query.add_columns(Collection).join(
        Collection,
        and_(
            Collection.team_id == Member.team_id,
            Collection.period_start == Checkin.period_start,
            Collection.period_start == latest,
        ),
    )


async def _is_current(session: AsyncSession, team: Team, latest: Collection, now: datetime) -> bool:
    """Whether the team's latest collection is still the current one."""
    cycle = (await schedule.schedule_of(session, team, latest)).current(now)
    return cycle.period.start == latest.period_start


async def next_cycle(session: AsyncSession, team: Team, now: datetime) -> rhythm.Cycle:
    """The first cycle whose collection opens after `now` (skipped ones passed over)."""
    return (await schedule.schedule_of(session, team)).upcoming(now)


# ----------------------------------------------------------------------------- collection
async def ensure_collection(
    session: AsyncSession, team: Team, cycle: rhythm.Cycle, now: datetime
) -> Collection:
    """The team's collection for the cycle's period, created if missing (flushed, not committed)."""
    statement = (
        upsert_insert(session, Collection)
        .values(
            team_id=team.id,
            period_start=cycle.period.start,
            period_end=cycle.period.end,
            opened_at=now,
            deadline_at=cycle.deadline_at,
            opens_at=cycle.opens_at,
            reminder_at=cycle.reminder_at,
            agenda_at=cycle.agenda_at,
            meeting_at=cycle.meeting_at,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "period_start"])
    )
    await session.execute(statement)
    return await session.scalar(
        select(Collection).where(
            Collection.team_id == team.id, Collection.period_start == cycle.period.start
        )
    )


async def collection_of(session: AsyncSession, team: Team, start: date) -> Collection | None:
    return await session.scalar(
        select(Collection).where(Collection.team_id == team.id, Collection.period_start == start)
    )


async def ensure_checkin(
    session: AsyncSession, member: Member, collection: Collection, now: datetime
) -> tuple[Checkin, bool]:
    """The member's check-in for the period and whether this call created it."""
    statement = (
        upsert_insert(session, Checkin)
        .values(
            member_id=member.id,
            period_start=collection.period_start,
            state=PENDING,
            position=0,
            reminded=False,
            opened_at=now,
        )
        .on_conflict_do_nothing(index_elements=["member_id", "period_start"])
    )
    result = await session.execute(statement)
    checkin = await session.scalar(
        select(Checkin)
        .where(Checkin.member_id == member.id, Checkin.period_start == collection.period_start)
        .execution_options(populate_existing=True)
    )
    return checkin, result.rowcount == 1


async def checkins_of(
    session: AsyncSession, member_ids: Sequence[int], start: date
) -> dict[int, Checkin]:
    if not member_ids:
        return {}
    rows = await session.scalars(
        select(Checkin).where(
            Checkin.member_id.in_(list(member_ids)), Checkin.period_start == start
        )
    )
    return {c.member_id: c for c in rows}


# ----------------------------------------------------------------------------- flows
async def load_flow(session: AsyncSession, checkin: Checkin) -> Flow | None:
    member = await session.get(Member, checkin.member_id)
    if member is None:
        return None
    team = await session.get(Team, member.team_id)
    collection = await collection_of(session, team, checkin.period_start)
    if collection is None:
        return None
    answers = {
        a.input_code: a
        for a in await session.scalars(
            select(Answer)
            .where(Answer.member_id == member.id, Answer.period_start == checkin.period_start)
            .execution_options(populate_existing=True)
        )
    }
    history: dict[str, list[Decimal]] = defaultdict(list)
    earlier = await session.execute(
        select(Answer.input_code, Answer.value)
        .where(
            Answer.member_id == member.id,
            Answer.period_start < checkin.period_start,
            Answer.period_start >= checkin.period_start - timedelta(days=HISTORY_DAYS),
            Answer.value.is_not(None),
        )
        .order_by(Answer.period_start.desc())
    )
    for code, value in earlier:
        history[code].append(value)
    return Flow(team, member, collection, checkin, inputs_of(member), answers, dict(history))


async def flow_by_id(session: AsyncSession, checkin_id: int) -> Flow | None:
    checkin = await session.get(Checkin, checkin_id, populate_existing=True)
    return None if checkin is None else await load_flow(session, checkin)


async def reload(session: AsyncSession, flow: Flow) -> Flow:
    await session.refresh(flow.checkin)
    return await load_flow(session, flow.checkin) or flow


async def open_flow(session: AsyncSession, user: User, now: datetime) -> Flow | None:
    """The check-in a text from this user answers: one being asked (or corrected) for the
    current period of one of their teams, the team they last chose first."""
    query = _latest_collection(
        select(Checkin, Member)
        .join(Member, Member.id == Checkin.member_id)
        .where(Member.user_id == user.id, Member.active.is_(True), Checkin.state.in_(OPEN))
        .order_by(Checkin.opened_at.desc(), Checkin.id.desc())
    )
    candidates = []
    for checkin, member, latest in await session.execute(query):
        team = await session.get(Team, member.team_id)
        if await _is_current(session, team, latest, now):
            candidates.append((checkin, team.id))
    if not candidates:
        return None
    chosen = next((c for c, team_id in candidates if team_id == user.active_team_id), None)
    return await load_flow(session, chosen or candidates[0][0])


async def start(
    session: AsyncSession, team: Team, member: Member, now: datetime
) -> tuple[rhythm.Cycle, Flow | None, bool]:
    """/report: the member's check-in for the team's current period, opened on demand (a
    pending one starts being asked), and whether it is new to the member. No flow when the
    period is skipped or the member has nothing to answer."""
    cycle = await cycle_now(session, team, now)
    if cycle.skipped or not inputs_of(member):
        return cycle, None, False
    collection = await ensure_collection(session, team, cycle, now)
    checkin, created = await ensure_checkin(session, member, collection, now)
    fresh = created or checkin.state == PENDING
    if checkin.state == PENDING:
        checkin.state = ASKING
        checkin.question_message_id = None
    await session.commit()
    return cycle, await load_flow(session, checkin), fresh


async def other_open_flow(session: AsyncSession, flow: Flow, now: datetime) -> Flow | None:
    """The same person's check-in being asked in another team, if any (asked first)."""
    user = flow.member.user
    found = await open_flow(session, user, now)
    if found is None or found.checkin.id == flow.checkin.id:
        return None
    return found


async def unfinished_elsewhere(session: AsyncSession, flow: Flow, now: datetime) -> list[Team]:
    """The person's other teams whose current check-in they haven't finished."""
    query = _latest_collection(
        select(Checkin, Member)
        .join(Member, Member.id == Checkin.member_id)
        .where(
            Member.user_id == flow.member.user_id,
            Member.active.is_(True),
            Member.id != flow.member.id,
            Checkin.state != DONE,
        )
    )
    found = []
    for _checkin, member, latest in await session.execute(query):
        team = await session.get(Team, member.team_id)
        if await _is_current(session, team, latest, now):
            found.append(team)
    return found


# ----------------------------------------------------------------------------- transitions
async def _move(session: AsyncSession, flow: Flow, **changes: Any) -> bool:
    """Compare-and-set the check-in from the state the flow was loaded in (flushed)."""
    c = flow.checkin
    pending = (
        Checkin.pending_input.is_(None)
        if c.pending_input is None
        else Checkin.pending_input == c.pending_input
    )
    result = await session.execute(
        update(Checkin)
        .where(
            and_(Checkin.id == c.id, Checkin.state == c.state, Checkin.position == c.position),
            pending,
        )
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    for name, value in changes.items():
        setattr(c, name, value)
    return True


def _next_position(flow: Flow, after: int, answered: set[str]) -> int | None:
    codes = [i.code for i in flow.inputs]
    for index in [*range(after + 1, len(codes)), *range(0, after + 1)]:
        if codes[index] not in answered:
            return index
    return None


def storable(value: Decimal | None) -> bool:
    """A value the answers table may hold: «нет данных» or a finite, sane decimal."""
    return value is None or (value.is_finite() and abs(value) <= kpi.parsing.MAX_ABS)


def offered_value(input_code: str, text: str) -> Decimal | None:
    """A number carried by a button, if it is finite and the question allows it."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not storable(value):
        return None
    try:
        kpi.parsing.validate(input_code, value)
    except (InputError, KeyError):
        return None
    return value


async def _save(session: AsyncSession, flow: Flow, value: Decimal | None, now: datetime) -> Outcome:
    """The one write path for answers."""
    current = flow.current
    if current is None or not storable(value):
        return Outcome("stale")
    answered = set(flow.answers) | {current.code}
    next_index = (
        None if flow.checkin.state == EDITING else _next_position(flow, flow.position, answered)
    )
    changes: dict[str, Any] = {
        "pending_input": None,
        "pending_value": None,
        "question_message_id": None,
    }
    if next_index is None:
        changes |= {"state": DONE, "finished_at": now}
    else:
        changes |= {"position": next_index}
    if not await _move(session, flow, **changes):
        return Outcome("stale")
    late = flow.is_late(now)
    statement = upsert_insert(session, Answer).values(
        member_id=flow.member.id,
        period_start=flow.collection.period_start,
        input_code=current.code,
        value=value,
        late=late,
        answered_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["member_id", "period_start", "input_code"],
        set_={"value": statement.excluded.value, "late": late, "answered_at": now},
    )
    await session.execute(statement)
    await session.commit()
    fresh = await reload(session, flow)
    flow.answers, flow.checkin = fresh.answers, fresh.checkin
    return Outcome("card" if next_index is None else "ask", saved=current.code, late=late)


async def answer_text(
    session: AsyncSession, flow: Flow, text: str, locale: str, now: datetime
) -> Outcome:
    """A typed answer to the current question: refused with the reason, held for confirmation,
    or saved. Nothing is stored for a refused answer."""
    current = flow.current
    if current is None:
        return Outcome("stale")
    try:
        value = kpi.parse_input(current.code, text, locale)
    except kpi.InputError as error:
        return Outcome("invalid", error=error)
    c = flow.checkin
    if c.pending_input == current.code and c.pending_value == value:
        return await _save(session, flow, value, now)
    return await answer_value(session, flow, value, now)


async def answer_value(
    session: AsyncSession, flow: Flow, value: Decimal | None, now: datetime, *, check: bool = True
) -> Outcome:
    """A value for the current question (typed, «как в прошлый раз», «нет данных», or a
    confirmed one with check=False)."""
    current = flow.current
    if current is None or not storable(value):
        return Outcome("stale")
    if check:
        doubt = checkin_sanity.check(
            current.code,
            value,
            flow.history.get(current.code, []),
            flow.values(),
            [c for c in flow.member.role_codes if _known_role(c)],
        )
        if doubt is not None:
            if not await _move(session, flow, pending_input=current.code, pending_value=value):
                return Outcome("stale")
            await session.commit()
            return Outcome("check", doubt=doubt)
    return await _save(session, flow, value, now)


async def confirm(session: AsyncSession, flow: Flow, now: datetime) -> Outcome:
    """The member confirms the value held for the current question."""
    c = flow.checkin
    if flow.current is None or c.pending_input != flow.current.code:
        return Outcome("stale")
    return await _save(session, flow, c.pending_value, now)


async def retype(session: AsyncSession, flow: Flow) -> Outcome:
    """Drop the held value; the same question is asked again."""
    if flow.current is None:
        return Outcome("stale")
    if not await _move(session, flow, pending_input=None, pending_value=None):
        return Outcome("stale")
    await session.commit()
    return Outcome("ask")


async def back(session: AsyncSession, flow: Flow) -> Outcome:
    """«Назад»: the previous question (in correction mode: back to the card)."""
    if flow.current is None:
        return Outcome("stale")
    cleared = {"pending_input": None, "pending_value": None, "question_message_id": None}
    if flow.checkin.state == EDITING:
        moved = await _move(session, flow, state=DONE, **cleared)
        step = "card"
    else:
        moved = await _move(session, flow, position=max(flow.position - 1, 0), **cleared)
        step = "ask"
    if not moved:
        return Outcome("stale")
    await session.commit()
    return Outcome(step)


async def edit(session: AsyncSession, flow: Flow, index: int) -> Outcome:
    """A card button: correct the answer at `index`, then come back to the card."""
    if flow.checkin.state != DONE or not 0 <= index < flow.total:
        return Outcome("stale")
    changes = {"state": EDITING, "position": index, "question_message_id": None}
    if not await _move(session, flow, pending_input=None, pending_value=None, **changes):
        return Outcome("stale")
    await session.commit()
    return Outcome("ask")


async def mark_asked(session: AsyncSession, flow: Flow, message_id: int | None) -> None:
    """Remember the message that asks the current question (committed)."""
    await session.execute(
        update(Checkin)
        .where(Checkin.id == flow.checkin.id)
        .values(question_message_id=message_id)
        .execution_options(synchronize_session=False)
    )
    flow.checkin.question_message_id = message_id
    await session.commit()


async def activate(session: AsyncSession, flow: Flow) -> bool:
    """A pending check-in starts being asked (committed); False if it already had."""
    if flow.checkin.state != PENDING:
        return False
    if not await _move(session, flow, state=ASKING, question_message_id=DELIVERING):
        return False
    await session.commit()
    return True


# ----------------------------------------------------------------------------- card
@dataclass(frozen=True)
class RoleCard:
    role: kpi.Role
    lines: list[kpi.KpiLine]


async def card(session: AsyncSession, flow: Flow) -> list[RoleCard]:
    """The member's KPIs for the period by role, with the change against the period before."""
    from services.common import kpi_data

    cadence = rhythm.cadence_of(flow.team, flow.period)
    previous = kpi.previous_period(flow.period, cadence, flow.team.anchor_date)
    answers = await kpi_data.answers_by_member(
        session, flow.team, [flow.period.start, previous.start]
    )
    current = answers.get(flow.period.start, {}).get(flow.member.id, {})
    before = answers.get(previous.start, {}).get(flow.member.id)
    from services.reports import targets as target_rows

    rows = await kpi_data.targets_in_force(session, flow.team, flow.period)
    cards = []
    for code in flow.member.role_codes:
        if not _known_role(code):
            continue
        role = kpi.role(code)
        plans = target_rows.pick(rows, member_id=flow.member.id, role_code=code)
        cards.append(RoleCard(role, kpi.summarize(role.kpis, current, before, plans)))
    return cards
