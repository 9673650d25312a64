"""Who may run a group command, declared on the handler with flags and checked in one place.

    @router.message(Command("settings"), flags=LEADS_ONLY)

TEAM_REQUIRED: the group must have a team (else: «run /setup»). LEADS_ONLY: and the sender
must be a lead (else the refusal, or the key given with `leads_only("meeting.leads_only")`).
A callback query is refused with an alert instead of a message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common import leads
from models.tables import Team, User

TEAM_REQUIRED = {"team": "member"}
LEADS_ONLY = {"team": "lead"}

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def leads_only(refusal: str) -> dict[str, str]:
    return {"team": "lead", "refusal": refusal}


class TeamGuard(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        need = get_flag(data, "team")
        if need is None:
            return await handler(event, data)
        t = data["t"]
        team: Team | None = data.get("team")
        if team is None:
            return await _refuse(event, t("onboarding.not_set_up"))
        if need == "lead":
            bot: Bot = data["bot"]
            session: AsyncSession = data["session"]
            user: User = data["user"]
            if not await leads.is_lead(bot, session, team, user.id):
                refusal = get_flag(data, "refusal", default="common.leads_only")
                return await _refuse(event, t(refusal))
        return await handler(event, data)


async def _refuse(event: TelegramObject, text: str) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    elif isinstance(event, Message):
        await event.answer(text)
