from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common.filters import GROUP
from handlers.common.guards import TEAM_REQUIRED
from models.tables import Team
from services.team import teams
from views.common import reachability, roles_text, user_name
from views.i18n import Translator


async def list_members(message: Message, session: AsyncSession, team: Team, t: Translator) -> None:
    people = await teams.members(session, team)
    if not people:
        await message.answer(t("members.empty"))
        return
    lines = [
        t(
            "members.line",
            name=user_name(m.user),
            roles=roles_text(m, t),
            lead=t("members.lead_mark") if m.leads else "",
            reach=reachability(m.user, t),
        )
        for m in people
    ]
    header = t.n("members.header", len(people))
    await message.answer("\n".join([header, "", *lines]))


def setup() -> Router:
    """The members feature's router, new for each Dispatcher."""
    router = Router(name="members")
    router.message.filter(GROUP)
    router.message.register(list_members, Command("members"), flags=TEAM_REQUIRED)
    return router
