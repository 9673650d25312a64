"""What people see of tasks: a task's line and buttons, the owner's message, the lists of
/tasks, the reminder's text (jobs/tasks.py sends the private ones)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from models.tables import Member, Task, Team, User
from services.common.clock import team_today
from services.tasks import tasks as task_service
from views.common import user_name
from views.i18n import Translator, escape

log = logging.getLogger(__name__)

LIST_BUTTONS = 10  # tasks with buttons in one list (the rest are listed without)


class TaskAction(CallbackData, prefix="tk"):
    action: str  # done, cancel, due
    task_id: int
    view: str = "card"  # the message the button is on: one task's card, "team" or "mine" list


def _button(text: str, action: str, task_id: int, view: str = "card") -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=TaskAction(action=action, task_id=task_id, view=view).pack()
    )


def task_keyboard(task: Task, t: Translator, *, can_cancel: bool) -> InlineKeyboardMarkup:
    row = [
        _button(t("task.btn.done"), "done", task.id),
        _button(t("task.btn.due"), "due", task.id),
    ]
    if can_cancel:
        row.append(_button(t("task.btn.cancel"), "cancel", task.id))
    return InlineKeyboardMarkup(inline_keyboard=[row])


def list_keyboard(tasks: Sequence[Task], t: Translator, view: str) -> InlineKeyboardMarkup | None:
    rows = [
        [
            _button(t("task.btn.done_n", number=n), "done", task.id, view),
            _button(t("task.btn.due_n", number=n), "due", task.id, view),
            _button(t("task.btn.cancel_n", number=n), "cancel", task.id, view),
        ]
        for n, task in enumerate(tasks[:LIST_BUTTONS], start=1)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def due_text(task: Task, t: Translator, today: date) -> str:
    days = (task.due - today).days
    if task.status != task_service.OPEN:
        return t("task.due_on", date=t.date(task.due))
    if days < 0:
        return t.n("task.overdue", -days, date=t.date(task.due))
    if days == 0:
        return t("task.due_today")
    if days == 1:
        return t("task.due_tomorrow")
    return t("task.due_on", date=t.date(task.due))


def status_mark(task: Task, today: date) -> str:
    if task.status == task_service.DONE:
        return "✅"
    if task.status == task_service.CANCELLED:
        return "✖️"
    return "⏰" if task.due < today else "⏳"


def task_card(task: Task, t: Translator, today: date, team: Team | None = None) -> str:
    """The owner's view of one task."""
    lines = [
        t("task.card", mark=status_mark(task, today), text=escape(task.text)),
        due_text(task, t, today),
    ]
    if team is not None:
        lines.append(t("task.team", team=escape(team.title)))
    if task.status == task_service.DONE:
        lines.append(t("task.state_done"))
    elif task.status == task_service.CANCELLED:
        lines.append(t("task.state_cancelled"))
    return "\n".join(lines)


def group_line(number: int, task: Task, owner: Member, t: Translator, today: date) -> str:
    return t(
        "task.group_line",
        number=number,
        mark=status_mark(task, today),
        text=escape(task.text),
        owner=user_name(owner.user),
        due=due_text(task, t, today),
    )


async def team_list(session, team: Team, t: Translator, today: date) -> tuple[str, object]:
    """The team's open tasks for the group, soonest first, with numbered buttons."""
    open_tasks = await task_service.open_for_team(session, team)
    if not open_tasks:
        return t("task.none_team"), None
    owners = await task_service.members_by_id(session, open_tasks)
    overdue = sum(task_service.is_overdue(task, today) for task in open_tasks)
    lines = [t.n("task.team_header", len(open_tasks), overdue=overdue), ""]
    lines.extend(
        group_line(n, task, owners[task.owner_member_id], t, today)
        for n, task in enumerate(open_tasks, start=1)
    )
    if len(open_tasks) > LIST_BUTTONS:
        lines.append(t("task.more_without_buttons", count=LIST_BUTTONS))
    return "\n".join(lines), list_keyboard(open_tasks, t, "team")


async def own_list(session, user: User, t: Translator, now: datetime) -> tuple[str, object]:
    """A member's own open tasks in every team, soonest first, with numbered buttons."""
    found = await task_service.open_for_user(session, user.id)
    if not found:
        return t("task.none_mine"), None
    several = len({team.id for team, _ in found}) > 1
    lines = [t.n("task.mine_header", len(found)), ""]
    for n, (team, task) in enumerate(found, start=1):
        today = team_today(now, team.timezone)
        line = t(
            "task.own_line",
            number=n,
            mark=status_mark(task, today),
            text=escape(task.text),
            due=due_text(task, t, today),
        )
        if several:
            line += t("task.in_team", team=escape(team.title))
        lines.append(line)
    if len(found) > LIST_BUTTONS:
        lines.append(t("task.more_without_buttons", count=LIST_BUTTONS))
    return "\n".join(lines), list_keyboard([task for _, task in found], t, "mine")


def reminder_text(task: Task, team: Team, t: Translator, today: date) -> str:
    key = "task.remind_today" if task.due == today else "task.remind_overdue"
    head = t(key, team=escape(team.title))
    return head + "\n\n" + task_card(task, t, today)


def created_text(task: Task, owner: Member, t: Translator, today: date, reached: bool) -> str:
    """The group's confirmation of a new task."""
    text = t(
        "task.created",
        text=escape(task.text),
        owner=user_name(owner.user),
        due=due_text(task, t, today),
    )
    if not reached:
        text += "\n" + t("task.owner_unreachable", owner=user_name(owner.user))
    return text
