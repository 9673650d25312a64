from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.runtime import Runtime
from handlers.common import leads
from handlers.common.filters import GROUP
from models.tables import Team, User
from services.common.clock import team_today
from services.team import teams
from views.common import settings_text
from views.i18n import I18n, Translator


async def setup_team(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    user: User,
    team: Team | None,
    t: Translator,
    i18n: I18n,
    runtime: Runtime,
) -> None:
    if not await leads.is_group_admin(bot, message.chat.id, user.id):
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
        created_by=user.id,
        today=team_today(runtime.now(), timezone),
    )
    await session.commit()
    t = i18n.get(team.locale)
    await message.answer(t("onboarding.setup_done", settings=settings_text(team, t)))


def setup() -> Router:
    """The setup feature's router, new for each Dispatcher."""
    router = Router(name="setup")
    router.message.filter(GROUP)
    router.message.register(setup_team, Command("setup"))
    return router
