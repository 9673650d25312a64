"""The failure rule: a failed update is either delivered again or answered, never both.

- A failure that would repeat on every delivery (a bug, a 400 from Telegram, a callback too
  old to answer) is logged once — update id, type, chat, handler — and the update counts as
  answered: 2xx in webhook mode, the offset moves on in polling. Delivering it again could
  only fail again, and in webhook mode Telegram holds the chat's later updates behind it.
- Only a transient failure (the database or Redis unreachable, this replica shutting down
  mid-update) asks for the update again: the webhook answers 503 so that Telegram delivers
  it again — possibly to another replica — and polling, whose offset already moved on,
  tries it again in-process a few times, in the update's own task (others go on meanwhile).
- An update of a type this aiogram doesn't know (a newer Bot API) is ignored with one line.

`RuleDispatcher.feed_update` applies it, outside aiogram's error handlers (`dp.errors`), so a
registered error handler still sees every failure first and its answer counts as handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import TelegramObject, Update
from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)

POLLING_ATTEMPTS = 4
POLLING_BACKOFF_S = 0.5
# OperationalError also reports mistakes in the SQL itself (SQLite): those repeat.
DETERMINISTIC_DB = ("no such table", "no such column", "syntax error", "has no column")


class Redeliver(Exception):
    """Raised to the webhook: the update failed transiently and should come again."""

    def __init__(self, update_id: int, reason: BaseException) -> None:
        super().__init__(f"update {update_id}: {type(reason).__name__}: {reason}")
        self.update_id = update_id
        self.reason = reason


@dataclass
class Trace:
    """What handled the update: filled in by `TraceMiddleware`, read by the failure log."""

    handler: str = "-"


class TraceMiddleware(BaseMiddleware):
    """An inner middleware on every event type: notes the handler that was chosen."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        trace: Trace | None = data.get("trace")
        found = data.get("handler")
        if trace is not None and found is not None:
            callback = found.callback
            trace.handler = f"{callback.__module__}.{getattr(callback, '__qualname__', callback)}"
        return await handler(event, data)


def install_trace(dp: Dispatcher) -> None:
    middleware = TraceMiddleware()
    for name, observer in dp.observers.items():
        if name not in ("update", "error"):
            observer.middleware(middleware)


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis import exceptions
    except ImportError:  # pragma: no cover - redis is in the lock
        return ()
    return (exceptions.ConnectionError, exceptions.TimeoutError)


def is_transient(error: BaseException) -> bool:
    """True if the same update may well succeed a moment later."""
    if isinstance(error, Redeliver):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.OperationalError):
        text = str(error).lower()
        return not any(marker in text for marker in DETERMINISTIC_DB)
    if isinstance(error, sa_exc.InterfaceError | sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if isinstance(error, _redis_errors()):
        return True
    # The database's own socket (Telegram's calls fail as TelegramNetworkError instead).
    return isinstance(error, ConnectionError)


def where(update: Update) -> str:
    """The update's type and chat, for the log."""
    try:
        kind = update.event_type
        event = update.event
    except Exception:
        return "unknown type"
    chat = getattr(event, "chat", None)
    if chat is None:
        message = getattr(event, "message", None)
        chat = getattr(message, "chat", None)
    user = getattr(event, "from_user", None)
    parts = [kind, f"chat={chat.id if chat is not None else '-'}"]
    if user is not None:
        parts.append(f"user={user.id}")
    return " ".join(parts)


class RuleDispatcher(Dispatcher):
    """aiogram's Dispatcher with the failure rule around every update (webhook and polling).

    `redeliver=True` (webhook mode) raises `Redeliver` on a transient failure; otherwise the
    update is tried again in-process (polling).
    """

    def __init__(self, *args: Any, redeliver: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redeliver = redeliver
        self.stopping = False
        self.polling_backoff_s = POLLING_BACKOFF_S
        install_trace(self)

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        try:
            update.event_type  # noqa: B018 - raises for a type this aiogram doesn't know
        except Exception:
            extra = sorted(set(update.model_extra or {}))
            log.info("update %s: unknown type %s, ignored", update.update_id, extra or "-")
            return UNHANDLED
        attempt = 0
        while True:
            attempt += 1
            trace = Trace()
            try:
                return await super().feed_update(bot, update, **kwargs, trace=trace)
            except Exception as error:
                transient = self.stopping or is_transient(error)
                if not transient:
                    self._answered(update, trace, error)
                    return UNHANDLED
                if self.redeliver:
                    log.warning(
                        "update %s (%s, handler %s) failed transiently: %s: %s; "
                        "asking Telegram to deliver it again",
                        update.update_id,
                        where(update),
                        trace.handler,
                        type(error).__name__,
                        error,
                    )
                    raise Redeliver(update.update_id, error) from error
                if attempt >= POLLING_ATTEMPTS or self.stopping:
                    log.error(
                        "update %s (%s, handler %s) failed transiently %d times, dropped: %s: %s",
                        update.update_id,
                        where(update),
                        trace.handler,
                        attempt,
                        type(error).__name__,
                        error,
                    )
                    return UNHANDLED
                delay = self.polling_backoff_s * 2 ** (attempt - 1)
                log.warning(
                    "update %s (%s, handler %s) failed transiently: %s: %s; again in %.1fs",
                    update.update_id,
                    where(update),
                    trace.handler,
                    type(error).__name__,
                    error,
                    delay,
                )
                await asyncio.sleep(delay)

    def _answered(self, update: Update, trace: Trace, error: Exception) -> None:
        """Logged once; a Telegram refusal in one line, anything else with its traceback.
        A 403 (the user blocked the bot) is ordinary: a warning."""
        telegram = isinstance(error, TelegramAPIError)
        level = logging.WARNING if isinstance(error, TelegramForbiddenError) else logging.ERROR
        log.log(
            level,
            "update %s (%s, handler %s) failed: %s: %s; answered, not delivered again",
            update.update_id,
            where(update),
            trace.handler,
            type(error).__name__,
            error,
            exc_info=None if telegram else error,
        )
