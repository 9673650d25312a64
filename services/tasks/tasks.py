"""Tasks the meeting sets (seed 003: concrete, with an owner and a deadline) and their tracking.

Who may do what: any team member may give a task to themselves; leads give tasks to anyone.
The owner and leads mark a task done or move its deadline; leads and the task's author cancel it.
Every refusal is a UserError carrying the translation key of its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Member, Task, Team
from services.common.clock import team_now
from services.common.dates import check_due, parse_due, split_due
from services.common.errors import UserError
from services.team import teams, users

OPEN, DONE, CANCELLED = "open", "done", "cancelled"
MAX_TEXT = 500
REMIND_AT = time(9, 0)


@dataclass(frozen=True)
class Draft:
    """A /task command read: who (as typed), what, by when."""

    owner: Member | None
    owner_ref: str | None  # the @username typed, for the refusal when it isn't a member
    text: str
    due: date


def _due_error(error: UserError) -> UserError:
    if error.key == "due.error.missing":
        return UserError("task.error.no_due")
    return error


async def read_command(
    session: AsyncSession,
    team: Team,
    args: str,
    *,
    today: date,
    locale: str,
    reply_user_id: int | None = None,
    mentioned_user_id: int | None = None,
) -> Draft:
    """`/task @user text до пт`: the owner is the @user, a tapped mention (its name already cut
    from `args`), or the replied-to person; the deadline is found at the end or the start.
    Refusals in this order: nothing typed, no owner, owner not in the team, no or bad deadline."""
    who = await users.named(
        session, args, mentioned_user_id=mentioned_user_id, reply_user_id=reply_user_id
    )
    words = who.args.split()
    owner_ref, owner_user_id = who.ref, who.user_id
    if not words:
        raise UserError("task.usage")
    if owner_user_id is None:
        raise UserError("task.error.no_owner")
    owner = await teams.member(session, team, owner_user_id) if owner_user_id else None
    if owner is None or not owner.active:
        if owner_ref:
            raise UserError("task.error.not_member", value=owner_ref)
        raise UserError("task.error.not_member_reply")
    text, due = read_text(" ".join(words), today=today, locale=locale)
    return Draft(owner=owner, owner_ref=owner_ref, text=text, due=due)


def read_text(text: str, *, today: date, locale: str) -> tuple[str, date]:
    """A task's text and deadline typed in reply to a prompt («поднять CTR до пт»)."""
    try:
        words, due = split_due(text.strip(), today, locale)
    except UserError as error:
        raise _due_error(error) from None
    if not words:
        raise UserError("task.error.empty")
    return words, due


def read_due(text: str, *, today: date, locale: str) -> date:
    try:
        return parse_due(text, today, locale)
    except UserError as error:
        raise _due_error(error) from None


async def create(
    session: AsyncSession,
    team: Team,
    *,
    owner: Member | None,
    text: str,
    due: date,
    today: date,
    author: Member | None,
    author_user_id: int | None,
    author_is_lead: bool,
    meeting_id: int | None = None,
    kpi_code: str | None = None,
) -> Task:
    """Validates and stores a task (not committed); raises UserError with the reason."""
    text = " ".join(text.split())
    if not text:
        raise UserError("task.error.empty")
    if len(text) > MAX_TEXT:
        raise UserError("task.error.too_long", limit=MAX_TEXT)
    if owner is None:
        raise UserError("task.error.no_owner")
    if owner.team_id != team.id or not owner.active:
        raise UserError("task.error.not_member_reply")
    check_due(due, today)
    if not author_is_lead:
        if author is None:
            raise UserError("task.error.join_first")
        if author.id != owner.id:
            raise UserError("task.error.only_own")
    task = Task(
        team_id=team.id,
        meeting_id=meeting_id,
        owner_member_id=owner.id,
        created_by=author_user_id,
        text=text,
        due=due,
        status=OPEN,
        kpi_code=kpi_code,
        last_reminded=today,  # the owner is told now; reminders start from the next day
    )
    session.add(task)
    await session.flush()
    return task


def can_finish(task: Task, owner: Member, user_id: int, is_lead: bool) -> bool:
    return is_lead or owner.user_id == user_id


def can_cancel(task: Task, user_id: int, is_lead: bool) -> bool:
    return is_lead or task.created_by == user_id


def mark_done(task: Task, now: datetime) -> None:
    if task.status != OPEN:
        raise UserError("task.error.closed")
    task.status = DONE
    task.done_at = now


def cancel(task: Task, now: datetime) -> None:
    if task.status != OPEN:
        raise UserError("task.error.closed")
    task.status = CANCELLED
    task.done_at = now


def move(task: Task, due: date, today: date) -> None:
    if task.status != OPEN:
        raise UserError("task.error.closed")
    check_due(due, today)
    task.due = due
    task.last_reminded = today


def is_overdue(task: Task, today: date) -> bool:
    return task.status == OPEN and task.due < today


async def get(session: AsyncSession, task_id: int) -> Task | None:
    return await session.get(Task, task_id)


async def owner_of(session: AsyncSession, task: Task) -> Member:
    return await session.get_one(Member, task.owner_member_id)


async def open_for_team(session: AsyncSession, team: Team) -> list[Task]:
    query = (
        select(Task).where(Task.team_id == team.id, Task.status == OPEN).order_by(Task.due, Task.id)
    )
    return list(await session.scalars(query))


async def open_for_user(session: AsyncSession, user_id: int) -> list[tuple[Team, Task]]:
    """A person's open tasks in every team they are in, soonest first."""
    query = (
        select(Team, Task)
        .join(Member, Member.id == Task.owner_member_id)
        .join(Team, Team.id == Task.team_id)
        .where(Member.user_id == user_id, Task.status == OPEN)
        .order_by(Task.due, Task.id)
    )
    return [(team, task) for team, task in await session.execute(query)]


async def of_meeting(session: AsyncSession, meeting_id: int) -> list[Task]:
    query = select(Task).where(Task.meeting_id == meeting_id).order_by(Task.id)
    return list(await session.scalars(query))


async def members_by_id(session: AsyncSession, tasks: Sequence[Task]) -> dict[int, Member]:
    ids = {t.owner_member_id for t in tasks}
    if not ids:
        return {}
    found = await session.scalars(select(Member).where(Member.id.in_(ids)))
    return {m.id: m for m in found}


@dataclass(frozen=True)
class Completion:
    done: int
    open: int
    overdue: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.done + self.open


def completion(tasks: Sequence[Task], today: date) -> Completion:
    """How a set of tasks stands today (for the agenda, the minutes and the digest)."""
    done = sum(t.status == DONE for t in tasks)
    still_open = [t for t in tasks if t.status == OPEN]
    return Completion(
        done=done,
        open=len(still_open),
        overdue=sum(is_overdue(t, today) for t in still_open),
        cancelled=sum(t.status == CANCELLED for t in tasks),
    )


async def due_reminders(session: AsyncSession, team: Team, now: datetime) -> list[Task]:
    """Open tasks of the team to remind of now: due today or overdue, from 09:00 team time,
    at most once a day. Marks them reminded (the caller commits, then sends)."""
    local = team_now(now, team.timezone)
    if local.time() < REMIND_AT:
        return []
    today = local.date()
    query = (
        select(Task)
        .join(Member, Member.id == Task.owner_member_id)
        .where(
            Task.team_id == team.id,
            Task.status == OPEN,
            Task.due <= today,
            Member.active.is_(True),  # no reminders to someone who left the group
        )
    )
    due = [t for t in await session.scalars(query) if t.last_reminded != today]
    for task in due:
        task.last_reminded = today
    return due
