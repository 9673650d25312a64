"""The summary's words: KPI lines, role blocks, the team and member texts, the member card's
labels — from services/reports/summary.py's data."""

from __future__ import annotations

import re
from decimal import Decimal

import kpi
from kpi import KpiLine, Period
from kpi.charts import CardRow, MemberCard
from models.tables import Member, Team
from services.reports.summary import (
    TeamData,
    headline,
    member_lines,
    member_series,
    reporting,
    role_lines,
)
from views.i18n import Translator, escape

STATUS_MARKS = {"on_track": "✅", "at_risk": "⚠️", "off_track": "❌", "no_data": "▫️"}


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
