"""/planerka, /end, /agenda and the speaker's buttons, in the team group."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import reply_place, to_group
from core.runtime import Runtime
from handlers.common import leads
from handlers.common.filters import GROUP
from handlers.common.guards import TEAM_REQUIRED, leads_only
from handlers.common.senders import ANONYMOUS_OK
from handlers.tasks import replies_to_prompt
from jobs import agenda as agenda_job
from jobs import meeting as meeting_flow
from jobs import tasks as task_jobs
from models.tables import Meeting, Member, Team, User
from services.common.clock import team_today
from services.common.errors import UserError
from services.meeting import agenda, meetings
from services.tasks import tasks as task_service
from services.team import teams
from services.team.schedule import schedule_of
from views import agenda as agenda_view
from views import kpi_line as kl
from views import tasks as task_notices
from views.common import mention, split_message, user_name
from views.i18n import I18n, Translator
from views.meeting import MeetingAction, member_lines

CANCEL_WORDS = {"-", "отмена", "cancel", "/cancel"}


class MeetingTask(StatesGroup):
    """A lead pressed «добавить задачу» on a speaker's card; their reply is the task."""

    text = State()


async def show_agenda(
    message: Message, session: AsyncSession, team: Team, t: Translator, runtime: Runtime
) -> None:
    chunks = await agenda_job.build(session, team, t, runtime.now())
    link = agenda_job.dashboard_link(runtime, team, t)
    await agenda_job.send_chunks(message.bot, reply_place(message), chunks, link)


async def start_meeting(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    team: Team,
    t: Translator,
    runtime: Runtime,
) -> None:
    """A lead (or an admin posting anonymously as the group) starts the meeting."""
    if not meetings.speaking_order(await teams.members(session, team)):
        await message.answer(t("meeting.nobody"))
        return
    now = runtime.now()
    cycle = await agenda.cycle_now(session, team, now)
    try:
        meeting = await meetings.start(
            session,
            team,
            started_by=user.id if user else None,
            now=now,
            period_start=cycle.period.start,
        )
    except meetings.AlreadyRunning as running:
        meeting = running.meeting
        header = t("meeting.already_running")
        await meeting_flow.give_floor(bot, session, team, meeting, t, now, header=header)
        return
    came = await meetings.attendance(session, meeting)
    speakers = len(came.absent) + len(came.spoke)
    data = await agenda.collect(session, team, cycle, now)
    await agenda_job.send_chunks(
        bot, to_group(team), split_message(agenda_view.render(data, team, t))
    )
    lead = user_name(user) if user else t("common.anonymous_admin")
    lines = [t.n("meeting.started", speakers, name=lead)]
    note = await meeting_flow.away_note(session, meeting, t)
    if note:
        lines.append(note)
    await meeting_flow.give_floor(bot, session, team, meeting, t, now, header="\n".join(lines))


async def end_meeting(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    team: Team,
    t: Translator,
    runtime: Runtime,
) -> None:
    meeting = await meetings.running(session, team)
    if meeting is None:
        await message.answer(t("meeting.not_running"))
        return
    link = agenda_job.dashboard_link(runtime, team, t)
    await meeting_flow.close(bot, session, team, meeting, t, runtime.now(), link=link)


async def _press_allowed(
    bot: Bot, session: AsyncSession, team: Team, meeting: Meeting, user: User, action: str
) -> bool:
    if await leads.is_lead(bot, session, team, user.id):
        return True
    if action != "next":
        return False
    turn = await meetings.turn(session, meeting)
    return turn.member is not None and turn.member.user_id == user.id


async def speaker_button(
    query: CallbackQuery,
    callback_data: MeetingAction,
    bot: Bot,
    session: AsyncSession,
    user: User,
    team: Team | None,
    t: Translator,
    runtime: Runtime,
    state: FSMContext,
) -> None:
    meeting = await session.get(Meeting, callback_data.meeting_id)
    if team is None or meeting is None or meeting.team_id != team.id:
        await query.answer(t("meeting.stale"), show_alert=True)
        return
    action = callback_data.action
    if not await _press_allowed(bot, session, team, meeting, user, action):
        key = "meeting.next_speaker_or_lead" if action == "next" else "meeting.leads_only"
        await query.answer(t(key), show_alert=True)
        return
    if meeting.status != meetings.RUNNING or meeting.position != callback_data.position:
        await query.answer(t("meeting.stale"), show_alert=True)
        return
    now = runtime.now()
    if action == "end":
        await query.answer()
        link = agenda_job.dashboard_link(runtime, team, t)
        await meeting_flow.close(bot, session, team, meeting, t, now, link=link)
        return
    if action == "task":
        await ask_task(query, callback_data, session, team, meeting, t, state)
        return
    try:
        await meetings.advance(session, meeting, action, position=callback_data.position, now=now)
    except meetings.StaleAction:
        await query.answer(t("meeting.stale"), show_alert=True)
        return
    await query.answer()
    await meeting_flow.give_floor(bot, session, team, meeting, t, now)


async def ask_task(
    query: CallbackQuery,
    callback_data: MeetingAction,
    session: AsyncSession,
    team: Team,
    meeting: Meeting,
    t: Translator,
    state: FSMContext,
) -> None:
    turn = await meetings.turn(session, meeting)
    if turn.member is None:
        await query.answer(t("meeting.stale"), show_alert=True)
        return
    member = turn.member
    about = ""
    if callback_data.kpi:
        period = (await schedule_of(session, team)).of(meeting.period_start).period
        lines = await member_lines(session, team, member, period)
        line = next(
            (x for role in lines.values() for x in role if x.kpi.code == callback_data.kpi), None
        )
        if line is not None:
            about = t("meeting.task_about_kpi", kpi=kl.text(line, t, team.currency))
    prompt = await query.message.answer(
        t("meeting.task_prompt", name=mention(member.user), about=about),
        reply_markup=ForceReply(selective=True, input_field_placeholder=t("meeting.task_hint")),
    )
    await state.set_state(MeetingTask.text)
    await state.update_data(
        meeting_id=meeting.id,
        member_id=member.id,
        kpi=callback_data.kpi,
        prompt_id=prompt.message_id,
    )
    await query.answer()


async def task_from_card(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User,
    team: Team | None,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    if message.text.strip().lower() in CANCEL_WORDS:
        await state.clear()
        await message.reply(t("meeting.task_cancelled"))
        return
    if team is None:
        await state.clear()
        return
    today = team_today(runtime.now(), team.timezone)
    owner = await session.get(Member, data.get("member_id", 0))
    meeting = await session.get(Meeting, data.get("meeting_id", 0))
    author = await teams.member(session, team, user.id)
    try:
        words, due = task_service.read_text(message.text, today=today, locale=team.locale)
        task = await task_service.create(
            session,
            team,
            owner=owner,
            text=words,
            due=due,
            today=today,
            author=author,
            author_user_id=user.id,
            author_is_lead=await leads.is_lead(bot, session, team, user.id),
            meeting_id=meeting.id if meeting and meeting.status == meetings.RUNNING else None,
            kpi_code=data.get("kpi") or None,
        )
    except UserError as error:
        raise error.hinted("meeting.task_retry") from None
    await session.commit()
    await state.clear()
    reached = await task_jobs.notify_owner(bot, session, task, owner, team, i18n, today)
    await message.reply(task_notices.created_text(task, owner, t, today, reached))


async def cancel_task_prompt(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await message.reply(t("meeting.task_cancelled"))


def setup() -> Router:
    """The meeting feature's router, new for each Dispatcher."""
    router = Router(name="meeting")
    router.message.filter(GROUP)
    router.callback_query.filter(F.message.chat.type.in_({"group", "supergroup"}))
    router.message.register(show_agenda, Command("agenda"), flags={**TEAM_REQUIRED, **ANONYMOUS_OK})
    router.message.register(
        start_meeting, Command("planerka"), flags=leads_only("meeting.leads_only")
    )
    router.message.register(end_meeting, Command("end"), flags=leads_only("meeting.leads_only"))
    router.callback_query.register(speaker_button, MeetingAction.filter())
    router.message.register(
        task_from_card,
        StateFilter(MeetingTask.text),
        F.text,
        replies_to_prompt,
    )
    router.message.register(cancel_task_prompt, StateFilter(MeetingTask.text), Command("cancel"))
    return router
