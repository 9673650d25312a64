"""The demo's digest stages, and the made-up history they (and the benchmark) start from.

`history` runs right after onboarding: the team "has been using the bot" for eleven weeks
(their answers go straight into the database, as if collected), and Ольга sets a few targets
with /targets. `digest` runs after the week's check-ins: at the deadline the planner posts the
digest with its charts to the group; then /summary in the group and in private, /export; the
digest's text and PNGs are saved to the demo's --out folder (digest/).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import Period
from models.tables import Answer, Member, PostLog, Team

if TYPE_CHECKING:
    from demo.run import Demo

# A plausible level for each raw input of the demo's roles (per week, one specialist).
LEVELS: dict[str, float] = {
    "impressions": 180_000, "clicks": 3_600, "spend": 95_000, "conversions": 110,
    "revenue": 420_000, "leads": 150, "reach": 70_000, "engagements": 2_900,
    "followers": 12_500, "new_customers": 18, "delivered": 24_000, "unique_opens": 6_200,
    "unique_clicks": 780, "unsubscribes": 45, "keywords_tracked": 320, "keywords_top10": 96,
    "organic_sessions": 8_400, "indexed_pages": 1_850, "backlinks": 960,
    "total_session_seconds": 790_000, "sessions": 21_000, "costs": 120_000,
    "budget_plan": 110_000, "margin_pct": 35, "avg_order_value": 4_200,
    "purchase_frequency": 3, "lifespan": 2, "tasks_due": 8, "tasks_done_on_time": 6,
    "incremental_revenue": 60_000, "bounced_sessions": 7_500,
}  # fmt: skip
HISTORY_WEEKS = 11
DIGEST_TITLE = "Итоги недели"
DEFAULT_LEVEL = {"money": 50_000, "percent": 20, "count": 500, "ratio": 2, "score": 70}


def _level(code: str) -> float:
    if code in LEVELS:
        return LEVELS[code]
    return DEFAULT_LEVEL.get(kpi.input_def(code).unit, 100)


def made_up_inputs(
    role_codes: Sequence[str], index: int, periods: int, rng: random.Random, scale: float = 1.0
) -> dict[str, Decimal]:
    """One member's inputs for period `index` of `periods`: a gentle trend with noise; in the
    last period the clicks sag (so a conversion swing shows up)."""
    out: dict[str, Decimal] = {}
    trend = 0.8 + 0.35 * index / max(1, periods - 1)
    for inp in kpi.inputs_for_roles(role_codes):
        value = _level(inp.code) * scale * trend * rng.uniform(0.9, 1.1)
        if inp.aggregation == "last":
            value = _level(inp.code) * scale * (0.9 + 0.02 * index)
        if inp.code == "clicks" and index == periods - 1:
            value *= 0.72
        if inp.unit == "percent":
            value = min(value, 95)
        out[inp.code] = Decimal(round(value)) if inp.integer else Decimal(str(round(value, 2)))
    if "unique_opens" in out and "delivered" in out:
        out["unique_opens"] = min(out["unique_opens"], out["delivered"])
    return out


async def seed_history(
    session: AsyncSession,
    members: Sequence[Member],
    periods: Sequence[Period],
    *,
    seed: int = 7,
    skip_answered: bool = True,
) -> int:
    """Answers for every member with a role in each period (a member who already has answers
    for a period is left alone); returns the rows added. Not committed."""
    rng = random.Random(seed)
    added = 0
    starts = [p.start for p in periods]
    have = set()
    if skip_answered:
        query = select(Answer.member_id, Answer.period_start).where(
            Answer.member_id.in_([m.id for m in members]), Answer.period_start.in_(starts)
        )
        have = set((await session.execute(query)).all())
    for number, member in enumerate(members):
        if not member.role_codes:
            continue
        scale = 0.7 + 0.6 * rng.random() + 0.05 * (number % 3)
        for index, period in enumerate(periods):
            inputs = made_up_inputs(member.role_codes, index, len(periods), rng, scale)
            if (member.id, period.start) in have:
                continue
            for code, value in inputs.items():
                session.add(
                    Answer(
                        member_id=member.id,
                        period_start=period.start,
                        input_code=code,
                        value=value,
                    )
                )
                added += 1
    await session.flush()
    return added


async def _team(session: AsyncSession) -> Team:
    from demo.run import GROUP
    from services.team import teams

    team = await teams.by_chat(session, GROUP)
    assert team is not None, "the onboarding stage registers the team"
    return team


async def _say(demo: Demo, user_id: int, chat_id: int, text: str) -> None:
    mark = demo.emu.mark()
    demo.emu.send(user_id, chat_id, text)
    await demo.emu.wait_for(chat_id, after=mark, timeout=90)
    await demo.emu.wait_idle()


async def history(demo: Demo) -> None:
    """Eleven past weeks of numbers, and Ольга's plans."""
    from demo.run import GROUP
    from services.common.clock import team_today
    from services.team import rhythm, teams

    demo.say("The team has used planerka for eleven weeks: their past numbers are in the database")
    async with demo.app.runtime.sessionmaker() as session:
        team = await _team(session)
        members = await teams.members(session, team)
        week = rhythm.period_of(team, team_today(demo.app.runtime.now(), team.timezone))
        past = kpi.periods_back(week, HISTORY_WEEKS + 1, rhythm.cadence(team), team.anchor_date)
        added = await seed_history(session, members, past[:-1])
        await session.commit()
    demo.say(f"{added} past answers loaded. Ольга sets the plans with /targets (two are refused)")
    for text in (
        "/targets cpa 850",
        "/targets targetologist leads 190",
        "/targets ctr 2",
        "/targets @anna_ppc roas 4,5",
        "/targets open_rate 24",
        "/targets cpl 500",
        "/targets лиды -5",
        "/targets",
    ):
        await _say(demo, demo.lead.user_id, GROUP, text)


async def digest(demo: Demo) -> None:
    """Monday 09:30: collection closes and the digest goes to the group; /summary; /export."""
    from demo.run import GROUP, MSK
    from jobs import periodic_jobs
    from jobs.loop import tick
    from services.reports import summary as sm
    from services.team import rhythm

    async with demo.app.runtime.sessionmaker() as session:
        team = await _team(session)
        now, days = demo.app.runtime.now(), await sm.holidays(session, team)
        cycle = rhythm.current_cycle(team, now, days)
        if cycle.deadline_at < now:  # its digest went out already: the coming one
            following = kpi.next_period(cycle.period, rhythm.cadence(team), team.anchor_date)
            cycle = rhythm.cycle_for(team, following, days)
    if demo.app.runtime.now() < cycle.deadline_at:
        demo.at(cycle.deadline_at.astimezone(MSK))
    demo.say("Collection closes: the planner posts the weekly digest and its charts as one album")
    mark = demo.emu.mark()
    await tick(demo.app.runtime, periodic_jobs())
    await demo.emu.wait_for(GROUP, "Итоги", after=mark, timeout=90)
    await demo.emu.wait_idle()
    demo.say("Борис asks for the team summary in the group; Анна sees her own numbers and card")
    await _say(demo, demo.team[1].user_id, GROUP, "/summary")
    await _say(demo, demo.team[0].user_id, demo.team[0].user_id, "/summary")
    demo.say("Ольга exports the last 12 weeks: CSV and XLSX arrive in her private chat")
    await _say(demo, demo.lead.user_id, GROUP, "/export")


async def saved(demo: Demo) -> None:
    """The digest as it was posted — its text and its album's PNGs — in --out/digest."""
    from demo.run import GROUP
    from jobs import digest as digest_job
    from services.reports import summary as sm
    from services.team import rhythm
    from views import digest as digests

    out = Path(demo.out) / "digest"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*"):
        old.unlink()
    messages = demo.emu.messages(GROUP)
    posted = next((m for m in messages if m.plain and DIGEST_TITLE in m.plain), None)
    if posted is None:
        demo.say("No digest was posted: nothing to save")
        return
    after = [m for m in messages if m.seq > posted.seq and m.media_group_id and m.photos]
    album = [m for m in after if m.media_group_id == after[0].media_group_id] if after else []
    async with demo.app.runtime.sessionmaker() as session:
        team = await _team(session)
        key = await session.scalar(
            select(PostLog.period_key)
            .where(PostLog.team_id == team.id, PostLog.kind == digest_job.KIND)
            .order_by(PostLog.id.desc())
            .limit(1)
        )
        week = rhythm.period_of(team, date.fromisoformat(key))
        data = await sm.load(session, team, week)
        names = [s.name for s in digests.chart_specs(data, demo.app.runtime.i18n.get(team.locale))]
    if len(names) != len(album):
        names = [f"chart{i}" for i in range(1, len(album) + 1)]
    (out / "digest.txt").write_text((posted.plain or "") + "\n", encoding="utf-8")
    for index, (name, message) in enumerate(zip(names, album, strict=True), start=1):
        (out / f"{index}_{name}.png").write_bytes(message.photos[0])
    files = sorted(p.name for p in out.iterdir())
    demo.say(f"The digest and its {len(album)} charts are saved to {out}: " + ", ".join(files))
