from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from core.runtime import AdminCache
from models.tables import Team
from services.team import teams

ADMIN_STATUSES = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR}


async def is_group_admin(
    bot: Bot, chat_id: int, user_id: int, cache: AdminCache | None = None
) -> bool:
    """Whether the person is an admin of the group right now (per Telegram)."""
    if cache is not None and (known := cache.get(chat_id, user_id)) is not None:
        return known
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramAPIError:
        return False
    admin = member.status in ADMIN_STATUSES
    if cache is not None:
        cache.put(chat_id, user_id, admin)
    return admin


async def is_lead(
    bot: Bot, session: AsyncSession, team: Team, user_id: int, cache: AdminCache | None = None
) -> bool:
    """Leads are the group's current admins plus the active members a lead named with /lead;
    someone who left the group is neither."""
    found = await teams.member(session, team, user_id)
    admin = await is_group_admin(bot, team.chat_id, user_id, cache)
    if found is not None and found.is_admin != admin:
        found.is_admin = admin
    return admin or (found is not None and found.active and found.is_lead)
