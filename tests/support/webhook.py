"""Telegram's side of webhooks for tests: a free port and the pusher of queued updates."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tgemu import TelegramEmulator

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Pusher:
    """Telegram's side of webhooks, for tests: POSTs the emulator's queued updates to the
    replicas (round robin, like a load balancer); an update a replica fails to take goes to
    the next one, as Telegram delivers it again."""

    emu: TelegramEmulator
    urls: Sequence[str]
    secret: str
    sent_upto: int = 0
    turn: int = 0
    answers: list[tuple[str, int]] = field(default_factory=list)

    async def push_pending(self, http: aiohttp.ClientSession) -> int:
        pushed = 0
        for update in self.emu.queue.pending():
            if update["update_id"] <= self.sent_upto:
                continue
            await self.deliver(http, update)
            self.sent_upto = update["update_id"]
            self.emu.queue.mark_fetched([update])
            pushed += 1
        return pushed

    async def deliver(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> str:
        for _ in range(len(self.urls) * 3):
            url = self.urls[self.turn % len(self.urls)]
            self.turn += 1
            try:
                headers = {SECRET_HEADER: self.secret}
                async with http.post(url, json=update, headers=headers) as response:
                    self.answers.append((url, response.status))
                    if response.status == 200:
                        return url
            except aiohttp.ClientError:
                self.answers.append((url, 0))
        raise AssertionError(f"no replica took update {update['update_id']}: {self.answers}")
