"""Where charts are drawn. matplotlib is CPU-bound and holds the GIL, so in a thread of a process
that serves updates it would make members' answers wait behind a digest: the bot draws in a
process pool (forkserver: a clean child, never a fork of a running event loop) started on first
use. 0 processes draws in a thread of this process instead: a `planerka worker` (it serves no
updates, so nothing waits behind its charts, and one worker stays one core) and tools that render
once. Each chart process, or the one thread, keeps its `kpi.charts.Sheet` from album to album."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import kpi.charts as ch

# A pool process's own Sheet (one figure, its axes and glyph caches kept from album to album);
# set by the initializer in the child process only, never in the bot's.
_process_sheet: ch.Sheet | None = None


def _start_process() -> None:
    global _process_sheet
    _process_sheet = ch.Sheet()


def _render_in_process(specs: list[ch.Spec]) -> list[tuple[str, bytes]]:
    return ch.render_album(specs, _process_sheet)


class ChartRenderer:
    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._executor: Executor | None = None
        self._sheet: ch.Sheet | None = None  # in-thread: the one thread's Sheet

    async def render(self, specs: list[ch.Spec]) -> list[tuple[str, bytes]]:
        if not specs:
            return []
        loop = asyncio.get_running_loop()
        if self.processes <= 0:
            if self._executor is None:  # one thread, so that its Sheet is used by one
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="charts")
                self._sheet = ch.Sheet()
            return await loop.run_in_executor(self._executor, ch.render_album, specs, self._sheet)
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=_start_process
            )
        return await loop.run_in_executor(self._executor, _render_in_process, specs)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
