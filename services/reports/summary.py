"""A period's numbers: the team's KPIs by role and team-wide, one member's own, the history
behind the trends, and their text for /summary (also the digest's and the report's building
blocks). Ratios are always recomputed from the raw inputs (kpi.team_value), never averaged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import KPI, KpiLine, MemberInputs, Period
from kpi.charts import CardRow, MemberCard
from kpi.summary import line as kpi_line
from models.tables import Answer, Away, Checkin, Holiday, Member, Target, Team
from services.common import kpi_data
from services.reports import targets as target_rows
from services.team import rhythm, teams
from views.i18n import Translator, escape

HISTORY = 12
MESSAGE_LIMIT = 4096
STATUS_MARKS = {"on_track": "✅", "at_risk": "⚠️", "off_track": "❌", "no_data": "▫️"}
# Team-wide numbers a lead reads first, in this order, when the team has them.
HEADLINE = (
    "spend", "revenue", "leads", "cpl", "conversions", "cpa", "roas", "romi", "ctr",
    "new_customers", "cac", "sessions", "reach", "engagement_rate", "open_rate",
)  # fmt: skip


@dataclass
class TeamData:
    """Everything a period's summary is computed from, loaded in a few queries."""

    team: Team
    members: list[Member]  # active members with a role, in joining order
    periods: list[Period]  # oldest first; the last one is the period summarized
    history: list[list[MemberInputs]]
    target_rows: list[Target]
    responded: set[int]  # members who sent their numbers for the period
    away: set[int]  # members away during the period
    answering: set[int] = field(default_factory=set)  # started their questions, not finished

    @property
    def period(self) -> Period:
        return self.periods[-1]

    @property
    def current(self) -> list[MemberInputs]:
        return self.history[-1]

    @property
    def previous(self) -> list[MemberInputs] | None:
        return self.history[-2] if len(self.history) > 1 else None

    def role_codes(self) -> list[str]:
        """Roles held in the team, in catalogue order."""
        held = {c for m in self.members for c in m.role_codes}
        return [r.code for r in kpi.catalog() if r.code in held]

    def member(self, member_id: int) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)


async def holidays(session: AsyncSession, team: Team) -> set[date]:
    return set(await session.scalars(select(Holiday.day).where(Holiday.team_id == team.id)))


async def load(session: AsyncSession, team: Team, period: Period, depth: int = HISTORY) -> TeamData:
    members = [m for m in await teams.members(session, team) if m.role_codes]
    periods = kpi.periods_back(period, depth, rhythm.cadence(team), team.anchor_date)
    history = await kpi_data.history(session, team, members, periods)
    ids = [m.id for m in members]
    answered = set(
        await session.scalars(
            select(Answer.member_id)
            .where(Answer.member_id.in_(ids), Answer.period_start == period.start)
            .group_by(Answer.member_id)
        )
    )
    # a check-in finished (even if reopened to correct an answer) is a report; one still open
    # is work in progress; answers without a check-in (imported, say) count as a report
    checkins = dict(
        (
            await session.execute(
                select(Checkin.member_id, Checkin.finished_at).where(
                    Checkin.member_id.in_(ids), Checkin.period_start == period.start
                )
            )
        ).all()
    )
    responded = {m for m in answered if m not in checkins or checkins[m] is not None} | {
        m for m, finished in checkins.items() if finished is not None
    }
    answering = answered - responded
    away = set(
        await session.scalars(
            select(Away.member_id).where(
                Away.member_id.in_(ids), Away.start <= period.end, Away.end >= period.start
            )
        )
    )
    return TeamData(
        team=team,
        members=members,
        periods=periods,
        history=history,
        target_rows=await target_rows.in_period(session, team, period),
        responded=responded,
        away=away,
        answering=answering,
    )


class SummaryError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


DAY = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?$")


def parse_day(text: str, today: date) -> date:
    """A day typed as 16.11, 16.11.2026, 16.11.26 or 2026-11-16; a day without a year is the
    latest such day not after today. Refused if malformed or in the future."""
    value = text.strip()
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            day = date.fromisoformat(value)
        else:
            match = DAY.match(value)
            if match is None:
                raise ValueError(value)
            dd, mm, yy = match.groups()
            if yy is None:
                day = date(today.year, int(mm), int(dd))
                if day > today:
                    day = day.replace(year=today.year - 1)
            else:
                day = date(int(yy) + (2000 if len(yy) == 2 else 0), int(mm), int(dd))
    except ValueError:
        raise SummaryError("summary.error.date", value=value) from None
    if day > today:
        raise SummaryError("summary.error.future", value=value)
    return day


def due_period(team: Team, now: datetime, holiday_days: set[date]) -> Period:
    """The latest period whose collection has closed: what /summary and the digest show."""
    cycle = rhythm.current_cycle(team, now, holiday_days)
    if now < cycle.deadline_at:
        cycle = rhythm.previous_cycle(team, cycle, holiday_days)
    return cycle.period


# ----------------------------------------------------------------------------- numbers


def _holding(rows: Sequence[MemberInputs], role_code: str) -> list[MemberInputs]:
    return [m for m in rows if role_code in m.role_codes]


def paired_line(
    k: KPI,
    current: Sequence[MemberInputs],
    previous: Sequence[MemberInputs] | None,
    target: Decimal | None,
) -> KpiLine:
    """The KPI over the members who gave all its inputs now (their inputs added up), against
    the same members' previous period — so someone who didn't report this time doesn't show
    up as a fall."""
    complete = [m for m in current if all(m.inputs.get(c) is not None for c in k.inputs)]
    value = kpi.team_value(k, [dict(m.inputs) for m in complete]) if complete else None
    before = None
    if previous is not None:
        ids = {m.member_id for m in complete}
        before = kpi.team_value(k, [dict(m.inputs) for m in previous if m.member_id in ids])
    return kpi_line(k, value, before, target)


def role_lines(data: TeamData, role_code: str) -> list[KpiLine]:
    """The role's KPIs over the members holding it (inputs added up, ratios recomputed),
    against the team's targets for the role."""
    targets = target_rows.pick(data.target_rows, role_code=role_code)
    rows = _holding(data.current, role_code)
    previous = _holding(data.previous, role_code) if data.previous is not None else None
    return [paired_line(k, rows, previous, targets.get(k.code)) for k in kpi.role(role_code).kpis]


def team_line(data: TeamData, code: str) -> KpiLine:
    """One metric over every member who gave its inputs, against a team-wide target."""
    targets = target_rows.pick(data.target_rows)
    return paired_line(kpi.metric(code), data.current, data.previous, targets.get(code))


def headline(data: TeamData, limit: int = 6) -> list[KpiLine]:
    lines = [team_line(data, code) for code in HEADLINE]
    return [x for x in lines if x.value is not None][:limit]


def team_series(data: TeamData, code: str, role_code: str | None = None) -> list[Decimal | None]:
    """A metric per period, oldest first: over everyone, or over the holders of a role."""
    k = kpi.metric(code)
    out: list[Decimal | None] = []
    for rows in data.history:
        chosen = _holding(rows, role_code) if role_code else rows
        out.append(kpi.team_value(k, [dict(m.inputs) for m in chosen]))
    return out


def member_lines(data: TeamData, member: Member) -> dict[str, list[KpiLine]]:
    """A member's own KPIs for each role they hold, against their targets."""
    current = _inputs_of(data.current, member.id)
    previous = _inputs_of(data.previous, member.id) if data.previous is not None else None
    out: dict[str, list[KpiLine]] = {}
    for code in member.role_codes:
        targets = target_rows.pick(data.target_rows, member_id=member.id, role_code=code)
        out[code] = [
            kpi_line(
                k,
                kpi.evaluate(k, current),
                None if previous is None or not previous else kpi.evaluate(k, previous),
                targets.get(k.code),
            )
            for k in kpi.role(code).kpis
        ]
    return out


def member_series(data: TeamData, member_id: int, k: KPI) -> list[Decimal | None]:
    return [kpi.evaluate(k, _inputs_of(rows, member_id)) for rows in data.history]


def _inputs_of(rows: Sequence[MemberInputs] | None, member_id: int) -> dict[str, Decimal]:
    for m in rows or ():
        if m.member_id == member_id:
            return dict(m.inputs)
    return {}


@dataclass
class Reporting:
    done: list[Member]
    answering: list[Member]  # started, not finished
    silent: list[Member]
    away: list[Member]  # away and silent


def reporting(data: TeamData) -> Reporting:
    rest = [m for m in data.members if m.id not in data.responded]
    return Reporting(
        done=[m for m in data.members if m.id in data.responded],
        answering=[m for m in rest if m.id in data.answering],
        silent=[m for m in rest if m.id not in data.answering and m.id not in data.away],
        away=[m for m in rest if m.id not in data.answering and m.id in data.away],
    )


def name(member: Member) -> str:
    """The member's name as HTML-safe text."""
    user = member.user
    return escape(user.full_name or (f"@{user.username}" if user.username else str(user.id)))


# ----------------------------------------------------------------------------- text


def period_label(team: Team, period: Period, t: Translator) -> str:
    return t.period(period.start, period.end)


SUFFIXED_UNITS = ("seconds", "days", "years")


def fmt(value: Decimal | None, unit: str, t: Translator, currency: str) -> str:
    """A value for people: «1 200,50 ₽», «12,5 %», «95 с»; «н/д» when undefined."""
    text = kpi.format_number(value, unit, t.locale, currency)
    if value is not None and unit in SUFFIXED_UNITS:
        return t(f"summary.unit.{unit}", value=text)
    return text


def change_text(item: KpiLine, t: Translator, currency: str) -> str:
    """«▲ 12 %», «▼ 0,4 п.п.» for percent KPIs, «→ 0 %» when it rounds to nothing; empty
    without a previous value."""
    if item.change is None:
        return ""

    def arrow(shown: Decimal) -> str:
        if shown == 0:
            return "→"
        return "▲" if item.change > 0 else "▼"

    if item.kpi.unit in ("percent", "points"):
        shown = kpi.round_half_up(abs(item.change), 2)
        amount = kpi.format_number(shown, "ratio", t.locale)
        return t("summary.change_pp", arrow=arrow(shown), value=amount)
    if item.change_pct is None:
        shown = abs(item.change)
        amount = fmt(shown, item.kpi.unit, t, currency)
        return t("summary.change_abs", arrow=arrow(shown), value=amount)
    shown = kpi.round_half_up(abs(item.change_pct), 1)
    amount = kpi.format_number(shown, "percent", t.locale)
    return t("summary.change_pct", arrow=arrow(shown), value=amount)


def attainment_text(item: KpiLine, t: Translator) -> str:
    if item.attainment is None:
        return ""
    return kpi.format_number(item.attainment * 100, "percent", t.locale)


def line_text(item: KpiLine, t: Translator, currency: str, title: str | None = None) -> str:
    """«✅ CPL: <b>745,50 ₽</b> · ▼ 3 % · план 800 ₽ (107 %)»."""
    parts = [
        t(
            "summary.line",
            mark=STATUS_MARKS[item.status.value],
            title=escape(title or item.kpi.titles[t.locale]),
            value=fmt(item.value, item.kpi.unit, t, currency),
        )
    ]
    change = change_text(item, t, currency)
    if change:
        parts.append(change)
    if item.target is not None:
        target = fmt(item.target, item.kpi.unit, t, currency)
        reached = attainment_text(item, t)
        key = "summary.target_attained" if reached else "summary.target"
        parts.append(t(key, target=target, attainment=reached))
    return " · ".join(parts)


def role_title(code: str, t: Translator) -> str:
    return kpi.role(code).titles[t.locale]


def reported_text(data: TeamData, t: Translator, names: bool = True) -> str:
    who = reporting(data)
    text = t("summary.reported", done=len(who.done), total=len(data.members))
    if names and who.answering:
        text += t("summary.answering", names=", ".join(name(m) for m in who.answering))
    if names and who.silent:
        text += t("summary.silent", names=", ".join(name(m) for m in who.silent))
    if names and who.away:
        text += t("summary.away", names=", ".join(name(m) for m in who.away))
    return text


def team_text(data: TeamData, t: Translator) -> str:
    team, currency = data.team, data.team.currency
    lines = [
        t(
            "summary.team_title",
            team=escape(team.title),
            period=period_label(team, data.period, t),
        ),
        reported_text(data, t),
    ]
    if not data.members:
        lines.append(t("summary.no_members"))
        return "\n".join(lines)
    top = headline(data)
    if top:
        lines.append("")
        lines.append(t("summary.headline"))
        lines.extend(line_text(x, t, currency) for x in top)
    for code in data.role_codes():
        holders = [m for m in data.members if code in m.role_codes]
        lines.append("")
        lines.append(
            t(
                "summary.role",
                role=escape(role_title(code, t)),
                people=t.n("summary.people", len(holders)),
            )
        )
        answered = any(m.id in data.responded for m in holders)
        lines.extend(role_block(role_lines(data, code), t, currency, answered=answered))
    lines.append("")
    lines.append(legend(t))
    return "\n".join(lines)


def role_block(
    items: list[KpiLine], t: Translator, currency: str, *, answered: bool = True
) -> list[str]:
    """A role's lines («н/д» where a KPI is undefined); one «no data» line instead when nobody
    holding the role answered."""
    if not answered and all(x.value is None for x in items):
        return [t("summary.role_no_data", mark=STATUS_MARKS["no_data"])]
    return [line_text(x, t, currency) for x in items]


def member_text(data: TeamData, member: Member, t: Translator) -> str:
    team, currency = data.team, data.team.currency
    lines = [
        t(
            "summary.member_title",
            team=escape(team.title),
            period=period_label(team, data.period, t),
        )
    ]
    if not member.role_codes:
        lines.append(t("summary.member_no_roles"))
        return "\n".join(lines)
    if member.id not in data.responded:
        lines.append(t("summary.member_silent"))
    for code, items in member_lines(data, member).items():
        lines.append("")
        lines.append(t("summary.role_own", role=escape(role_title(code, t))))
        lines.extend(role_block(items, t, currency, answered=member.id in data.responded))
    lines.append("")
    lines.append(legend(t))
    return "\n".join(lines)


def legend(t: Translator) -> str:
    return t(
        "summary.legend",
        on_track=STATUS_MARKS["on_track"] + " " + t("kpi.status.on_track"),
        at_risk=STATUS_MARKS["at_risk"] + " " + t("kpi.status.at_risk"),
        off_track=STATUS_MARKS["off_track"] + " " + t("kpi.status.off_track"),
        no_data=STATUS_MARKS["no_data"] + " " + t("kpi.status.no_data"),
    )


def chunks(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The text cut at line ends into messages Telegram accepts (lines carry whole tags)."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            head, line = line[:limit], line[limit:]
            if current:
                out.append(current)
                current = ""
            out.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        out.append(current)
    return [c.strip("\n") for c in out if c.strip()]


TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """HTML message text as plain text (the tags dropped, entities read)."""
    import html

    return html.unescape(TAG.sub("", text))


# ----------------------------------------------------------------------------- member card


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def card_spec(data: TeamData, member: Member, t: Translator, footer: str = "") -> MemberCard:
    """(e) The member's card for the planerka: their KPIs with change, plan and trend."""
    currency = data.team.currency
    rows: list[CardRow] = []
    sections: list[tuple[int, str]] = []
    roles = member_lines(data, member)
    for code, items in roles.items():
        if len(roles) > 1:
            sections.append((len(rows), role_title(code, t)))
        for item in items:
            change = change_text(item, t, currency)
            good = None
            if item.change is not None and item.change != 0:
                good = (item.change > 0) == (item.kpi.direction == "up")
            target = ""
            if item.target is not None:
                target = t(
                    "charts.card_target", target=fmt(item.target, item.kpi.unit, t, currency)
                )
            rows.append(
                CardRow(
                    title=item.kpi.titles[t.locale],
                    value=fmt(item.value, item.kpi.unit, t, currency),
                    change=plain(change),
                    change_good=good,
                    target=target,
                    status=item.status.value,
                    history=tuple(_float(v) for v in member_series(data, member.id, item.kpi)),
                )
            )
    roles_text = ", ".join(role_title(c, t) for c in member.role_codes)
    return MemberCard(
        title=plain(name(member)),
        subtitle=f"{roles_text} · {period_label(data.team, data.period, t)}",
        rows=tuple(rows),
        status_labels={s: t(f"kpi.status.{s}") for s in STATUS_MARKS},
        no_data=t("charts.no_data"),
        footer=footer,
        sections=tuple(sections),
    )
