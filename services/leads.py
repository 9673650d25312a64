from __future__ import annotations

import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Team
from services import teams

ADMIN_STATUSES = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR}


class AdminCache:
    """The group's answer to «is this person an admin?», kept briefly (`ttl` seconds) so a
    burst of lead actions asks Telegram once; a chat_member update for the chat forgets it."""

    def __init__(self, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._seen: dict[tuple[int, int], tuple[float, bool]] = {}

    def get(self, chat_id: int, user_id: int) -> bool | None:
        hit = self._seen.get((chat_id, user_id))
        if hit is None or self._clock() - hit[0] > self.ttl:
            return None
        return hit[1]

    def put(self, chat_id: int, user_id: int, admin: bool) -> None:
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[(chat_id, user_id)] = (self._clock(), admin)

    def forget(self, chat_id: int, user_id: int | None = None) -> None:
        for key in [k for k in self._seen if k[0] == chat_id and user_id in (None, k[1])]:
            del self._seen[key]


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
