"""Task messages in private chat: the owner told when a task is set, and the reminders (the
morning of the due date, then daily while overdue, at most one a day) sent when the team's
"tasks" due moment comes (services/schedule/moments.py)."""

from __future__ import annotations

import logging
from datetime import date, datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from core.runtime import Runtime
from models.tables import Member, Task, Team, User
from services.common.clock import team_today
from services.tasks import tasks as task_service
from views.i18n import I18n, escape
from views.tasks import reminder_text, task_card, task_keyboard

log = logging.getLogger(__name__)


async def notify_owner(
    bot: Bot, session, task: Task, owner: Member, team: Team, i18n: I18n, today: date
) -> bool:
    """The owner gets the task in private chat with its buttons; False if they can't be reached."""
    user: User = owner.user
    t = i18n.for_user(user, team)
    text = t("task.assigned", team=escape(team.title)) + "\n\n" + task_card(task, t, today)
    can_cancel = task.created_by == user.id
    return await _send_private(
        bot, user, text, task_keyboard(task, t, can_cancel=can_cancel), session
    )


async def _send_private(bot: Bot, user: User, text: str, keyboard, session) -> bool:
    try:
        await bot.send_message(user.id, text, reply_markup=keyboard)
    except TelegramForbiddenError:
        user.blocked = True
        await session.commit()
        return False
    except TelegramAPIError:
        log.warning("task message to %s failed", user.id, exc_info=True)
        return False
    return True


async def team_due(runtime: Runtime, team_id: int, now: datetime) -> int:
    """The team's task reminders, when its moment comes: due today (from 09:00 team time) and
    overdue, once a day each. Returns how many went out."""
    async with runtime.sessionmaker() as session:
        team = await session.get(Team, team_id)
        if team is None:
            return 0
        due = await task_service.due_reminders(session, team, now)
        if not due:
            return 0
        await session.commit()  # marked reminded first: at most one a day, even on a crash
        today = team_today(now, team.timezone)
        owners = await task_service.members_by_id(session, due)
        sent = 0
        for task in due:
            user = owners[task.owner_member_id].user
            if user.blocked:
                continue
            t = runtime.i18n.for_user(user, team)
            keyboard = task_keyboard(task, t, can_cancel=task.created_by == user.id)
            sent += await _send_private(
                runtime.bot, user, reminder_text(task, team, t, today), keyboard, session
            )
        return sent
