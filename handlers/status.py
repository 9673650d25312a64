"""/status in the group (leads): who has reported, who is answering, who hasn't started, who is
away and who can't be reached. /report in the group points to the private chat."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.runtime import Runtime
from handlers.common import picker
from handlers.common.filters import GROUP, PRIVATE, PRIVATE_CALLBACK
from handlers.common.guards import LEADS_ONLY
from models.tables import Team, User
from services.checkins import flow as checkins
from services.checkins.status import MemberStatus, TeamStatus, team_status
from services.team import rhythm
from views.checkins import moment_text, period_text
from views.common import PickTeam, bot_link, user_name
from views.i18n import Translator
from views.join import deep_link_keyboard

MARKS = {
    "done": "✅",
    "in_progress": "✍️",
    "not_started": "⏳",
    "away": "🌴",
    "unreachable": "🚫",
}


def _line(status: MemberStatus, team: Team, t: Translator) -> str:
    name = user_name(status.member.user)
    if status.kind == "done":
        return name + (" " + t("status.late_mark") if status.late else "")
    if status.kind == "in_progress":
        return t("status.progress", name=name, answered=status.answered, total=status.total)
    if status.kind == "away" and status.away is not None:
        return t("status.away_until", name=name, until=t.date(status.away.end))
    if status.kind == "unreachable":
        why = "status.blocked" if status.member.user.blocked else "status.never_started"
        return t(why, name=name)
    return name


def status_text(
    status: TeamStatus, upcoming: rhythm.Cycle, team: Team, t: Translator, runtime: Runtime
) -> str:
    if status.collection is None:
        lines = [
            t(
                "status.not_open",
                period=period_text(upcoming.period, t),
                opens=moment_text(upcoming.opens_at, team, t),
            )
        ]
        kinds: tuple[str, ...] = ("unreachable",)
    else:
        lines = [
            t(
                "status.header",
                period=period_text(status.cycle.period, t),
                deadline=moment_text(status.collection.deadline_at, team, t),
            ),
            t.n("status.done_count", len(status.of("done")), total=len(status.members)),
        ]
        kinds = ("done", "in_progress", "not_started", "away", "unreachable")
    groups = [(kind, status.of(kind)) for kind in kinds if status.of(kind)]
    if groups or not status.members:
        lines.append("")
    for kind, group in groups:
        names = ", ".join(_line(s, team, t) for s in group)
        lines.append(f"{MARKS[kind]} {t(f'status.kind.{kind}')}: {names}")
    if status.of("unreachable"):
        lines.append(t("status.fix_link", link=bot_link(runtime.bot_username)))
    if not status.members:
        lines.append(t("status.nobody"))
    return "\n".join(lines)


async def show_status(
    message: Message,
    session: AsyncSession,
    team: Team,
    t: Translator,
    runtime: Runtime,
) -> None:
    now = runtime.now()
    status = await team_status(session, team, now)
    upcoming = await checkins.next_cycle(session, team, now)
    await session.commit()
    markup = None
    if status.of("unreachable"):
        markup = deep_link_keyboard(t("status.open_bot"), bot_link(runtime.bot_username))
    await message.answer(status_text(status, upcoming, team, t, runtime), reply_markup=markup)


async def status_private(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    state: FSMContext,
    runtime: Runtime,
) -> None:
    """/status in private for a lead: the one team they lead, or the team picked."""
    team = await picker.choose(message, "status", "", bot, session, user, t, state, runtime)
    if team is not None:
        await show_status(message, session, team, t, runtime)


async def picked_status(
    query: CallbackQuery,
    callback_data: PickTeam,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    state: FSMContext,
    runtime: Runtime,
) -> None:
    found = await picker.picked(query, callback_data, bot, session, user, t, state, runtime)
    if found is not None and isinstance(query.message, Message):
        await show_status(query.message, session, found[0], t, runtime)


async def report_in_group(message: Message, t: Translator, runtime: Runtime) -> None:
    """Numbers are never asked or shown in the group: point to the private chat."""
    await message.answer(
        t("checkin.private_only"),
        reply_markup=deep_link_keyboard(t("status.open_bot"), bot_link(runtime.bot_username)),
    )


def setup() -> Router:
    """The status feature's router, new for each Dispatcher."""
    router = Router(name="status")
    router.message.register(show_status, Command("status"), GROUP, flags=LEADS_ONLY)
    router.message.register(report_in_group, Command("report"), GROUP)
    router.message.register(status_private, Command("status"), PRIVATE)
    router.callback_query.register(
        picked_status, PickTeam.filter(F.command == "status"), PRIVATE_CALLBACK
    )
    return router
