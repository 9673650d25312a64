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

router = Router(name="group_lifecycle")
router.my_chat_member.filter(GROUP)
router.message.filter(GROUP)


@router.my_chat_member(ChatMemberUpdatedFilter(JOIN_TRANSITION))
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


@router.my_chat_member(ChatMemberUpdatedFilter(LEAVE_TRANSITION))
async def bot_removed(event: ChatMemberUpdated, session: AsyncSession, team: Team | None) -> None:
    if team is not None:
        team.paused = True
        await session.commit()


@router.message(F.migrate_to_chat_id)
async def migrated_to(message: Message, session: AsyncSession) -> None:
    await teams.migrate_chat(session, message.chat.id, message.migrate_to_chat_id)
    await session.commit()


@router.message(F.migrate_from_chat_id)
async def migrated_from(message: Message, session: AsyncSession) -> None:
    await teams.migrate_chat(session, message.migrate_from_chat_id, message.chat.id)
    await session.commit()
