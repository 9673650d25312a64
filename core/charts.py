"""Where charts are drawn. matplotlib is CPU-bound and holds the GIL, so in a thread of a process
that serves updates it would make members' answers wait behind a digest: the bot draws in a
process pool (forkserver: a clean child, never a fork of a running event loop) started on first
use. 0 processes draws in a thread of this process instead: a `planerka worker` (it serves no
updates, so nothing waits behind its charts, and one worker stays one core) and tools that render
once."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import kpi.charts as ch


class ChartRenderer:
    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def render(self, specs: list[ch.Spec]) -> list[tuple[str, bytes]]:
        if not specs:
            return []
        if self.processes <= 0:
            return await asyncio.to_thread(ch.render_album, specs)
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context)
        return await asyncio.get_running_loop().run_in_executor(self._pool, ch.render_album, specs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
