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
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import Period
from models.tables import Answer, Member, Team

if TYPE_CHECKING:
    from bot.demo import Demo

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


async def _team(demo: Demo, session: AsyncSession) -> Team:
    from bot.demo import GROUP
    from services import teams

    team = await teams.by_chat(session, GROUP)
    assert team is not None, "the onboarding stage registers the team"
    return team


async def history(demo: Demo) -> None:
    """Eleven past weeks of numbers, and Ольга's targets."""
    from bot.demo import GROUP
    from services import rhythm, teams

    demo.say("The team has used planerka for eleven weeks: their past numbers are in the database")
    async with demo.app.runtime.sessionmaker() as session:
        team = await _team(demo, session)
        members = await teams.members(session, team)
        now = demo.app.runtime.now()
        current = rhythm.current_cycle(team, now).period
        past = kpi.periods_back(current, 12, rhythm.cadence(team), team.anchor_date)[:-1]
        added = await seed_history(session, members, past)
        await session.commit()
    demo.say(f"{added} past answers loaded; Ольга sets the plan with /targets")
    for text in (
        "/targets cpa 850",
        "/targets targetologist leads 190",
        "/targets ctr 2",
        "/targets @anna_ppc roas 4,5",
        "/targets cpl 500",
        "/targets лиды -5",
        "/targets",
    ):
        mark = demo.emu.mark()
        demo.emu.send(demo.lead.user_id, GROUP, text)
        await demo.emu.wait_for(GROUP, after=mark)


async def digest(demo: Demo) -> None:
    """The digest at the deadline, /summary, /export; the digest saved to --out/digest."""
    from bot.demo import GROUP, MSK
    from bot.digest_cli import write_preview
    from bot.scheduler import periodic_jobs, tick
    from services import digest as digests
    from services import postlog, rhythm
    from services import summary as sm

    async with demo.app.runtime.sessionmaker() as session:
        team = await _team(demo, session)
        now = demo.app.runtime.now()
        cycle = rhythm.current_cycle(team, now, await sm.holidays(session, team))
        already = await postlog.posted(session, team.id, digests.KIND, cycle.period.key)
    if not already:
        if now < cycle.deadline_at:
            demo.at(cycle.deadline_at.astimezone(MSK))
        demo.say("Collection closes: the planner posts the weekly digest with its charts")
        mark = demo.emu.mark()
        await tick(demo.app.runtime, periodic_jobs())
        await demo.emu.wait_for(GROUP, after=mark)
        await demo.emu.wait_idle()
    demo.say("Борис asks for the team summary; Анна looks at her own numbers in private")
    for user_id, chat_id in ((demo.team[1].user_id, GROUP), (demo.team[0].user_id, None)):
        mark = demo.emu.mark()
        demo.emu.send(user_id, chat_id or user_id, "/summary")
        await demo.emu.wait_for(chat_id or user_id, after=mark)
        await demo.emu.wait_idle()
    demo.say("Ольга exports the quarter to CSV and XLSX (they arrive in her private chat)")
    mark = demo.emu.mark()
    demo.emu.send(demo.lead.user_id, GROUP, "/export")
    await demo.emu.wait_for(demo.lead.user_id, after=mark)
    await demo.emu.wait_idle()
    out = Path(demo.out) / "digest"
    async with demo.app.runtime.sessionmaker() as session:
        team = await _team(demo, session)
        written = await write_preview(
            session, team, cycle.period, demo.app.runtime.i18n, now=demo.app.runtime.now(), out=out
        )
    demo.say(f"The digest and its charts are saved to {out}: " + ", ".join(p.name for p in written))
