from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Team
from services.team import teams

ADMIN_STATUSES = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR}


async def is_group_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramAPIError:
        return False
    return member.status in ADMIN_STATUSES


async def is_lead(bot: Bot, session: AsyncSession, team: Team, user_id: int) -> bool:
    """Leads are the group's admins plus anyone a lead named with /lead."""
    found = await teams.member(session, team, user_id)
    admin = await is_group_admin(bot, team.chat_id, user_id)
    if found is not None and found.is_admin != admin:
        found.is_admin = admin
    return admin or (found is not None and found.is_lead)
