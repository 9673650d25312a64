"""Per-update middlewares: a DB session, the sender's user row, the team, the translator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update
from aiogram.types import User as TgUser
from sqlalchemy import bindparam, event, func, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from models.base import utcnow
from models.tables import ProcessedUpdate
from services.common.errors import UserError
from services.team import teams, users
from views.i18n import I18n

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


# Built once, run with parameters (Core on the table, no ORM unit of work): the three
# statements every update pays cost the least they can.
_PROCESSED = ProcessedUpdate.__table__
_SEEN = select(_PROCESSED.c.update_id).where(_PROCESSED.c.update_id == bindparam("update_id"))
_HIGHEST = select(func.max(_PROCESSED.c.update_id))
_RECORD = insert(_PROCESSED)
# INSERT the update id unless it is there; RETURNING says whether this call stored it.
_CLAIM = (
    postgresql.insert(_PROCESSED)
    .values(update_id=bindparam("update_id"), processed_at=bindparam("processed_at"))
    .on_conflict_do_nothing()
    .returning(_PROCESSED.c.update_id)
)


def _record_update(session: Session) -> None:
    update_id = session.info.pop("update_id", None)
    if update_id is not None:
        session.execute(_RECORD, {"update_id": update_id, "processed_at": utcnow()})


def _claim_kept(session: Session) -> None:
    session.info.pop("claimed", None)


def _claim_lost(session: Session) -> None:
    """A rollback before the first commit took the claim with it: the next commit writes it."""
    update_id = session.info.pop("claimed", None)
    if update_id is not None:
        session.info["update_id"] = update_id


class InFlightMiddleware(BaseMiddleware):
    """Counts the updates being handled right now (tests and the demo wait for zero)."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, handler: Handler, event_: TelegramObject, data: dict[str, Any]) -> Any:
        self.count += 1
        try:
            return await handler(event_, data)
        finally:
            self.count -= 1


class PerSenderOrderMiddleware(BaseMiddleware):
    """Updates from one person are handled one after another, in order (two quick answers
    must not both land on the same question); different people still run concurrently."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    async def __call__(self, handler: Handler, event_: TelegramObject, data: dict[str, Any]) -> Any:
        sender: TgUser | None = data.get("event_from_user")
        if sender is None:
            return await handler(event_, data)
        lock = self._locks.setdefault(sender.id, asyncio.Lock())
        try:
            async with lock:
                return await handler(event_, data)
        finally:
            if not lock.locked() and not lock._waiters:
                self._locks.pop(sender.id, None)


class DbSessionMiddleware(BaseMiddleware):
    """One session per update; the update id is stored with the update's first commit,
    so an update delivered twice (a restart before the offset was confirmed) acts once.

    On PostgreSQL the id is claimed by the update's first statement (INSERT … ON CONFLICT DO
    NOTHING RETURNING): a replica handling the same update waits on that row until the first
    commit, then finds it. On SQLite, where any write locks the whole database until the
    commit, the id is written by the first commit and looked up first — unless it is above
    every id this process has stored or seen (see _unseen)."""

    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self.sessionmaker = sessionmaker
        self.highest: int | None = None  # SQLite: the highest update id stored or seen
        self._highest_read = asyncio.Lock()

    async def __call__(self, handler: Handler, event_: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as session:
            if isinstance(event_, Update) and not await self._first_time(session, event_.update_id):
                return None
            data["session"] = session
            try:
                result = await handler(event_, data)
            except UserError:
                # A refusal (handlers/common/errors.py tells it): nothing the handler wrote is
                # kept, but the update counts as handled.
                await session.rollback()
                await session.commit()
                raise
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
            return result

    async def _first_time(self, session: AsyncSession, update_id: int) -> bool:
        sync = session.sync_session
        if session.bind.dialect.name == "postgresql":
            claim = {"update_id": update_id, "processed_at": utcnow()}
            if await session.scalar(_CLAIM, claim) is None:
                return False
            session.info["claimed"] = update_id
            event.listen(sync, "after_commit", _claim_kept)
            event.listen(sync, "after_rollback", _claim_lost)
        elif not await self._unseen(session, update_id):
            return False
        else:
            session.info["update_id"] = update_id
        event.listen(sync, "before_commit", _record_update)
        return True

    async def _unseen(self, session: AsyncSession, update_id: int) -> bool:
        """SQLite: whether this update has not been handled yet. On SQLite one process takes
        the updates and Telegram's ids grow, so an id above the highest one stored (read once)
        and seen since can't have been handled: no lookup. Any other id — a redelivery, a
        retry, or the random id Telegram starts from after a week without updates — is
        looked up."""
        if self.highest is None:
            async with self._highest_read:
                if self.highest is None:
                    self.highest = await session.scalar(_HIGHEST) or 0
        if update_id > self.highest:
            self.highest = update_id
            return True
        return await session.scalar(_SEEN, {"update_id": update_id}) is None


class ContextMiddleware(BaseMiddleware):
    """Loads the sender's user row, the chat's team, and picks the translator `t`.

    In a group the team's language is used (everyone reads it); in private chat the user's
    own choice, else Telegram's language_code, else their team's, else the default.
    """

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(self, handler: Handler, event_: TelegramObject, data: dict[str, Any]) -> Any:
        session: AsyncSession = data["session"]
        tg_user: TgUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        user = await users.refresh(session, tg_user) if tg_user and not tg_user.is_bot else None
        team = None
        if chat is not None and chat.type in ("group", "supergroup"):
            team = await teams.by_chat(session, chat.id)
        data["user"] = user
        data["team"] = team
        if team is not None:
            data["t"] = self.i18n.get(team.locale)
        elif user is not None and self.i18n.chosen(user.locale, user.language_code):
            data["t"] = self.i18n.for_user(user)  # their own language: no team needed
        else:
            home = await teams.home_team(session, user) if user else None
            data["t"] = self.i18n.for_user(user, home)
        return await handler(event_, data)
