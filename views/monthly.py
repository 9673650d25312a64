"""The monthly report's text and charts (services/reports/monthly.py aggregates the month;
jobs/monthly.py sends it)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kpi import Period
from models.tables import Team
from services.common.clock import team_today
from services.reports import summary as sm
from services.reports.monthly import load, task_counts
from views import digest as digests
from views import summary as summary_view
from views.i18n import Translator, escape

log = logging.getLogger(__name__)


def month_label(month: Period, t: Translator) -> str:
    return t.period(month.start, month.end)


def report_text(
    data: sm.TeamData,
    reported: dict[int, int],
    periods: int,
    tasks: dict,
    t: Translator,
    *,
    late: bool,
) -> str:
    team, currency = data.team, data.team.currency
    out = [t("monthly.title", month=month_label(data.period, t), team=escape(team.title))]
    if late:
        out.append(t("digest.late"))
    out.append(t.n("monthly.basis", periods))
    top = sm.headline(data)
    if top:
        out += ["", t("digest.headline")]
        out += [summary_view.line_text(x, t, currency) for x in top]
    for code in data.role_codes():
        holders = [m for m in data.members if code in m.role_codes]
        out += [
            "",
            t(
                "summary.role",
                role=escape(summary_view.role_title(code, t)),
                people=t.n("summary.people", len(holders)),
            ),
        ]
        answered = any(m.id in data.responded for m in holders)
        out += summary_view.role_block(sm.role_lines(data, code), t, currency, answered=answered)
    out += ["", t("monthly.change_note")]
    hit, missed = digests.targets_met(data)
    out += ["", t("digest.targets")]
    if not hit and not missed:
        out.append(t("digest.no_targets"))
    if hit:
        out.append(t.n("digest.hit", len(hit)))
        out += [digests.target_line(r, x, t, currency) for r, x in hit]
    if missed:
        out.append(t.n("digest.missed", len(missed)))
        out += [digests.target_line(r, x, t, currency) for r, x in missed]
    out += ["", t("monthly.reports", total=periods)]
    for member in data.members:
        out.append(
            t(
                "monthly.member_reports",
                name=summary_view.name(member),
                done=reported.get(member.id, 0),
            )
        )
    out += ["", t("monthly.tasks", **tasks)]
    return "\n".join(out)


async def compose(
    session: AsyncSession, team: Team, month: Period, t: Translator, *, now: datetime, late: bool
) -> digests.Digest:
    data, reported, periods = await load(session, team, month)
    tasks = await task_counts(session, team, month, team_today(now, team.timezone))
    text = report_text(data, reported, periods, tasks, t, late=late)
    trends = digests.trends_spec(data, t, cadence="monthly")
    specs = [trends if trends.panels else None, digests.plan_fact_spec(data, t)]
    specs += [digests.channels_spec(data, t), digests.funnel_spec(data, t)]
    digest = digests.Digest(period=month, text=text, specs=[s for s in specs if s], late=late)
    digest.images = await asyncio.to_thread(digests.render_images, digest.specs)
    return digest
