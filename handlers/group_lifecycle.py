"""The bot added to or removed from a group, and a group upgraded to a supergroup."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common.filters import GROUP
from models.tables import Team
from services.team import teams
from views.i18n import Translator


async def bot_added(
    event: ChatMemberUpdated, bot: Bot, session: AsyncSession, team: Team | None, t: Translator
) -> None:
    if team is not None:
        team.paused = False
        team.title = event.chat.title or team.title
        await session.commit()
        await bot.send_message(event.chat.id, t("onboarding.resumed"))
        return
    await bot.send_message(event.chat.id, t("onboarding.greet"))


async def bot_removed(event: ChatMemberUpdated, session: AsyncSession, team: Team | None) -> None:
    if team is not None:
        team.paused = True
        await session.commit()


async def migrated_to(message: Message, session: AsyncSession) -> None:
    await teams.migrate_chat(session, message.chat.id, message.migrate_to_chat_id)
    await session.commit()


async def migrated_from(message: Message, session: AsyncSession) -> None:
    await teams.migrate_chat(session, message.migrate_from_chat_id, message.chat.id)
    await session.commit()


def setup() -> Router:
    """The group_lifecycle feature's router, new for each Dispatcher."""
    router = Router(name="group_lifecycle")
    router.my_chat_member.filter(GROUP)
    router.message.filter(GROUP)
    router.my_chat_member.register(bot_added, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.my_chat_member.register(bot_removed, ChatMemberUpdatedFilter(LEAVE_TRANSITION))
    router.message.register(migrated_to, F.migrate_to_chat_id)
    router.message.register(migrated_from, F.migrate_from_chat_id)
    return router
