"""The weekly digest in the team group: headline numbers, the biggest movers, conversion
anomalies, targets hit and missed, who reported, task completion — and the charts as one album.

It is due when the period's collection closes (the cycle's deadline), posted exactly once per
period (claimed in the post log first), and if the bot was down then, posted on start within
`catch_up_hours`, saying it is late. Chart specs are built here; PNGs are rendered in a worker
thread (kpi.charts).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import KpiLine, Period
from kpi import charts as ch
from models.tables import Team
from services.common.clock import team_today
from services.reports import summary as sm
from services.reports import targets as target_rows
from services.reports.digest import task_counts
from services.team import rhythm
from views import kpi_line as kl
from views import summary as summary_view
from views.i18n import Translator, escape, html_join

log = logging.getLogger(__name__)

MOVERS = 3
LIST_LIMIT = 8
TREND_PANELS = 4
TREND_PRIORITY = (
    "leads", "cpl", "conversions", "cpa", "revenue", "roas", "romi", "ctr", "spend",
    "conversion_rate", "sessions", "engagement_rate", "open_rate", "organic_sessions", "reach",
)  # fmt: skip
# (c) Channels and the roles that run them.
CHANNELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("context", ("context_ads_specialist",)),
    ("targeted", ("targetologist",)),
    ("smm", ("smm_manager",)),
    ("email", ("email_marketer",)),
    ("seo", ("seo_specialist",)),
    ("media", ("media_planner", "media_buyer")),
    ("influencers", ("influencer_marketer",)),
)
COST_METRICS = ("cpl", "cpa")
RETURN_METRICS = ("roas", "romi", "roi")
BREAK_EVEN = {"roas": 1.0, "romi": 0.0, "roi": 0.0}


@dataclass
class Digest:
    period: Period
    text: str  # HTML
    specs: list[ch.Spec]
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, PNG)
    late: bool = False


# ----------------------------------------------------------------------------- text


def _title(item: KpiLine, role_code: str | None, t: Translator) -> str:
    title = escape(item.kpi.titles[t.locale])
    return f"{title} ({escape(summary_view.role_title(role_code, t))})" if role_code else title


def _all_role_lines(data: sm.TeamData) -> list[tuple[str, KpiLine]]:
    return [(code, item) for code in data.role_codes() for item in sm.role_lines(data, code)]


def movers(data: sm.TeamData) -> list[tuple[str | None, KpiLine]]:
    """The KPIs that moved most against the previous period (relative change), largest first."""
    seen: set[tuple[str, str]] = set()
    found: list[tuple[str | None, KpiLine]] = []
    for role_code, item in _all_role_lines(data):
        if item.change_pct is None or item.change_pct == 0 or (role_code, item.kpi.code) in seen:
            continue
        seen.add((role_code, item.kpi.code))
        found.append((role_code, item))
    found.sort(key=lambda pair: abs(pair[1].change_pct or 0), reverse=True)
    return found[:MOVERS]


def targeted_lines(data: sm.TeamData) -> list[tuple[str | None, KpiLine]]:
    """Every line with a target: the roles' lines, then team-wide lines for KPIs no role of the
    team tracks (spend, CPL…) that the team set a target for (role None)."""
    role_items = _all_role_lines(data)
    lines: list[tuple[str | None, KpiLine]] = [
        (code, item) for code, item in role_items if item.target is not None
    ]
    role_kpis = {item.kpi.code for _, item in role_items}
    for code in target_rows.pick(data.target_rows):
        if code not in role_kpis:
            lines.append((None, sm.team_line(data, code)))
    return lines


def targets_met(data: sm.TeamData) -> tuple[list, list]:
    """(hit, missed) among the lines with a target and a value."""
    lines = targeted_lines(data)
    hit = [(r, x) for r, x in lines if x.value is not None and x.status.value == "on_track"]
    missed = [
        (r, x)
        for r, x in lines
        if x.value is not None and x.status.value in ("at_risk", "off_track")
    ]
    return hit, missed


def _more(t: Translator, items: list[str]) -> list[str]:
    if len(items) <= LIST_LIMIT:
        return items
    rest = len(items) - LIST_LIMIT
    return [*items[:LIST_LIMIT], t.n("digest.and_more", rest)]


def digest_text(data: sm.TeamData, tasks: dict, t: Translator, *, late: bool) -> str:
    team, currency = data.team, data.team.currency
    out = [
        t(
            f"digest.title.{rhythm.cadence_of(team, data.period)}",
            team=escape(team.title),
            period=summary_view.period_label(team, data.period, t),
        )
    ]
    if late:
        out.append(t("digest.late"))
    who = sm.reporting(data)
    if not who.done and not who.answering:
        out.append("")
        out.append(t("digest.nobody"))
    top = sm.headline(data)
    if top:
        out += ["", t("digest.headline")]
        out += [kl.text(x, t, currency) for x in top]
    moved = movers(data)
    if moved:
        out += ["", t("digest.movers")]
        for role_code, item in moved:
            good = kl.change_good(item)
            out.append(
                t(
                    "digest.mover",
                    mark={True: "👍", False: "👎", None: "↕️"}[good],
                    title=_title(item, role_code, t),
                    value=kl.value(item.value, item.kpi.unit, t, currency),
                    change=kl.change(item, t, currency),
                )
            )
    anomalies = kpi.detect_team_anomalies(data.history)
    if anomalies:
        out += ["", t("digest.anomalies")]
        for found in anomalies[: MOVERS + 2]:
            k = kpi.metric(found.kpi_code)
            key = "kpi.anomaly.good" if found.direction_good else "kpi.anomaly.bad"
            text = t(
                key,
                kpi=escape(k.titles[t.locale]),
                value=kl.value(found.value, k.unit, t, currency),
                baseline=kl.value(found.baseline, k.unit, t, currency),
                change=kl.relative(found.change_pct, t),
            )
            out.append(f"⚡ {text}")
    hit, missed = targets_met(data)
    out += ["", t("digest.targets")]
    if not hit and not missed:
        out.append(t("digest.no_targets"))
    else:
        if hit:
            out.append(t.n("digest.hit", len(hit)))
            out += _more(t, [target_line(r, x, t, currency) for r, x in hit])
        if missed:
            out.append(t.n("digest.missed", len(missed)))
            out += _more(t, [target_line(r, x, t, currency) for r, x in missed])
    out += ["", t("digest.reported", done=len(who.done), total=len(data.members))]
    if who.answering:
        out.append(
            t(
                "digest.answering",
                names=html_join(", ", [summary_view.name(m) for m in who.answering]),
            )
        )
    if who.silent:
        out.append(
            t("digest.silent", names=html_join(", ", [summary_view.name(m) for m in who.silent]))
        )
    if who.away:
        out.append(
            t("digest.away", names=html_join(", ", [summary_view.name(m) for m in who.away]))
        )
    out += ["", _tasks_text(tasks, t)]
    return "\n".join(out)


def target_line(role_code: str | None, item: KpiLine, t: Translator, currency: str) -> str:
    return kl.text(item, t, currency, title=_title(item, role_code, t))


def _tasks_text(tasks: dict, t: Translator) -> str:
    if not tasks["total"] and not tasks["overdue"]:
        return t("digest.tasks_none")
    text = t("digest.tasks", done=tasks["done"], total=tasks["total"])
    if tasks["total"]:
        share = kpi.format_number(tasks["done"] * 100 / tasks["total"], "percent", t.locale)
        text += t("digest.tasks_share", share=share)
    if tasks["overdue"]:
        text += t.n("digest.tasks_overdue", tasks["overdue"])
    return text


# ----------------------------------------------------------------------------- chart specs


def _f(value) -> float | None:
    return None if value is None else float(value)


def _x_label(period: Period, t: Translator) -> str:
    if period.days > 16:
        return format_date(period.start, "LLL", locale=t.locale)
    return t.date(period.start)


def trends_spec(data: sm.TeamData, t: Translator, cadence: str | None = None) -> ch.TrendChart:
    """(a) The key KPIs over the loaded periods: the ones with team targets first."""
    team, currency = data.team, data.team.currency
    cadence = cadence or rhythm.cadence_of(team, data.period)
    targets = target_rows.pick(data.target_rows)
    panels: list[ch.TrendPanel] = []
    for code in dict.fromkeys([*targets, *TREND_PRIORITY]):
        if len(panels) == TREND_PANELS:
            break
        series = sm.team_series(data, code)
        if sum(v is not None for v in series) < 2:
            continue
        k = kpi.metric(code)
        target = targets.get(code)
        panels.append(
            ch.TrendPanel(
                title=k.titles[t.locale],
                values=tuple(_f(v) for v in series),
                last_label=kl.value(series[-1], k.unit, t, currency),
                target=_f(target),
                target_label=t("kpi.plan", target=kl.value(target, k.unit, t, currency))
                if target is not None
                else "",
                direction=k.direction,
            )
        )
    return ch.TrendChart(
        title=t("charts.trends.title"),
        subtitle=t.n(f"charts.trends.subtitle.{cadence}", len(data.periods), team=team.title),
        periods=tuple(_x_label(p, t) for p in data.periods),
        panels=tuple(panels),
        no_data=t("charts.no_history"),
        locale=t.locale,
    )


def _bar(item: KpiLine, t: Translator, currency: str) -> ch.PlanFactBar:
    value = kl.value(item.value, item.kpi.unit, t, currency)
    target = kl.value(item.target, item.kpi.unit, t, currency)
    if item.value is None:
        label = t("charts.plan_fact.no_value", value=value, target=target)
    else:
        label = t(
            "charts.plan_fact.label", value=value, target=target, attainment=kl.attainment(item, t)
        )
    return ch.PlanFactBar(
        title=item.kpi.titles[t.locale],
        attainment=None if item.attainment is None else float(item.attainment * 100),
        label=label,
        status=item.status.value,
    )


def plan_fact_spec(data: sm.TeamData, t: Translator) -> ch.PlanFactChart | None:
    """(b) The KPIs that have a plan, role by role (team-wide ones last), as attainment;
    None when no plan is set."""
    currency = data.team.currency
    grouped: dict[str | None, list[ch.PlanFactBar]] = {}
    for role_code, item in targeted_lines(data):
        grouped.setdefault(role_code, []).append(_bar(item, t, currency))
    if not grouped:
        return None
    groups = [
        ch.PlanFactGroup(
            summary_view.role_title(code, t) if code else t("charts.plan_fact.team"), tuple(bars)
        )
        for code, bars in grouped.items()
    ]
    return ch.PlanFactChart(
        title=t("charts.plan_fact.title"),
        subtitle=summary_view.period_label(data.team, data.period, t),
        groups=tuple(groups),
        status_labels={s: kl.status_text(s, t) for s in kl.MARKS},
        plan_label=t("charts.plan_fact.plan"),
        no_data=t("charts.plan_fact.none"),
        locale=t.locale,
    )


def _pick_metric(codes: tuple[str, ...], rows: list[dict]) -> str:
    """Of alternatives (CPL or CPA…), the one most channels can show; ties go to the first."""
    return max(
        codes, key=lambda c: (sum(kpi.evaluate(c, r) is not None for r in rows), -codes.index(c))
    )


def channels_spec(data: sm.TeamData, t: Translator) -> ch.ChannelChart | None:
    """(c) The team's channels side by side: spend, cost per result, return."""
    currency = data.team.currency
    held = set(data.role_codes())
    channels: list[tuple[str, dict]] = []
    for code, roles in CHANNELS:
        if not held.intersection(roles):
            continue
        rows = [dict(m.inputs) for m in data.current if set(m.role_codes) & set(roles)]
        channels.append((code, kpi.combine_members(rows)))
    rows = [inputs for _, inputs in channels]
    cost = _pick_metric(COST_METRICS, rows)
    back = _pick_metric(RETURN_METRICS, rows)
    keep = [
        (code, inputs)
        for code, inputs in channels
        if any(kpi.evaluate(c, inputs) is not None for c in ("spend", cost, back))
    ]
    if not keep:
        return None
    metrics = []
    for code, reference in (("spend", None), (cost, None), (back, BREAK_EVEN[back])):
        k = kpi.metric(code)
        values = [kpi.evaluate(k, inputs) for _, inputs in keep]
        metrics.append(
            ch.ChannelMetric(
                title=k.titles[t.locale] if code != "spend" else t("charts.channels.spend"),
                values=tuple(_f(v) for v in values),
                labels=tuple(kl.value(v, k.unit, t, currency) for v in values),
                direction=k.direction,
                reference=reference,
            )
        )
    return ch.ChannelChart(
        title=t("charts.channels.title"),
        subtitle=summary_view.period_label(data.team, data.period, t),
        channels=tuple(t(f"charts.channel.{code}") for code, _ in keep),
        metrics=tuple(metrics),
        no_data=kpi.format_number(None, "count", t.locale),
    )


FUNNEL_INPUTS = ("impressions", "clicks", "leads", ("new_customers", "conversions"))


def _funnel_depth(inputs: dict) -> int:
    return sum(
        any(inputs.get(c) is not None for c in (step if isinstance(step, tuple) else (step,)))
        for step in FUNNEL_INPUTS
    )


def funnel_spec(data: sm.TeamData, t: Translator) -> ch.FunnelChart | None:
    """(d) Impressions → clicks → leads → sales. Channels report different steps (search ads
    count conversions, social ads leads), so the funnel is built from the members who report
    the most of its steps — their inputs added up — and the subtitle names their roles."""
    rows = [m for m in data.current if m.inputs]
    depth = max((_funnel_depth(dict(m.inputs)) for m in rows), default=0)
    if depth < 2:
        return None
    chosen = [m for m in rows if _funnel_depth(dict(m.inputs)) == depth]
    steps = kpi.funnel(kpi.combine_members(dict(m.inputs) for m in chosen))
    stages = []
    for index, step in enumerate(steps):
        conversion = None
        if step.conversion_from_previous is not None:
            rate = kpi.format_number(step.conversion_from_previous, "percent", t.locale)
            key = "charts.funnel.ctr" if index == 1 else "charts.funnel.conversion"
            conversion = t(key, value=rate)
        stages.append(
            ch.FunnelStage(
                title=t(f"charts.funnel.{step.code}"),
                value=_f(step.value),
                label=kpi.format_number(step.value, "count", t.locale),
                conversion=conversion,
            )
        )
    roles = {c for m in chosen for c in m.role_codes}
    who = ", ".join(summary_view.role_title(c, t) for c in data.role_codes() if c in roles)
    return ch.FunnelChart(
        title=t("charts.funnel.title"),
        subtitle=f"{who} · {summary_view.period_label(data.team, data.period, t)}",
        steps=tuple(stages),
        note=t("charts.funnel.note"),
        no_data=kpi.format_number(None, "count", t.locale),
    )


def chart_specs(data: sm.TeamData, t: Translator) -> list[ch.Spec]:
    """The album: the pictures there is something to draw in."""
    trends = trends_spec(data, t)
    specs = [trends if trends.panels else None, plan_fact_spec(data, t), channels_spec(data, t)]
    specs.append(funnel_spec(data, t))
    return [s for s in specs if s is not None]


Render = Callable[[list[ch.Spec]], Awaitable[list[tuple[str, bytes]]]]


def render_images(specs: list[ch.Spec]) -> list[tuple[str, bytes]]:
    """The PNGs, named in album order (blocking: call in a worker thread)."""
    return ch.render_album(specs)


# ----------------------------------------------------------------------------- composing


async def build(
    session: AsyncSession,
    team: Team,
    period: Period,
    t: Translator,
    *,
    now: datetime,
    late: bool = False,
    data: sm.TeamData | None = None,
) -> Digest:
    """Text and chart specs (no rendering)."""
    data = data or await sm.load(session, team, period)
    tasks = await task_counts(session, team, period, team_today(now, team.timezone))
    text = digest_text(data, tasks, t, late=late)
    return Digest(period=period, text=text, specs=chart_specs(data, t), late=late)


async def compose(
    session: AsyncSession,
    team: Team,
    period: Period,
    t: Translator,
    *,
    now: datetime,
    late: bool = False,
    render: Render | None = None,
) -> Digest:
    """The digest with its charts rendered off the event loop (by `render`, the runtime's
    chart processes; else in a thread)."""
    digest = await build(session, team, period, t, now=now, late=late)
    if render is not None:
        digest.images = await render(digest.specs)
    else:
        digest.images = await asyncio.to_thread(render_images, digest.specs)
    return digest
