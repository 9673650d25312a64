from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import topic_of
from core.runtime import Runtime
from handlers.common import leads
from handlers.common.filters import GROUP
from handlers.common.senders import ANONYMOUS_OK
from models.tables import Team, User
from services.common.clock import team_today
from services.team import teams
from views.common import settings_text
from views.i18n import I18n, Translator


async def setup_team(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    team: Team | None,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
    anonymous_admin: bool = False,
) -> None:
    """An admin (or an admin posting anonymously as the group) registers the team."""
    admin = anonymous_admin or (
        user is not None and await leads.is_group_admin(bot, message.chat.id, user.id)
    )
    if not admin:
        await message.answer(t("onboarding.setup_admins_only"))
        return
    if team is not None:
        await message.answer(t("onboarding.setup_already"))
        return
    locale = i18n.for_user(user).locale
    timezone = runtime.settings.default_timezone
    team, _ = await teams.register(
        session,
        chat_id=message.chat.id,
        title=message.chat.title or "",
        locale=locale,
        timezone=timezone,
        created_by=user.id if user else None,
        today=team_today(runtime.now(), timezone),
        thread_id=topic_of(message),
    )
    await session.commit()
    t = i18n.get(team.locale)
    text = t("onboarding.setup_done", settings=settings_text(team, t))
    if message.chat.is_forum:
        topic = "onboarding.setup_topic" if team.thread_id else "onboarding.setup_general"
        text = f"{text}\n\n{t(topic)}"
    await message.answer(text)


def setup() -> Router:
    """The setup feature's router, new for each Dispatcher."""
    router = Router(name="setup")
    router.message.filter(GROUP)
    router.message.register(setup_team, Command("setup"), flags=ANONYMOUS_OK)
    return router
