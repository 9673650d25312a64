"""TelegramEmulator: an in-process Telegram Bot API for tests and the offline demo."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from tgemu.files import FileStore
from tgemu.limits import FaultInjector, RateLimiter, Stats
from tgemu.people import PeopleMixin
from tgemu.pulse import Pulse, wait
from tgemu.server import build_app
from tgemu.transcript import Event, bot_who
from tgemu.updates import UpdateQueue
from tgemu.world import Chat, SentMessage, User, World, buttons_of

log = logging.getLogger(__name__)


class TelegramEmulator(PeopleMixin):
    """Emulated Telegram: a Bot API server plus a Python API to act as people and inspect."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "planerka_bot",
        bot_name: str = "Планёрка",
        on_event: Callable[[Event], Any] | None = None,
        *,
        privacy_mode: bool = False,
    ) -> None:
        self.token = token
        self.privacy_mode = privacy_mode
        self.on_event = on_event
        bot_id = int(token.split(":", 1)[0])
        self.bot_user = User(bot_id, bot_name, username=bot_username, is_bot=True)
        self.world = World(self.bot_user)
        self.files = FileStore()
        self.queue = UpdateQueue()
        self.stats = Stats()
        # Set by an in-process bot under test: True while it is still handling updates.
        self.bot_busy: Callable[[], bool] | None = None
        self.limiter: RateLimiter | None = None
        self.faults = FaultInjector()
        self.sent: list[SentMessage] = []
        self.events: list[Event] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, int | None, str | None], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.method_errors: dict[str, dict[str, Any]] = {}
        self.callbacks: dict[str, dict[str, Any]] = {}
        self._by_key: dict[tuple[int, int], SentMessage] = {}
        self._seq = 0
        self._action_seq = 0
        self._changed = Pulse()
        self._background: set[asyncio.Future[Any]] = set()
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._runner: web.AppRunner | None = None
        self.api_url = ""

    # ----------------------------------------------------------------- lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(
            build_app(self), handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        actual_port = self._runner.addresses[0][1]
        self.api_url = f"http://{host}:{actual_port}"
        return self.api_url

    async def stop(self) -> None:
        self.queue.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def make_bot(self, **bot_kwargs: Any) -> Any:
        """An aiogram Bot talking to this emulator over a real AiohttpSession."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        timeout = bot_kwargs.pop("timeout", 60.0)
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.api_url), timeout=timeout)
        return Bot(self.token, session=session, **bot_kwargs)

    # ----------------------------------------------------------------- switches
    def set_limits(
        self,
        global_per_s: float | None = 30,
        private_per_s: float = 1.0,
        group_per_min: float = 20,
    ) -> None:
        """Enable Telegram's flood limits. `set_limits(None)` turns all off; 0 turns one off."""
        if global_per_s is None:
            self.limiter = None
        else:
            self.limiter = RateLimiter(global_per_s, private_per_s, group_per_min)

    def set_faults(
        self,
        error_5xx: float = 0.0,
        timeout: float = 0.0,
        drop: float = 0.0,
        seed: int = 0,
        *,
        methods: Iterable[str] | None = None,
        hang_seconds: float = 75.0,
    ) -> None:
        """Fail a share of send* calls (or of `methods`): 500/502, hang, or dropped connection."""
        self.faults = FaultInjector(error_5xx, timeout, drop, seed, methods, hang_seconds)

    def fail_method(
        self,
        method: str,
        error_code: int = 400,
        description: str | None = None,
        times: int | None = None,
    ) -> None:
        """Make `method` answer an error (`times` times, or until unfail_method)."""
        self.method_errors[method.lower()] = {
            "code": error_code,
            "description": description or f"Bad Request: {method} failed (emulated)",
            "times": times,
        }

    def unfail_method(self, method: str) -> None:
        self.method_errors.pop(method.lower(), None)

    # ----------------------------------------------------------------- reading
    def mark(self) -> int:
        return self._seq

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id and (include_deleted or not m.deleted)]

    def last(self, chat_id: int) -> SentMessage | None:
        found = self.messages(chat_id)
        return found[-1] if found else None

    def bot_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return self._by_key.get((chat_id, message_id))

    def pinned(self, chat_id: int) -> list[int]:
        return list(self.world.chat(chat_id).pinned)

    def transcript(self) -> str:
        from tgemu.transcript import format_event

        return "\n".join(format_event(e) for e in self.events)

    async def wait_for(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,
        after: int | None = None,
    ) -> SentMessage:
        """The first bot message in `chat_id` sent or edited after `after` that matches.

        `after` defaults to the mark at the last acting call (send, press, ...).
        """
        since = self._action_seq if after is None else after

        def match(m: SentMessage) -> bool:
            if m.chat_id != chat_id or m.updated_seq <= since:
                return False
            if contains is not None and contains not in (m.plain or "") + "\n" + (m.text or ""):
                return False
            return predicate is None or predicate(m)

        deadline = time.monotonic() + timeout
        while True:
            changed = self._changed.waiter()
            found = sorted((m for m in self.sent if match(m)), key=lambda m: m.updated_seq)
            if found:
                return found[0]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(self._describe_miss(chat_id, contains, since, timeout))
            await wait(changed, remaining)

    def _describe_miss(self, chat_id: int, contains: str | None, since: int, timeout: float) -> str:
        what = f"containing {contains!r}" if contains is not None else "matching"
        lines = [f"no bot message {what} in chat {chat_id} after seq {since} within {timeout}s."]
        received = [m for m in self.sent if m.chat_id == chat_id]
        lines.append(f"That chat received {len(received)} bot message(s):")
        for m in received:
            flags = " (deleted)" if m.deleted else ""
            flags += f" (edited x{m.edits})" if m.edits else ""
            body = (m.plain or "").replace("\n", " ⏎ ")[:200]
            lines.append(f"  seq={m.updated_seq} #{m.message_id} {m.method}{flags}: {body!r}")
            if m.buttons:
                lines.append(f"      buttons: {m.button_texts()}")
        errors = [c for c in self.calls[-5:] if c[0] != "getUpdates"]
        if errors:
            lines.append(f"Last API calls: {[c[0] for c in errors]}")
        return "\n".join(lines)

    async def wait_answer(self, callback_query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the bot answered that callback query; return what it answered."""
        deadline = time.monotonic() + timeout
        while callback_query_id not in self.callback_answers:
            changed = self._changed.waiter()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"callback query {callback_query_id} was not answered")
            await wait(changed, remaining)
        return self.callback_answers[callback_query_id]

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Until the bot fetched every queued update, made no API call for `quiet` s and, when
        it runs in-process and says so through `bot_busy`, handles no update any more."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            idle = (
                self.queue.unfetched == 0
                and self._inflight == 0
                and now - self._last_activity >= quiet
                and not (self.bot_busy and self.bot_busy())
            )
            if idle:
                return
            if now >= deadline:
                raise AssertionError(
                    f"emulator not idle after {timeout}s: {self.queue.unfetched} update(s) not "
                    f"fetched by the bot, {self._inflight} API call(s) in flight"
                )
            await asyncio.sleep(min(0.02, quiet / 4 or 0.01))

    # ----------------------------------------------------------------- internals
    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _pulse(self) -> None:
        self._changed.fire()

    def _acted(self) -> None:
        self._action_seq = self._seq

    def _emit(self, kind: str, chat: Chat, who: str, text: str = "", buttons: Any = ()) -> None:
        event = Event(
            kind, chat.id, chat.display_title, who, text, list(buttons), chat.user is not None
        )
        self.events.append(event)
        if self.on_event is None:
            return
        try:
            result = self.on_event(event)
            if inspect.isawaitable(result):
                future = asyncio.ensure_future(result)
                self._background.add(future)
                future.add_done_callback(self._background.discard)
        except Exception:
            log.exception("on_event callback failed")

    def _emit_bot(self, kind: str, sent: SentMessage, text: str | None = None) -> None:
        chat = self.world.chat(sent.chat_id)
        shown = sent.plain or "" if text is None else text
        self._emit(kind, chat, bot_who(self.bot_user.first_name), shown, sent.buttons)

    def _message(self, chat: Chat, sender: User, **content: Any) -> dict[str, Any]:
        """Create and store a message in `chat` (Bot API Message object)."""
        message_id = chat.new_message_id()
        msg = {
            "message_id": message_id,
            "from": sender.to_api(),
            "chat": chat.to_api(),
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v is not None},
        }
        chat.messages[message_id] = msg
        return msg

    def _record_bot_message(
        self, chat: Chat, method: str, msg: dict[str, Any], **fields: Any
    ) -> SentMessage:
        self._seq += 1
        markup = msg.get("reply_markup")
        sent = SentMessage(
            method=method,
            chat_id=chat.id,
            message_id=msg["message_id"],
            buttons=buttons_of(markup),
            seq=self._seq,
            updated_seq=self._seq,
            raw=msg,
            **fields,
        )
        self.sent.append(sent)
        self._by_key[(chat.id, sent.message_id)] = sent
        self.stats.delivered += 1
        self._pulse()
        return sent

    def _record_edit(self, sent: SentMessage) -> None:
        self._seq += 1
        sent.edits += 1
        sent.updated_seq = self._seq
        sent.buttons = buttons_of(sent.raw.get("reply_markup"))
        self._emit_bot("bot_edit", sent)
        self._pulse()
