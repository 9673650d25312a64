"""The bot added to or removed from a group, and a group upgraded to a supergroup."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import to_group
from core.runtime import Runtime
from handlers.common.filters import GROUP
from handlers.common.senders import ANONYMOUS_OK
from jobs import meeting as meeting_flow
from models.tables import Team
from services.team import teams
from views.i18n import I18n, Translator


async def bot_added(
    event: ChatMemberUpdated,
    bot: Bot,
    session: AsyncSession,
    team: Team | None,
    t: Translator,
    i18n: I18n,
) -> None:
    """Back in a team's group: resumed, and the minutes it couldn't post are posted (once)."""
    if team is not None:
        team.paused = False
        team.title = event.chat.title or team.title
        await session.commit()
        t = i18n.get(team.locale)
        await bot.send_message(**to_group(team), text=t("onboarding.resumed"))
        await meeting_flow.post_held_minutes(bot, session, team, t)
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


async def member_left(
    event: ChatMemberUpdated, session: AsyncSession, team: Team | None, runtime: Runtime
) -> None:
    runtime.admins.forget(event.chat.id, event.new_chat_member.user.id)
    if team is not None:
        await teams.leave(session, team, event.new_chat_member.user.id)
        await session.commit()


async def member_back(
    event: ChatMemberUpdated, session: AsyncSession, team: Team | None, runtime: Runtime
) -> None:
    runtime.admins.forget(event.chat.id, event.new_chat_member.user.id)
    if team is not None:
        await teams.come_back(session, team, event.new_chat_member.user.id)
        await session.commit()


async def member_changed(event: ChatMemberUpdated, runtime: Runtime) -> None:
    """Promoted or demoted: the next lead action asks Telegram again."""
    runtime.admins.forget(event.chat.id, event.new_chat_member.user.id)


async def left_message(
    message: Message, session: AsyncSession, team: Team | None, runtime: Runtime
) -> None:
    gone = message.left_chat_member
    if gone is None or gone.is_bot:
        return
    runtime.admins.forget(message.chat.id, gone.id)
    if team is not None:
        await teams.leave(session, team, gone.id)
        await session.commit()


async def joined_message(
    message: Message, session: AsyncSession, team: Team | None, runtime: Runtime
) -> None:
    for person in message.new_chat_members or []:
        if person.is_bot:
            continue
        runtime.admins.forget(message.chat.id, person.id)
        if team is not None:
            await teams.come_back(session, team, person.id)
    await session.commit()


def setup() -> Router:
    """The group_lifecycle feature's router, new for each Dispatcher. Membership follows the
    group: someone who leaves (or is removed) is an inactive member from then on — no
    questions, reminders, speaker slot or lead rights, their history kept; coming back
    restores them."""
    router = Router(name="group_lifecycle")
    router.my_chat_member.filter(GROUP)
    router.chat_member.filter(GROUP)
    router.message.filter(GROUP)
    router.my_chat_member.register(bot_added, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.my_chat_member.register(bot_removed, ChatMemberUpdatedFilter(LEAVE_TRANSITION))
    router.chat_member.register(member_left, ChatMemberUpdatedFilter(LEAVE_TRANSITION))
    router.chat_member.register(member_back, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.chat_member.register(member_changed)
    router.message.register(migrated_to, F.migrate_to_chat_id, flags=ANONYMOUS_OK)
    router.message.register(migrated_from, F.migrate_from_chat_id, flags=ANONYMOUS_OK)
    router.message.register(left_message, F.left_chat_member)
    router.message.register(joined_message, F.new_chat_members)
    return router
