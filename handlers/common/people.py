"""Whom a message points at without typing a username: the Telegram half of the one "who"
rule (services/team/users.named has the rest)."""

from __future__ import annotations

from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from services.team import users
from services.team.users import Named


def pointed_at(message: Message, args: str) -> tuple[int | None, int | None, str]:
    """(the tapped mention's user id, the replied-to sender's id, args without the mention's
    name); bots are never anyone's target."""
    mentioned = None
    for entity in message.entities or ():
        if entity.type == "text_mention" and entity.user is not None and not entity.user.is_bot:
            mentioned = entity.user.id
            args = args.replace(entity.extract_from(message.text or ""), "", 1)
            break
    replied = message.reply_to_message
    sender = replied.from_user if replied else None
    reply_id = sender.id if sender is not None and not sender.is_bot else None
    return mentioned, reply_id, args


async def named(message: Message, args: str, session: AsyncSession) -> Named:
    """Whom the command names: a tapped mention, a leading @username, or the replied-to person."""
    mentioned, reply_id, args = pointed_at(message, args)
    return await users.named(session, args, mentioned_user_id=mentioned, reply_user_id=reply_id)
