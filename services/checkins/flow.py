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

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    Insert,
    Row,
    Select,
    String,
    Update,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

import kpi
import kpi.parsing
from kpi.errors import InputError
from models.db import upsert_insert
from models.tables import Answer, Checkin, Collection, Holiday, Member, Team, User
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


@dataclass(frozen=True)
class Stored:
    """An answer as a flow needs it: its value (None: «нет данных») and whether it was late."""

    value: Decimal | None
    late: bool = False


ANSWERS = Answer.__table__
CHECKINS = Checkin.__table__


@dataclass
class Flow:
    """One member's check-in for one period, with what it needs to ask and check answers."""

    team: Team
    member: Member
    collection: Collection
    checkin: Checkin
    inputs: tuple[kpi.Input, ...]
    answers: dict[str, Stored]
    history: dict[str, list[Decimal]] = field(default_factory=dict)  # newest first, no None
    holidays: frozenset[date] = frozenset()
    teams: int = 1  # how many teams the person is an active member of

    @property
    def many_teams(self) -> bool:
        return self.teams > 1

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


async def create_checkins(
    session: AsyncSession, members: Sequence[Member], collection: Collection, now: datetime
) -> dict[int, int]:
    """Pending check-ins for the period for those of `members` who have none, in one statement
    per 500: {member id: check-in id} of the ones this call created (flushed, not committed)."""
    created: dict[int, int] = {}
    for chunk in range(0, len(members), 500):
        rows = [
            {
                "member_id": m.id,
                "period_start": collection.period_start,
                "state": PENDING,
                "position": 0,
                "reminded": False,
                "opened_at": now,
            }
            for m in members[chunk : chunk + 500]
        ]
        statement = (
            upsert_insert(session, Checkin)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["member_id", "period_start"])
            .returning(Checkin.member_id, Checkin.id)
        )
        result = await session.execute(statement)
        created |= {member_id: checkin_id for member_id, checkin_id in result}
    return created


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
@functools.cache
def _flows() -> Select:
    """Check-ins with all a flow needs but its answers, in one statement: the member (with their
    user and roles), the team, its holidays, the collection, and how many teams the person is
    in. Each row: (Checkin, Member, Team, Collection | None, holidays as text, teams)."""
    holidays = (
        select(func.aggregate_strings(cast(Holiday.day, String), ","))
        .where(Holiday.team_id == Team.id)
        .correlate(Team)
        .scalar_subquery()
    )
    mine = aliased(Member)
    memberships = (
        select(func.count(mine.id))
        .where(mine.user_id == Member.user_id, mine.active.is_(True))
        .correlate(Member)
        .scalar_subquery()
    )
    return (
        select(Checkin, Member, Team, Collection, holidays, memberships)
        .join(Member, Member.id == Checkin.member_id)
        .join(Team, Team.id == Member.team_id)
        .outerjoin(
            Collection,
            and_(
                Collection.team_id == Member.team_id,
                Collection.period_start == Checkin.period_start,
            ),
        )
        .options(joinedload(Member.roles))
        .execution_options(populate_existing=True)
    )


def _holidays(text: str | None) -> frozenset[date]:
    if not text:
        return frozenset()
    return frozenset(date.fromisoformat(day[:10]) for day in text.split(","))


@functools.cache
def _answers_query(one: bool) -> Select:
    """The answers of members (`members`; `member` if `one`) from `first` to `last`, only the
    columns a flow needs (built once: bound parameters; one member needs no expanding IN)."""
    a = ANSWERS.c
    members = (
        a.member_id == bindparam("member")
        if one
        else a.member_id.in_(bindparam("members", expanding=True))
    )
    return (
        select(a.member_id, a.period_start, a.input_code, a.value, a.late)
        .where(
            members,
            a.period_start <= bindparam("last"),
            a.period_start >= bindparam("first"),
        )
        .order_by(a.period_start.desc())
    )


async def _flows_of(session: AsyncSession, rows: Sequence[Row]) -> list[Flow]:
    """The flows of _flows() rows (of one period), with the members' answers of the period
    and their values before it, read in one statement."""
    rows = [row for row in rows if row[3] is not None]  # no collection: no flow
    if not rows:
        return []
    starts = {row[0].period_start for row in rows}
    members = [row[1].id for row in rows]
    one = len(members) == 1
    found = await session.execute(
        _answers_query(one),
        {
            ("member" if one else "members"): members[0] if one else members,
            "last": max(starts),
            "first": min(starts) - timedelta(days=HISTORY_DAYS),
        },
    )
    answers: dict[int, dict[str, Stored]] = defaultdict(dict)
    history: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    start_of = {row[1].id: row[0].period_start for row in rows}
    for member_id, period_start, code, value, late in found:
        start = start_of[member_id]
        if period_start == start:
            answers[member_id][code] = Stored(value, bool(late))
        elif value is not None and start - timedelta(days=HISTORY_DAYS) <= period_start < start:
            history[member_id][code].append(value)
    return [
        Flow(
            team,
            member,
            collection,
            checkin,
            inputs_of(member),
            answers[member.id],
            dict(history[member.id]),
            holidays=_holidays(holidays),
            teams=memberships or 1,
        )
        for checkin, member, team, collection, holidays, memberships in rows
    ]


async def _flow_of(session: AsyncSession, row: Row) -> Flow | None:
    found = await _flows_of(session, [row])
    return found[0] if found else None


@functools.cache
def _flows_by_ids() -> Select:
    return _flows().where(Checkin.id.in_(bindparam("ids", expanding=True)))


async def flows_by_ids(session: AsyncSession, checkin_ids: Sequence[int]) -> dict[int, Flow]:
    """Many check-ins' flows in two statements (the opening of a collection)."""
    if not checkin_ids:
        return {}
    rows = (await session.execute(_flows_by_ids(), {"ids": list(checkin_ids)})).unique()
    return {flow.checkin.id: flow for flow in await _flows_of(session, list(rows))}


async def load_flow(session: AsyncSession, checkin: Checkin) -> Flow | None:
    return await flow_by_id(session, checkin.id)


async def flow_by_id(session: AsyncSession, checkin_id: int) -> Flow | None:
    found = await session.execute(_flows_by_ids(), {"ids": [checkin_id]})
    row = found.unique().first()
    return None if row is None else await _flow_of(session, row)


async def reload(session: AsyncSession, flow: Flow) -> Flow:
    return await flow_by_id(session, flow.checkin.id) or flow


@functools.cache
def _open_flows_query() -> Select:
    """The person's open check-ins whose collection is their team's latest one."""
    latest = (
        select(func.max(Collection.period_start))
        .where(Collection.team_id == Member.team_id)
        .correlate(Member)
        .scalar_subquery()
    )
    return (
        _flows()
        .options(lazyload(Member.user))  # the person is known: open_flow sets it
        .where(
            Member.user_id == bindparam("user_id"),
            Member.active.is_(True),
            or_(*(Checkin.state == state for state in OPEN)),  # no expanding IN to render
            Collection.period_start == latest,
        )
        .order_by(Checkin.opened_at.desc(), Checkin.id.desc())
    )


def _still_current(
    team: Team, latest: Collection, holidays: frozenset[date], now: datetime
) -> bool:
    """Whether the team's latest collection is still the current one (as _is_current, with the
    holidays already read)."""
    kept = (rhythm.kept_cycle(team, latest, holidays),)
    return rhythm.Schedule(team, holidays, kept).current(now).period.start == latest.period_start


async def _open_flows(session: AsyncSession, user_id: int, now: datetime) -> list[Row]:
    """The person's check-ins being asked (or corrected) for the current period of their team."""
    rows = (await session.execute(_open_flows_query(), {"user_id": user_id})).unique()
    return [row for row in rows if _still_current(row[2], row[3], _holidays(row[4]), now)]


async def open_flow(session: AsyncSession, user: User, now: datetime) -> Flow | None:
    """The check-in a text from this user answers: one being asked (or corrected) for the
    current period of one of their teams, the team they last chose first."""
    candidates = await _open_flows(session, user.id, now)
    if not candidates:
        return None
    chosen = next((row for row in candidates if row[2].id == user.active_team_id), candidates[0])
    for row in candidates:
        set_committed_value(row[1], "user", user)
    return await _flow_of(session, chosen)


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
    if not flow.many_teams:
        return None
    user = flow.member.user
    found = await open_flow(session, user, now)
    if found is None or found.checkin.id == flow.checkin.id:
        return None
    return found


async def unfinished_elsewhere(session: AsyncSession, flow: Flow, now: datetime) -> list[Team]:
    """The person's other teams whose current check-in they haven't finished."""
    if not flow.many_teams:
        return []
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
@functools.cache
def _move_statement(pending_is_null: bool) -> Update:
    """The compare-and-set of _move, built once per shape: the SET columns are the keys of
    the parameters it is executed with, the expected state comes in the `from_*` ones."""
    t = CHECKINS.c
    pending = (
        t.pending_input.is_(None)
        if pending_is_null
        else t.pending_input == bindparam("from_pending")
    )
    return update(CHECKINS).where(
        t.id == bindparam("from_id"),
        t.state == bindparam("from_state"),
        t.position == bindparam("from_position"),
        pending,
    )


async def _move(session: AsyncSession, flow: Flow, **changes: Any) -> bool:
    """Compare-and-set the check-in from the state the flow was loaded in (flushed)."""
    c = flow.checkin
    expected = {"from_id": c.id, "from_state": c.state, "from_position": c.position}
    if c.pending_input is not None:
        expected["from_pending"] = c.pending_input
    result = await session.execute(_move_statement(c.pending_input is None), expected | changes)
    if result.rowcount != 1:
        return False
    for name, value in changes.items():
        set_committed_value(c, name, value)  # written above: nothing left for a flush
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


@functools.cache
def _answer_upsert(dialect: str) -> Insert:
    """The answer's INSERT … ON CONFLICT (member, period, input) DO UPDATE, built once per
    dialect: the values come as parameters named after the columns."""
    a = ANSWERS.c
    columns = ("member_id", "period_start", "input_code", "value", "late", "answered_at")
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(ANSWERS)
    statement = insert.values({name: bindparam(name, type_=a[name].type) for name in columns})
    statement = statement.values(message_id=bindparam("message_id", type_=a.message_id.type))
    changed = ("value", "late", "answered_at", "message_id")
    return statement.on_conflict_do_update(
        index_elements=["member_id", "period_start", "input_code"],
        set_={name: statement.excluded[name] for name in changed},
    )


async def _save(
    session: AsyncSession,
    flow: Flow,
    value: Decimal | None,
    now: datetime,
    message_id: int | None = None,
) -> Outcome:
    """The one write path for answers (`message_id`: the typed message, for later edits)."""
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
    await session.execute(
        _answer_upsert(session.bind.dialect.name),
        {
            "member_id": flow.member.id,
            "period_start": flow.collection.period_start,
            "input_code": current.code,
            "value": value,
            "late": late,
            "answered_at": now,
            "message_id": message_id,
        },
    )
    await session.commit()
    flow.answers[current.code] = Stored(value, late)  # as written: nothing to read back
    return Outcome("card" if next_index is None else "ask", saved=current.code, late=late)


async def answer_text(
    session: AsyncSession,
    flow: Flow,
    text: str,
    locale: str,
    now: datetime,
    message_id: int | None = None,
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
        return await _save(session, flow, value, now, message_id)
    return await answer_value(session, flow, value, now, message_id=message_id)


async def answer_value(
    session: AsyncSession,
    flow: Flow,
    value: Decimal | None,
    now: datetime,
    *,
    check: bool = True,
    message_id: int | None = None,
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
    return await _save(session, flow, value, now, message_id)


async def hold(session: AsyncSession, flow: Flow, value: Decimal) -> bool:
    """Keep a typed value for the current question until the member confirms it (nothing is
    stored as an answer); False if the question moved on meanwhile."""
    current = flow.current
    if current is None or not storable(value):
        return False
    if not await _move(session, flow, pending_input=current.code, pending_value=value):
        return False
    await session.commit()
    return True


async def confirm(
    session: AsyncSession, flow: Flow, now: datetime, message_id: int | None = None
) -> Outcome:
    """The member confirms the value held for the current question (typed in `message_id`)."""
    c = flow.checkin
    if flow.current is None or c.pending_input != flow.current.code:
        return Outcome("stale")
    return await _save(session, flow, c.pending_value, now, message_id)


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


@functools.cache
def _asked_statement() -> Update:
    """mark_asked's UPDATE, built once (the message id comes as a parameter)."""
    return update(CHECKINS).where(CHECKINS.c.id == bindparam("from_id"))


async def mark_asked(session: AsyncSession, flow: Flow, message_id: int | None) -> None:
    """Remember the message that asks the current question (committed)."""
    await session.execute(
        _asked_statement(), {"from_id": flow.checkin.id, "question_message_id": message_id}
    )
    set_committed_value(flow.checkin, "question_message_id", message_id)
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
