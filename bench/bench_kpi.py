"""Benchmark: a team's KPI summaries over a year, and how the time grows.

For every week: the team summary (by role and by agenda topic, against the previous week and
targets) and the conversion anomaly check over the trailing month; then the year's summary from
each member's 52 weeks aggregated. The work should grow linearly with members and with weeks,
so the ratios printed side by side should be close to the size ratios (2.00 for a doubling).

Run from the repository root: python bench/bench_kpi.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kpi

ROLE_SETS: list[tuple[str, ...]] = [
    ("context_ads_specialist",),
    ("targetologist", "smm_manager"),
    ("seo_specialist",),
    ("email_marketer",),
    ("crm_specialist",),
    ("content_manager",),
    ("cro_specialist",),
    ("analytics_specialist",),
    ("head_of_internet_marketing",),
    ("media_buyer",),
    ("pr_manager",),
    ("product_manager",),
    ("crm_marketer",),
    ("brand_manager",),
    ("mobile_marketer",),
]  # 15 sets: a team of 30 is the team of 15 twice over
MAGNITUDE = {
    "count": 5000,
    "money": 200000,
    "percent": 40,
    "ratio": 4,
    "years": 3,
    "seconds": 90000,
    "days": 30,
    "score": 80,
    "points": 50,
}
TARGETS = {"ctr": Decimal("2.5"), "cpa": Decimal(900), "roas": Decimal(4), "open_rate": Decimal(25)}
REPEATS = 5


def make_row(role_codes: tuple[str, ...], rng: random.Random) -> dict[str, Decimal]:
    row: dict[str, Decimal] = {}
    for inp in kpi.inputs_for_roles(role_codes):
        value = rng.uniform(0.2, 1.0) * MAGNITUDE[inp.unit]
        row[inp.code] = Decimal(round(value)) if inp.integer else Decimal(f"{value:.2f}")
    for _ in range(20):  # make the week possible: a part never exceeds its whole
        problems = kpi.check_consistency(row)
        if not problems:
            break
        for problem in problems:
            left, right = problem.inputs
            if problem.code == "retained_exceeds_start":
                row[left] = row[right]
            else:
                row[left] = (row[right] * Decimal("0.3")).to_integral_value()
    return row


def make_team(members: int, weeks: int, seed: int = 7) -> list[tuple[tuple[str, ...], list[dict]]]:
    rng = random.Random(seed)
    team = []
    for i in range(members):
        roles = ROLE_SETS[i % len(ROLE_SETS)]
        team.append((roles, [make_row(roles, rng) for _ in range(weeks)]))
    return team


def year_of_summaries(team: list[tuple[tuple[str, ...], list[dict]]], weeks: int) -> int:
    """The year's work; returns a count of lines so nothing is optimised away."""
    periods = [
        [kpi.MemberInputs(i, roles, rows[w]) for i, (roles, rows) in enumerate(team)]
        for w in range(weeks)
    ]
    lines = 0
    for w in range(weeks):
        previous = periods[w - 1] if w else None
        summary = kpi.team_summary(periods[w], previous, TARGETS)
        lines += sum(len(v) for v in summary.by_role.values())
        lines += sum(len(t.lines) for t in summary.topics)
        lines += len(kpi.detect_team_anomalies(periods[max(0, w - 4) : w + 1]))
    year = [
        kpi.MemberInputs(i, roles, kpi.aggregate(rows[:weeks]))
        for i, (roles, rows) in enumerate(team)
    ]
    summary = kpi.team_summary(year, None, TARGETS)
    return lines + sum(len(v) for v in summary.by_role.values())


def best_times(jobs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The best of REPEATS runs of each job, the jobs interleaved so drift hits all alike."""
    best = dict.fromkeys(jobs, float("inf"))
    for _ in range(REPEATS):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def series(label: str, sizes: list[tuple[int, int]], vary: int) -> None:
    print(f"\n{label}")
    print(f"{'members':>8} {'weeks':>6} {'time, s':>9} {'size ×':>7} {'time ×':>7}")
    teams = {size: make_team(*size) for size in sizes}
    times = best_times(
        {f"{m}x{w}": (lambda t=teams[(m, w)], w=w: year_of_summaries(t, w)) for m, w in sizes}
    )
    previous: tuple[int, float] | None = None
    for members, weeks in sizes:
        seconds = times[f"{members}x{weeks}"]
        size = (members, weeks)[vary]
        ratios = f"{'':>7} {'':>7}"
        if previous is not None:
            ratios = f"{size / previous[0]:>7.2f} {seconds / previous[1]:>7.2f}"
        print(f"{members:>8} {weeks:>6} {seconds:>9.3f} {ratios}")
        previous = (size, seconds)


def main() -> None:
    start = time.perf_counter()
    print("planerka kpi/ benchmark: weekly team summaries + anomaly checks + the year's summary")
    print(f"(best of {REPEATS}; 'time ×' against the row above should track 'size ×')")
    series("members grow, 52 weeks", [(15, 52), (30, 52), (60, 52), (120, 52)], vary=0)
    series("weeks grow, 30 members", [(30, 13), (30, 26), (30, 52), (30, 104)], vary=1)
    team15, team30, team60 = make_team(15, 52), make_team(30, 52), make_team(60, 52)
    t = best_times(
        {
            "15": lambda: year_of_summaries(team15, 52),
            "30": lambda: year_of_summaries(team30, 52),
            "60": lambda: year_of_summaries(team60, 52),
            "26w": lambda: year_of_summaries(team30, 26),
        }
    )
    t15, t30, t60, t26 = t["15"], t["30"], t["60"], t["26w"]
    print("\nside by side, same run:")
    print(f"  time(30 members, 52 weeks) = {t30:.3f} s")
    print(f"  time(30 members) / time(15 members) = {t30 / t15:.2f}  (linear: 2.00)")
    print(f"  time(52 weeks)   / time(26 weeks)   = {t30 / t26:.2f}  (linear: 2.00)")
    print(
        f"  (time(60) - time(30)) / (time(30) - time(15)) = {(t60 - t30) / (t30 - t15):.2f}"
        "  (linear a + b·members: 2.00; a is the per-week cost of the ten topics and the"
        " anomaly checks, which doesn't grow with members, so time(30)/time(15) is below 2)"
    )
    print(f"\ntotal {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
