"""The limiter's window arithmetic with an injected clock: hits count from Telegram's answer."""

import asyncio

from core.delivery import Limits, RateLimiter, Window


def test_restamp_moves_the_hit_to_the_answer_and_keeps_order() -> None:
    window = Window(2, 1.0)
    window.hit(0.0)
    window.hit(0.1)
    window.restamp(0.0, 0.3)
    assert list(window.hits) == [0.1, 0.3]
    # Full until the earliest counted hit (0.1) leaves the window.
    assert window.wait_time(0.5) > 0
    assert window.wait_time(0.1 + window.period) == 0.0
    assert list(window.hits) == [0.3]


def test_restamp_of_an_unknown_hit_changes_nothing() -> None:
    window = Window(1, 1.0)
    window.hit(1.0)
    window.restamp(0.5, 2.0)
    assert list(window.hits) == [1.0]


def test_next_private_send_waits_a_period_after_the_answer() -> None:
    now = [10.0]
    limiter = RateLimiter(Limits(30, 1, 20), clock=lambda: now[0])

    async def run() -> float:
        async with limiter.chat(5) as state:
            sent = await limiter.slot(state)
            now[0] = 10.4  # the answer came 0.4 s after sending
            limiter.answered(state, sent)
            assert state.window is not None
            return state.window.wait_time(now[0] + 0.7)

    # Counted from the send the window would be free at 11.0+; from the answer, not yet.
    assert asyncio.run(run()) > 0


def test_a_global_429_pauses_no_longer_than_asked() -> None:
    now = [0.0]
    limiter = RateLimiter(Limits(30, 1, 20), clock=lambda: now[0])

    async def run() -> tuple[bool, float]:
        async with limiter.chat(7) as state:
            everyone = limiter.flood(state, 1.0)
            return everyone, limiter._global_paused_until

    everyone, until = asyncio.run(run())
    assert everyone
    assert until == 1.0
