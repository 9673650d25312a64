"""The bot's update queue with getUpdates long-poll semantics."""

from __future__ import annotations

import time
from typing import Any

from tgemu.errors import ApiError
from tgemu.pulse import Pulse, wait

DEFAULT_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdateQueue:
    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self._next_id = 1
        self._fetched_upto = 0
        self._wake = Pulse()
        self._current_poll: object | None = None
        self._allowed: set[str] | None = None
        self.closed = False

    def put(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_id
        self._next_id += 1
        self._items.append({"update_id": update_id, kind: payload})
        self.pulse()
        return update_id

    def pulse(self) -> None:
        """Wake every waiting getUpdates."""
        self._wake.fire()

    def close(self) -> None:
        self.closed = True
        self.pulse()

    @property
    def unfetched(self) -> int:
        return sum(1 for u in self._items if u["update_id"] > self._fetched_upto)

    def pending(self) -> list[dict[str, Any]]:
        return list(self._items)

    def drop_pending(self) -> None:
        self._fetched_upto = self._next_id - 1
        self._items.clear()

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = self._items[offset:]
            self._items = keep
        elif offset:
            self._items = [u for u in self._items if u["update_id"] >= offset]

    def _set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is None:
            return
        self._allowed = set(allowed) if allowed else None

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self._allowed

    async def get(
        self, offset: int, limit: int, timeout: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """Confirm updates before `offset`, then return up to `limit`, waiting up to `timeout`."""
        token = object()
        if self._current_poll is not None:
            self.pulse()  # the older poll sees it was superseded and answers 409
        self._current_poll = token
        self._set_allowed(allowed)
        self._confirm(offset)
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            while True:
                if self._current_poll is not token:
                    raise ApiError(409, CONFLICT)
                wake = self._wake.waiter()
                self._items = [u for u in self._items if self._is_allowed(u)]
                batch = self._items[: max(1, min(limit, 100))]
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self.closed:
                    return batch
                await wait(wake, remaining)
        finally:
            if self._current_poll is token:
                self._current_poll = None

    def mark_fetched(self, batch: list[dict[str, Any]]) -> None:
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
