"""A broadcast wake-up: every waiter is woken by the next fire()."""

from __future__ import annotations

import asyncio
import contextlib


class Pulse:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    def waiter(self) -> asyncio.Event:
        """Take this before checking a condition, then `await wait(waiter, timeout)`."""
        return self._event


async def wait(event: asyncio.Event, timeout: float) -> None:
    """Wait for `event` up to `timeout` seconds; never raises TimeoutError."""
    if timeout <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
