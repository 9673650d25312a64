"""Benchmark: a 30-member team's weekly digest with 12 periods of history, rendered 500 times
as the planner does it (numbers from the database, text, charts drawn in a worker thread).

What it shows: memory stays flat — the process's resident memory after 500 renders against
after 50 should be ≈ 1.00, no matplotlib figure stays alive, the Python object count doesn't
grow — and the time per render doesn't creep up (the last 100 against the first 100 ≈ 1.00).
Times are printed side by side as ratios; nothing here asserts on wall time.

Run from the repository root: .venv/bin/python bench/bench_digest.py [--renders N]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matplotlib.figure import Figure

import kpi
from demo.digest import seed_history
from models.db import create_engine, migrate, session_maker
from models.tables import Member, MemberRole, Target, Team, User
from services.reports import summary as sm
from services.team import teams
from views import digest as digests
from views.i18n import I18n

MEMBERS = 30
PERIODS = 12
ROLES = (
    "context_ads_specialist", "targetologist", "smm_manager", "seo_specialist",
    "email_marketer", "media_buyer", "influencer_marketer", "crm_marketer",
    "content_manager", "head_of_internet_marketing",
)  # fmt: skip
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 10:00 MSK: the week 16–22 Nov is due
CHECKPOINTS = (1, 50, 100, 200, 300, 400, 500)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """Resident memory now (not the peak): /proc/self/statm."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


def live_figures() -> int:
    return sum(isinstance(o, Figure) for o in gc.get_objects())


async def seed(url: str, variant: int = 0) -> None:
    """The team, its 12 weeks of answers (`variant` > 0: other numbers, the same people)."""
    engine = create_engine(url)
    await migrate(engine)
    async with session_maker(engine)() as s:
        team = Team(chat_id=-100500, title="Маркетинг", anchor_date=date(2026, 1, 5),
                    join_token="bench-digest")  # fmt: skip
        s.add(team)
        await s.flush()
        for i in range(MEMBERS):
            s.add(User(id=1000 + i, full_name=f"Сотрудник {i + 1}", started=True))
            await s.flush()
            member = Member(team_id=team.id, user_id=1000 + i)
            member.roles = [MemberRole(role_code=ROLES[i % len(ROLES)])]
            s.add(member)
        await s.flush()
        members = await teams.members(s, team)
        period = sm.due_period(team, NOW, set())
        periods = kpi.periods_back(period, PERIODS, "weekly")
        # everyone reported every week but three people this week (so «who reported» has names)
        await seed_history(s, members, periods[:-1], seed=7 + variant)
        await seed_history(s, members[3:], periods[-1:], seed=3 + variant)
        for code, value, role in (
            ("cpa", "850", None), ("ctr", "2", None), ("leads", "180", "targetologist"),
            ("open_rate", "24", None), ("engagement_rate", "4", "smm_manager"),
        ):  # fmt: skip
            s.add(Target(team_id=team.id, kpi_code=code, value=Decimal(value), role_code=role,
                         valid_from=periods[0].start))  # fmt: skip
        await s.commit()
    await engine.dispose()


async def main(renders: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as workdir:
        url = f"sqlite+aiosqlite:///{workdir}/bench.sqlite3"
        await seed(url)
        engine = create_engine(url)
        t = I18n().get("ru")
        rows: list[tuple[int, float, float, int, int]] = []
        times: list[float] = []
        parts = {"numbers and text": 0.0, "charts": 0.0}
        try:
            async with session_maker(engine)() as s:
                team = (await s.execute(Team.__table__.select())).first()
                team = await s.get(Team, team.id)
                period = sm.due_period(team, NOW, set())
                first = None
                for n in range(1, renders + 1):
                    started = time.perf_counter()
                    digest = await digests.build(s, team, period, t, now=NOW)
                    built = time.perf_counter()
                    digest.images = await asyncio.to_thread(digests.render_images, digest.specs)
                    done = time.perf_counter()
                    parts["numbers and text"] += built - started
                    parts["charts"] += done - built
                    times.append(done - started)
                    first = first or digest
                    s.expunge_all()
                    team = await s.get(Team, team.id)
                    if n in CHECKPOINTS or n == renders:
                        gc.collect()
                        rows.append((n, done - started, rss_mb(), live_figures(),
                                     len(gc.get_objects())))  # fmt: skip
                        print(f"  render {n:>4}: {rss_mb():7.1f} MB resident", flush=True)
        finally:
            await engine.dispose()
    assert first is not None
    names = ", ".join(name for name, _ in first.images)
    size = sum(len(png) for _, png in first.images) / 1024
    print(f"\nA digest: {len(first.text)} characters of text, charts {names} ({size:.0f} KB)")
    print(f"{'renders':>8} {'RSS MB':>8} {'RSS ÷ RSS@50':>13} {'figures alive':>14} "
          f"{'objects ÷ @50':>14}")  # fmt: skip
    base = next((r for r in rows if r[0] == 50), rows[0])
    for n, _, rss, figures, objects in rows:
        print(f"{n:>8} {rss:>8.1f} {rss / base[2]:>13.3f} {figures:>14} "
              f"{objects / base[4]:>14.3f}")  # fmt: skip
    total = sum(times)
    print(f"\nper render: {total / len(times) * 1000:.0f} ms "
          f"(numbers and text {parts['numbers and text'] / total:.0%}, "
          f"charts {parts['charts'] / total:.0%})")  # fmt: skip
    window = max(1, min(100, len(times) // 5))
    early, late = times[:window], times[-window:]
    print(f"time per render, last {window} ÷ first {window}: "
          f"{(sum(late) / len(late)) / (sum(early) / len(early)):.2f}")  # fmt: skip
    last = rows[-1]
    print(f"memory after {last[0]} renders ÷ after {base[0]}: {last[2] / base[2]:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=500)
    asyncio.run(main(parser.parse_args().renders))
