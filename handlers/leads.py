"""/lead @user and /unlead @user: leads name other leads."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common import people
from handlers.common.filters import GROUP
from handlers.common.guards import LEADS_ONLY
from models.tables import Team, User
from services.team import teams
from views.common import user_name
from views.i18n import Translator


async def name_lead(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    team: Team,
    t: Translator,
) -> None:
    target = await _target(message, command, session)
    member = await teams.member(session, team, target.id) if target else None
    if member is None:
        await message.answer(t("leads.usage"))
        return
    member.is_lead = command.command == "lead"
    await session.commit()
    key = "leads.added" if member.is_lead else "leads.removed"
    await message.answer(t(key, name=user_name(member.user)))


async def _target(message: Message, command: CommandObject, session: AsyncSession) -> User | None:
    who = await people.named(message, command.args or "", session)
    return await session.get(User, who.user_id) if who.user_id else None


def setup() -> Router:
    """The leads feature's router, new for each Dispatcher."""
    router = Router(name="leads")
    router.message.filter(GROUP)
    router.message.register(name_lead, Command("lead", "unlead"), flags=LEADS_ONLY)
    return router
