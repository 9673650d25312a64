from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import upsert_insert
from models.tables import User


class TgUser(Protocol):
    """What Telegram says of a user (aiogram's User has these)."""

    id: int
    username: str | None
    full_name: str
    language_code: str | None


async def upsert(session: AsyncSession, tg_user: TgUser) -> User:
    """The user's row, created or refreshed from what Telegram says of them (atomic)."""
    values = {
        "username": tg_user.username,
        "full_name": tg_user.full_name,
        "language_code": tg_user.language_code,
    }
    statement = (
        upsert_insert(session, User)
        .values(id=tg_user.id, started=False, blocked=False, **values)
        .on_conflict_do_update(index_elements=[User.id], set_=values)
        .returning(User)
    )
    return await session.scalar(statement, execution_options={"populate_existing": True})


async def refresh(session: AsyncSession, tg_user: TgUser) -> User:
    """The user's row, written only when it is missing or Telegram says something new of
    them (a name, a language): one SELECT for a known, unchanged user."""
    user = await session.get(User, tg_user.id)
    if (
        user is not None
        and user.username == tg_user.username
        and user.full_name == tg_user.full_name
        and user.language_code == tg_user.language_code
    ):
        return user
    return await upsert(session, tg_user)


async def by_username(session: AsyncSession, username: str) -> User | None:
    name = username.lstrip("@").lower()
    users = await session.scalars(select(User).where(User.username.is_not(None)))
    return next((u for u in users if u.username and u.username.lower() == name), None)


def mark_reachable(user: User) -> None:
    user.started = True
    user.blocked = False


@dataclass(frozen=True)
class Named:
    """Whom a command names. `user_id`: None when nobody is named, 0 for an @username nobody
    here has; `ref`: the @username as typed; `args`: the rest of the command."""

    user_id: int | None
    ref: str | None
    args: str


async def named(
    session: AsyncSession,
    args: str,
    *,
    mentioned_user_id: int | None = None,
    reply_user_id: int | None = None,
) -> Named:
    """The one rule for "who": a tapped mention (someone without a username; its name already
    cut from `args`), else a leading @username, else the person replied to."""
    if mentioned_user_id is not None:
        return Named(mentioned_user_id, None, args.strip())
    first, _, rest = args.strip().partition(" ")
    if first.startswith("@") and len(first) > 1:
        found = await by_username(session, first)
        return Named(found.id if found else 0, first, rest.strip())
    return Named(reply_user_id, None, args.strip())
