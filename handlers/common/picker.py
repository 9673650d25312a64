"""Private-chat commands about one team (/summary, /export, /status) for a person in several
teams: the team picker (views/common.PickTeam) instead of a guess.

`choose` returns the team to act on when there is exactly one; with several it sends the
picker (the command's arguments wait in the chat's FSM data until the press) and returns None;
with none it returns None after saying why. `picked` checks a press: the team must still be
one the person may use the command for (a member of it; a lead of it for /export and /status).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.runtime import Runtime
from handlers.common import leads
from models.tables import Team, User
from services.team import teams
from views.common import PickTeam, team_picker
from views.i18n import Translator

LEAD_COMMANDS = {"export", "status"}


def _args_key(command: str) -> str:
    return f"picker_args_{command}"


async def options(
    command: str, bot: Bot, session: AsyncSession, user: User, runtime: Runtime
) -> list[Team]:
    """The teams the person may run `command` for: their teams, and for a lead command only
    those they lead (checked against the group's admins now, as in the group)."""
    mine = await teams.teams_of(session, user)
    if command not in LEAD_COMMANDS:
        return mine
    return [
        team for team in mine if await leads.is_lead(bot, session, team, user.id, runtime.admins)
    ]


async def choose(
    message: Message,
    command: str,
    args: str,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    state: FSMContext,
    runtime: Runtime,
) -> Team | None:
    """The one team to act on, or None once the picker (or the reason there is none) is sent."""
    found = await options(command, bot, session, user, runtime)
    if len(found) == 1:
        return found[0]
    await session.commit()  # lead flags refreshed by the check, before answering
    if not found:
        await message.answer(t(await _none_reason(command, session, user)))
        return None
    await state.update_data({_args_key(command): args})
    text, markup = team_picker(command, found, user.active_team_id, t)
    await message.answer(text, reply_markup=markup)
    return None


async def _none_reason(command: str, session: AsyncSession, user: User) -> str:
    if not await teams.teams_of(session, user):
        return "summary.no_team" if command == "summary" else f"picker.no_team.{command}"
    return "picker.not_lead"


async def picked(
    query: CallbackQuery,
    data: PickTeam,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    state: FSMContext,
    runtime: Runtime,
) -> tuple[Team, str] | None:
    """The team pressed and the command's waiting arguments, if the person may still use it
    (else the press is answered as refused and None)."""
    allowed: Sequence[Team] = await options(data.command, bot, session, user, runtime)
    team = next((team for team in allowed if team.id == data.team), None)
    if team is None:
        await session.commit()
        await query.answer(t("picker.not_yours"), show_alert=True)
        return None
    stored = await state.get_data()
    args = str(stored.get(_args_key(data.command)) or "")
    await state.update_data({_args_key(data.command): None})
    user.active_team_id = team.id
    await session.commit()
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):  # the picker may keep its buttons
            await query.message.edit_reply_markup(reply_markup=None)
    return team, args
