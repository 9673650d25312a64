"""/lead @user and /unlead @user: leads name other leads."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common.filters import GROUP
from handlers.common.guards import LEADS_ONLY
from models.tables import Team, User
from services.team import teams, users
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
    if message.reply_to_message and message.reply_to_message.from_user:
        return await session.get(User, message.reply_to_message.from_user.id)
    if command.args and command.args.strip().startswith("@"):
        return await users.by_username(session, command.args.strip().split()[0])
    return None


def setup() -> Router:
    """The leads feature's router, new for each Dispatcher."""
    router = Router(name="leads")
    router.message.filter(GROUP)
    router.message.register(name_lead, Command("lead", "unlead"), flags=LEADS_ONLY)
    return router
