"""Telegram's flood limits (sliding windows) and fault injection."""

from __future__ import annotations

import math
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class Stats:
    """Counters for benchmarks: every send* outcome is counted exactly once."""

    delivered: int = 0
    rejected_429: int = 0
    faults_by_kind: Counter[str] = field(default_factory=Counter)
    errors_by_code: Counter[int] = field(default_factory=Counter)
    calls_by_method: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, object]:
        return {
            "delivered": self.delivered,
            "rejected_429": self.rejected_429,
            "faults_by_kind": dict(self.faults_by_kind),
            "errors_by_code": {str(k): v for k, v in self.errors_by_code.items()},
            "calls_by_method": dict(self.calls_by_method),
        }


class Window:
    """At most `capacity` hits in any `period` seconds."""

    def __init__(self, count: float, period: float) -> None:
        rate = count / period
        self.capacity = max(1, int(count))
        self.period = self.capacity / rate
        self.hits: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self.hits and self.hits[0] <= now - self.period:
            self.hits.popleft()
        if len(self.hits) < self.capacity:
            return 0.0
        return self.hits[0] + self.period - now


class RateLimiter:
    """Per-bot (global), per-private-chat and per-group limits on send* calls."""

    def __init__(
        self,
        global_per_s: float | None = 30,
        private_per_s: float | None = 1.0,
        group_per_min: float | None = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_per_s = global_per_s
        self.private_per_s = private_per_s
        self.group_per_min = group_per_min
        self._clock = clock
        self._global = Window(global_per_s, 1.0) if global_per_s else None
        self._chats: dict[int, Window] = {}

    def _chat_window(self, chat_id: int) -> Window | None:
        if chat_id not in self._chats:
            if chat_id < 0 and self.group_per_min:
                self._chats[chat_id] = Window(self.group_per_min, 60.0)
            elif chat_id > 0 and self.private_per_s:
                self._chats[chat_id] = Window(self.private_per_s, 1.0)
            else:
                return None
        return self._chats[chat_id]

    def acquire(self, chat_id: int) -> int | None:
        """Record a send and return None, or return retry_after (whole seconds, >= 1)."""
        now = self._clock()
        windows = [w for w in (self._global, self._chat_window(chat_id)) if w is not None]
        wait = max((w.wait_time(now) for w in windows), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for w in windows:
            w.hits.append(now)
        return None


FAULT_KINDS = ("error_5xx", "timeout", "drop")


class FaultInjector:
    """Decides, reproducibly for a seed, which calls fail and how."""

    def __init__(
        self,
        error_5xx: float = 0.0,
        timeout: float = 0.0,
        drop: float = 0.0,
        seed: int = 0,
        methods: Iterable[str] | None = None,
        hang_seconds: float = 75.0,
    ) -> None:
        if error_5xx + timeout + drop > 1.0:
            raise ValueError("fault shares must add up to at most 1.0")
        self.shares = {"error_5xx": error_5xx, "timeout": timeout, "drop": drop}
        self.methods = {m.lower() for m in methods} if methods is not None else None
        self.hang_seconds = hang_seconds
        self._rng = random.Random(seed)

    @property
    def active(self) -> bool:
        return any(self.shares.values())

    def applies_to(self, method: str) -> bool:
        if self.methods is not None:
            return method.lower() in self.methods
        return method.lower().startswith("send")

    def draw(self, method: str) -> tuple[str, int] | None:
        """None, or (kind, HTTP status) — status only matters for error_5xx."""
        if not self.active or not self.applies_to(method):
            return None
        roll = self._rng.random()
        status = 500 if self._rng.random() < 0.5 else 502
        for kind in FAULT_KINDS:
            share = self.shares[kind]
            if roll < share:
                return kind, status
            roll -= share
        return None
