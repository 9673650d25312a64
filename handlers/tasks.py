"""/task in the group, /tasks in both chats, and the task buttons (done, new deadline, cancel)."""

from __future__ import annotations

from datetime import date

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import to_group
from core.runtime import Runtime
from handlers.common import leads
from handlers.common.filters import GROUP, PRIVATE
from handlers.common.guards import TEAM_REQUIRED
from handlers.common.people import pointed_at
from handlers.common.senders import ANONYMOUS_OK
from jobs import tasks as task_jobs
from models.tables import Member, Task, Team, User
from services.common.clock import team_today
from services.common.errors import UserError
from services.meeting import meetings
from services.tasks import tasks as task_service
from services.team import teams, users
from views import tasks as task_notices
from views.common import user_name
from views.i18n import I18n, Translator, escape
from views.tasks import TaskAction


class TaskDue(StatesGroup):
    """«Новый срок» pressed: the next message (in the group, a reply to the prompt) is the date."""

    date = State()


async def replies_to_prompt(message: Message, state: FSMContext) -> bool:
    """In a group the answer to the bot's question must be a reply to that question."""
    reply = message.reply_to_message
    data = await state.get_data()
    return reply is not None and reply.message_id == data.get("prompt_id")


async def new_task(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    team: Team,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
    anonymous_admin: bool = False,
) -> None:
    """`/task @anna … до пт`. An admin posting as the group sets tasks as a lead does; only a
    task for oneself (no one named) needs a person."""
    today = team_today(runtime.now(), team.timezone)
    mentioned, reply_user_id, args = pointed_at(message, command.args or "")
    if anonymous_admin or user is None:
        named = await users.named(
            session, args, mentioned_user_id=mentioned, reply_user_id=reply_user_id
        )
        if named.user_id is None and named.args.split():
            await message.answer(t("common.write_as_yourself"))
            return
    is_lead = anonymous_admin or (
        user is not None and await leads.is_lead(bot, session, team, user.id)
    )
    running = await meetings.running(session, team)
    draft = await task_service.read_command(
        session,
        team,
        args,
        today=today,
        locale=team.locale,
        reply_user_id=reply_user_id,
        mentioned_user_id=mentioned,
    )
    task = await task_service.create(
        session,
        team,
        owner=draft.owner,
        text=draft.text,
        due=draft.due,
        today=today,
        author=await teams.member(session, team, user.id) if user else None,
        author_user_id=user.id if user else None,
        author_is_lead=is_lead,
        meeting_id=running.id if running else None,
    )
    await session.commit()
    owner = draft.owner
    reached = await task_jobs.notify_owner(bot, session, task, owner, team, i18n, today)
    await message.reply(task_notices.created_text(task, owner, t, today, reached))


async def group_command_in_private(message: Message, t: Translator) -> None:
    await message.answer(t("meeting.group_only"))


async def team_tasks(
    message: Message, session: AsyncSession, team: Team, t: Translator, runtime: Runtime
) -> None:
    today = team_today(runtime.now(), team.timezone)
    text, keyboard = await task_notices.team_list(session, team, t, today)
    await message.answer(text, reply_markup=keyboard)


async def my_tasks(
    message: Message, session: AsyncSession, user: User, t: Translator, runtime: Runtime
) -> None:
    text, keyboard = await task_notices.own_list(session, user, t, runtime.now())
    await message.answer(text, reply_markup=keyboard)


async def task_button(
    query: CallbackQuery,
    callback_data: TaskAction,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
    state: FSMContext,
) -> None:
    task = await task_service.get(session, callback_data.task_id)
    team = await session.get(Team, task.team_id) if task else None
    in_group = query.message.chat.type != "private"
    if task is None or team is None or (in_group and team.chat_id != query.message.chat.id):
        await query.answer(t("task.error.gone"), show_alert=True)
        return
    owner = await task_service.owner_of(session, task)
    is_lead = await leads.is_lead(bot, session, team, user.id)
    action = callback_data.action
    allowed = (
        task_service.can_cancel(task, user.id, is_lead)
        if action == "cancel"
        else task_service.can_finish(task, owner, user.id, is_lead)
    )
    if not allowed:
        key = "task.error.cancel_rights" if action == "cancel" else "task.error.owner_rights"
        await query.answer(t(key), show_alert=True)
        return
    if task.status != task_service.OPEN:
        await query.answer(t("task.error.closed"), show_alert=True)
        return
    now = runtime.now()
    today = team_today(now, team.timezone)
    if action == "due":
        await ask_due(query, task, t, state, in_group)
        return
    if action == "done":
        task_service.mark_done(task, now)
    else:
        task_service.cancel(task, now)
    await session.commit()
    await query.answer(t("task.done_short" if action == "done" else "task.cancelled_short"))
    await refresh(query, session, user, team, task, t, now, today, callback_data.view)
    if action == "done":
        group_t = i18n.get(team.locale)
        await bot.send_message(
            **to_group(team),
            text=group_t("task.done_announce", owner=user_name(owner.user), text=escape(task.text)),
        )


async def refresh(
    query: CallbackQuery,
    session: AsyncSession,
    user: User,
    team: Team,
    task: Task,
    t: Translator,
    now,
    today: date,
    view: str,
) -> None:
    """Redraws the message the button was on: a single task's card, or a list."""
    if view == "team":
        text, keyboard = await task_notices.team_list(session, team, t, today)
    elif view == "mine":
        text, keyboard = await task_notices.own_list(session, user, t, now)
    else:
        text, keyboard = task_notices.task_card(task, t, today, team), None
    await query.message.edit_text(text, reply_markup=keyboard)


async def ask_due(
    query: CallbackQuery, task: Task, t: Translator, state: FSMContext, in_group: bool
) -> None:
    text = t("task.ask_due", text=escape(task.text))
    markup = ForceReply(selective=True) if in_group else None
    prompt = await query.message.answer(text, reply_markup=markup)
    await state.set_state(TaskDue.date)
    await state.update_data(task_id=task.id, prompt_id=prompt.message_id)
    await query.answer()


async def cancel_due(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await message.answer(t("task.due_unchanged"))


async def new_due(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    runtime: Runtime,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    task = await task_service.get(session, data.get("task_id", 0))
    team = await session.get(Team, task.team_id) if task else None
    if task is None or team is None:
        await state.clear()
        await message.answer(t("task.error.gone"))
        return
    owner: Member = await task_service.owner_of(session, task)
    is_lead = await leads.is_lead(bot, session, team, user.id)
    if not task_service.can_finish(task, owner, user.id, is_lead):
        await state.clear()
        await message.answer(t("task.error.owner_rights"))
        return
    today = team_today(runtime.now(), team.timezone)
    try:
        due = task_service.read_due(message.text, today=today, locale=t.locale)
        task_service.move(task, due, today)
    except UserError as error:
        raise error.hinted("task.due_retry") from None
    await session.commit()
    await state.clear()
    await message.reply(
        t("task.due_moved", text=escape(task.text), due=task_notices.due_text(task, t, today))
    )


def setup() -> Router:
    """The tasks feature's router, new for each Dispatcher."""
    router = Router(name="tasks")
    router.message.register(
        new_task, Command("task"), GROUP, flags={**TEAM_REQUIRED, **ANONYMOUS_OK}
    )
    router.message.register(
        group_command_in_private, Command("planerka", "end", "agenda", "task"), PRIVATE
    )
    router.message.register(team_tasks, Command("tasks"), GROUP, flags=TEAM_REQUIRED)
    router.message.register(my_tasks, Command("tasks"), PRIVATE)
    router.callback_query.register(task_button, TaskAction.filter())
    router.message.register(cancel_due, StateFilter(TaskDue.date), Command("cancel"))
    router.message.register(
        new_due, StateFilter(TaskDue.date), PRIVATE, F.text, ~F.text.startswith("/")
    )
    router.message.register(new_due, StateFilter(TaskDue.date), GROUP, F.text, replies_to_prompt)
    return router
