"""The one outgoing path: every Bot API call of the bot passes `DeliveryMiddleware`.

- Telegram's flood limits (overall, per private chat, per group) are kept by sliding windows,
  the same rule Telegram's flood control applies; a chat that must wait never holds up others,
  and calls to one chat keep their order (retries included).
- `TelegramRetryAfter` (429) pauses that chat — or every chat when the 429 can't be the chat's
  own limit — for `retry_after` seconds, then the call is repeated.
- 5xx answers and network errors are retried with exponential backoff, at most
  `delivery_max_attempts` attempts in all. A send whose fate is unknown (timeout, connection
  dropped after the request went out) is repeated only if `delivery_retry_uncertain` is on:
  Telegram has no idempotency key, so that retry can duplicate a message Telegram did deliver.
- 403 from a private chat (the user blocked the bot or never started it) is stored on the
  user's row (`users.blocked` / `users.started`) and raised on, so a broadcast skips them.
- `answerCallbackQuery` refused with «query is too old ... or query ID is invalid» (Telegram
  says so 15 s after the press, and for a press delivered again after a restart) is expected:
  logged in one line and absorbed, so the handler goes on and the press still takes effect
  (or is refused as stale by the handler, though the refusal can't be shown any more).
- A post to a forum topic that was deleted (400 «message thread not found») is sent again to
  General, after a short notice there in the team's language; the team's stored topic is
  cleared (by a task of its own), so every later post goes to General.
- Other errors (400s...) are logged with the method and chat, and raised on.

Where a team's group posts go is decided in one place, `to_group(team)`: its chat and, in a
forum supergroup, the topic it lives in (teams.thread_id; None: General). Replies to a message
keep that message's topic (aiogram's `message.answer` does; `reply_place` for the rest).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import Message
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.config import Settings
from models.tables import Team, User
from views.i18n import I18n

log = logging.getLogger(__name__)
T = TypeVar("T")

# A margin over Telegram's windows. Hits are counted from when Telegram answered (never before
# the server counted them), so network jitter can't make our window emptier than the server's;
# the margin only covers clock-rate differences.
SAFETY_FACTOR = 1.0
SAFETY_SECONDS = 0.002
MAX_FLOOD_RETRIES = 10
MAX_BACKOFF_S = 10.0
UNREACHABLE_BLOCKED = ("blocked by the user", "user is deactivated")
UNREACHABLE_NOT_STARTED = ("can't initiate conversation",)
QUERY_EXPIRED = ("query is too old", "query id is invalid")
THREAD_GONE = "message thread not found"


def to_group(team: Team) -> dict[str, Any]:
    """Where every post to the team's group goes: `bot.send_message(**to_group(team), ...)`."""
    return {"chat_id": team.chat_id, "message_thread_id": team.thread_id}


def topic_of(message: Message) -> int | None:
    """The forum topic a group message was sent in; None for General (or no forum)."""
    return message.message_thread_id if message.is_topic_message else None


def reply_place(message: Message) -> dict[str, Any]:
    """Where an answer to `message` goes: its chat, in its topic."""
    return {"chat_id": message.chat.id, "message_thread_id": topic_of(message)}


def thread_gone(method: TelegramMethod[Any], error: TelegramAPIError) -> bool:
    """A send into a group topic that doesn't exist any more."""
    return (
        isinstance(error, TelegramBadRequest)
        and creates_message(method)
        and getattr(method, "message_thread_id", None) is not None
        and THREAD_GONE in error.message.lower()
    )


def expired_query(method: TelegramMethod[Any], error: TelegramAPIError) -> bool:
    """The callback query can't be answered any more (too old, or delivered again)."""
    text = error.message.lower()
    return method.__api_method__ == "answerCallbackQuery" and any(m in text for m in QUERY_EXPIRED)


@dataclass(frozen=True)
class Limits:
    """Messages per period; 0 (or less) turns that limit off."""

    global_per_s: float = 30
    private_per_s: float = 1
    group_per_min: float = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            settings.delivery_global_per_s,
            settings.delivery_private_per_s,
            settings.delivery_group_per_min,
        )


class Window:
    """At most `count` hits in any `period` seconds (stretched by the safety margin)."""

    def __init__(self, count: float, period: float) -> None:
        self.capacity = max(1, int(count))
        self.period = (self.capacity * period / count) * SAFETY_FACTOR + SAFETY_SECONDS
        self.hits: deque[float] = deque()
        self.last_two: deque[float] = deque(maxlen=2)

    def hit(self, now: float) -> None:
        self.hits.append(now)
        self.last_two.append(now)

    def restamp(self, sent: float, answered: float) -> None:
        """Count the hit taken at `sent` from `answered` instead (keeps the hits in order)."""
        try:
            self.hits.remove(sent)
        except ValueError:
            return
        bisect.insort(self.hits, answered)
        if self.last_two and self.last_two[-1] == sent:
            self.last_two[-1] = answered

    def near_limit(self, now: float) -> bool:
        """True if the hit before the latest one came within two periods: a 429 then may be
        this window's own (the server's clock saw the two closer than ours did)."""
        return len(self.last_two) == 2 and self.last_two[0] > now - 2 * self.period

    def wait_time(self, now: float) -> float:
        while self.hits and self.hits[0] <= now - self.period:
            self.hits.popleft()
        if len(self.hits) < self.capacity:
            return 0.0
        return self.hits[0] + self.period - now

    def recent(self, now: float) -> int:
        self.wait_time(now)
        return len(self.hits)


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    window: Window | None = None
    paused_until: float = 0.0
    users: int = 0


class RateLimiter:
    """Slots for sending: per chat in order, never blocking other chats."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._global = Window(limits.global_per_s, 1.0) if limits.global_per_s > 0 else None
        self._global_lock = asyncio.Lock()
        self._global_paused_until = 0.0
        self._chats: dict[int | str, _Chat] = {}

    def _new_window(self, chat_id: int | str) -> Window | None:
        private = isinstance(chat_id, int) and chat_id > 0
        if private and self.limits.private_per_s > 0:
            return Window(self.limits.private_per_s, 1.0)
        if not private and self.limits.group_per_min > 0:
            return Window(self.limits.group_per_min, 60.0)
        return None

    @contextlib.asynccontextmanager
    async def chat(self, chat_id: int | str) -> AsyncIterator[_Chat]:
        """Hold the chat: calls to one chat go one at a time, in the order they came."""
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _Chat(window=self._new_window(chat_id))
        state.users += 1
        try:
            async with state.lock:
                yield state
        finally:
            state.users -= 1
            if state.users == 0 and self._idle(state):
                self._chats.pop(chat_id, None)

    def _idle(self, state: _Chat) -> bool:
        now = self.clock()
        recent = state.window.recent(now) if state.window else 0
        return recent == 0 and state.paused_until <= now

    async def slot(self, state: _Chat) -> float:
        """Wait until the chat and the bot may send one more message, and take it; returns
        the hit's time for `answered`."""
        while True:
            now = self.clock()
            wait = max(state.paused_until - now, state.window.wait_time(now) if state.window else 0)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        async with self._global_lock:
            while True:
                now = self.clock()
                wait = self._global_paused_until - now
                if self._global is not None:
                    wait = max(wait, self._global.wait_time(now))
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            if self._global is not None:
                self._global.hit(now)
            if state.window is not None:
                state.window.hit(now)
            return now

    def answered(self, state: _Chat, sent: float) -> None:
        """Telegram answered the call whose slot was taken at `sent`: count it from now."""
        now = self.clock()
        if self._global is not None:
            self._global.restamp(sent, now)
        if state.window is not None:
            state.window.restamp(sent, now)

    def flood(self, state: _Chat, retry_after: float) -> bool:
        """Honour a 429; returns True if every chat was paused (the 429 wasn't the chat's)."""
        now = self.clock()
        until = now + retry_after
        own_limit = state.window is not None and state.window.near_limit(now)
        state.paused_until = max(state.paused_until, until)
        if not own_limit:
            self._global_paused_until = max(self._global_paused_until, until)
        return not own_limit


def limited(method: TelegramMethod[Any]) -> bool:
    """Methods that put a message into a chat: the ones Telegram's flood limits count."""
    name = method.__api_method__
    return name.startswith(("send", "copyMessage", "forwardMessage")) and name != "sendChatAction"


def creates_message(method: TelegramMethod[Any]) -> bool:
    """Not idempotent: repeating it after an unknown outcome may make a second message."""
    return method.__api_method__.startswith(("send", "copyMessage", "forwardMessage"))


def chat_of(method: TelegramMethod[Any]) -> int | str | None:
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int | str) else None


def uncertain(error: BaseException) -> bool:
    """True if the request may have reached Telegram (we can't know if it acted)."""
    if isinstance(error, ClientDecodeError):
        return True
    cause = error.__cause__
    return not isinstance(cause, aiohttp.ClientConnectorError)


def describe(method: TelegramMethod[Any]) -> str:
    text = getattr(method, "text", None) or getattr(method, "caption", None)
    preview = f" {str(text)[:60]!r}" if text else ""
    return f"{method.__api_method__} chat={chat_of(method)}{preview}"


class DeliveryMiddleware(BaseRequestMiddleware):
    """Install with `bot.session.middleware(DeliveryMiddleware(settings, sessionmaker))`."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker | None = None,
        *,
        limiter: RateLimiter | None = None,
        seed: int | None = None,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.limiter = limiter or RateLimiter(Limits.from_settings(settings))
        self.random = random.Random(seed)
        self.pending: set[asyncio.Task[None]] = set()
        # Topics Telegram said are gone: later sends there go to General at once.
        self.gone_topics: set[tuple[int | str, int]] = set()
        self._i18n: I18n | None = None
        # aiogram reads every answer as Response[T]; pydantic keeps such a generic class only
        # while something refers to it, so without these it is rebuilt (~10 ms) on most calls.
        self.response_types: dict[type, type] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        if type(method) not in self.response_types:
            self.response_types[type(method)] = Response[method.__returning__]
        if method.__api_method__ == "getUpdates":  # the polling loop has its own retries
            return await make_request(bot, method)
        chat_id = chat_of(method)
        if chat_id is None or not limited(method):
            return await self._attempts(make_request, bot, method, None)
        async with self.limiter.chat(chat_id) as state:
            return await self._attempts(make_request, bot, method, state)

    async def _attempts(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
        state: _Chat | None,
    ) -> Any:
        thread = getattr(method, "message_thread_id", None)
        if thread is not None and (chat_of(method), thread) in self.gone_topics:
            method = method.model_copy(update={"message_thread_id": None})
        failures = floods = 0
        while True:
            sent = await self.limiter.slot(state) if state is not None else None
            try:
                try:
                    return await make_request(bot, method)
                finally:
                    if state is not None and sent is not None:
                        self.limiter.answered(state, sent)
            except TelegramRetryAfter as error:
                floods += 1
                if floods > MAX_FLOOD_RETRIES:
                    log.error("giving up after %d flood waits: %s", floods - 1, describe(method))
                    raise
                if state is None:
                    log.info("429: waiting %ss: %s", error.retry_after, describe(method))
                    await asyncio.sleep(error.retry_after)
                    continue
                everyone = self.limiter.flood(state, error.retry_after)
                log.info(
                    "429: waiting %ss (%s): %s",
                    error.retry_after,
                    "every chat" if everyone else "this chat",
                    describe(method),
                )
            except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as error:
                failures += 1
                if not self._retryable(error, method) or failures >= self._max_attempts:
                    log.error(
                        "not delivered after %d attempt(s): %s: %s",
                        failures,
                        describe(method),
                        error,
                    )
                    raise
                delay = self._backoff(failures)
                log.warning(
                    "attempt %d failed, retry in %.2fs: %s: %s",
                    failures,
                    delay,
                    describe(method),
                    error,
                )
                await asyncio.sleep(delay)
            except TelegramForbiddenError as error:
                self._unreachable(chat_of(method), error.message)
                raise
            except TelegramAPIError as error:
                if expired_query(method, error):
                    query_id = getattr(method, "callback_query_id", None)
                    log.info("callback query %s can't be answered any more", query_id)
                    return True
                if thread_gone(method, error):
                    return await self._to_general(make_request, bot, method, state)
                log.warning("%s refused: %s", describe(method), error.message)
                raise

    @property
    def _max_attempts(self) -> int:
        return self.settings.delivery_max_attempts

    def _retryable(self, error: Exception, method: TelegramMethod[Any]) -> bool:
        if isinstance(error, TelegramEntityTooLarge):
            return False
        if isinstance(error, TelegramServerError):
            return True
        if not uncertain(error) or not creates_message(method):
            return True
        return self.settings.delivery_retry_uncertain

    def _backoff(self, failures: int) -> float:
        base = self.settings.delivery_backoff_s * 2 ** (failures - 1)
        return min(MAX_BACKOFF_S, base) * self.random.uniform(0.75, 1.25)

    # ------------------------------------------------------------------ deleted topics
    async def _to_general(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
        state: _Chat | None,
    ) -> Any:
        """The topic is gone: a notice in General, the post again there, the topic forgotten."""
        chat_id, thread = chat_of(method), method.message_thread_id  # type: ignore[attr-defined]
        assert chat_id is not None
        log.warning("topic %s of chat %s is gone: posting to General", thread, chat_id)
        first = (chat_id, thread) not in self.gone_topics
        self.gone_topics.add((chat_id, thread))
        if first:
            locale = await self._forget_topic(chat_id, thread)
            if locale is not None:
                notice = SendMessage(chat_id=chat_id, text=self.i18n.get(locale)("topic.gone"))
                try:
                    await self._attempts(make_request, bot, notice, state)
                except TelegramAPIError as error:
                    log.warning("topic notice not posted to %s: %s", chat_id, error.message)
        general = method.model_copy(update={"message_thread_id": None})
        return await self._attempts(make_request, bot, general, state)

    @property
    def i18n(self) -> I18n:
        if self._i18n is None:
            self._i18n = I18n(self.settings.default_locale)
        return self._i18n

    async def _forget_topic(self, chat_id: int | str, thread: int) -> str | None:
        """The language of the team living in that topic (None: no team lives there), whose
        stored topic is cleared by a task of its own (the caller may hold a write transaction)."""
        if self.sessionmaker is None or not isinstance(chat_id, int):
            return None
        async with self.sessionmaker() as session:
            locale = await session.scalar(
                select(Team.locale).where(Team.chat_id == chat_id, Team.thread_id == thread)
            )
        if locale is None:
            return None
        statement = (
            update(Team)
            .where(Team.chat_id == chat_id, Team.thread_id == thread)
            .values(thread_id=None)
        )
        task = asyncio.create_task(self._execute(statement, f"topic of chat {chat_id}"))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return locale

    async def _execute(self, statement: Any, what: str) -> None:
        assert self.sessionmaker is not None
        try:
            async with self.sessionmaker() as session:
                await session.execute(statement)
                await session.commit()
        except Exception:
            log.exception("could not store the %s", what)

    # ------------------------------------------------------------------ 403
    def _unreachable(self, chat_id: int | str | None, description: str) -> None:
        if not isinstance(chat_id, int) or chat_id <= 0:
            log.warning("403 from chat %s: %s", chat_id, description)
            return
        text = description.lower()
        if any(reason in text for reason in UNREACHABLE_BLOCKED):
            values = {"blocked": True}
        elif any(reason in text for reason in UNREACHABLE_NOT_STARTED):
            values = {"started": False}
        else:
            log.warning("403 from user %s: %s", chat_id, description)
            return
        log.info("user %s is unreachable (%s)", chat_id, description)
        if self.sessionmaker is None:
            return
        # Stored by a task of its own: the caller may hold a write transaction (SQLite).
        task = asyncio.create_task(self._store(chat_id, values))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _store(self, user_id: int, values: dict[str, bool]) -> None:
        assert self.sessionmaker is not None
        try:
            async with self.sessionmaker() as session:
                await session.execute(update(User).where(User.id == user_id).values(**values))
                await session.commit()
        except Exception:
            log.exception("could not store that user %s is unreachable", user_id)

    async def flush(self) -> None:
        """Wait until every unreachable mark is stored (tests, shutdown)."""
        while self.pending:
            await asyncio.gather(*list(self.pending), return_exceptions=True)


async def fan_out(
    items: Iterable[T], worker: Callable[[T], Awaitable[object]], *, concurrency: int = 24
) -> None:
    """Run `worker` for every item, `concurrency` at a time: a broadcast's recipients proceed
    side by side, so one chat's wait (its own limit, a 429, a retry) holds up no other. A
    failing item is logged and doesn't stop the rest."""
    gate = asyncio.Semaphore(concurrency)

    async def one(item: T) -> None:
        async with gate:
            try:
                await worker(item)
            except Exception:
                log.exception("broadcast to %r failed", item)

    await asyncio.gather(*(one(item) for item in items))


def install(bot: Bot, settings: Settings, sessionmaker: async_sessionmaker) -> DeliveryMiddleware:
    middleware = DeliveryMiddleware(settings, sessionmaker)
    bot.session.middleware(middleware)
    return middleware


def delivery_of(bot: Bot) -> DeliveryMiddleware | None:
    return next((m for m in bot.session.middleware if isinstance(m, DeliveryMiddleware)), None)
