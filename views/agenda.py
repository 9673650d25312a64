"""The agenda's text (seed 004, rule 3): the ten topics with the period's team numbers, the
last meeting's tasks, the anomalies and who hasn't reported — from services/meeting/agenda.py's
data; jobs/agenda.py posts it, /agenda shows it."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import kpi
from models.tables import Member, Task, Team
from services.common.clock import team_now
from services.meeting.agenda import AgendaData
from services.tasks import tasks as task_service
from views.common import user_name
from views.i18n import Translator, escape

log = logging.getLogger(__name__)

STATUS_MARKS = {
    kpi.Status.ON_TRACK: "🟢",
    kpi.Status.AT_RISK: "🟡",
    kpi.Status.OFF_TRACK: "🔴",
    kpi.Status.NO_DATA: "⚪",
}


# ----------------------------------------------------------------------------- texts
def period_text(period: kpi.Period, t: Translator) -> str:
    return t("agenda.period", period=t.period(period.start, period.end))


def value_text(value: Decimal | None, unit: str, t: Translator, currency: str) -> str:
    return kpi.format_number(value, unit, t.locale, currency)


def change_text(line: kpi.KpiLine, t: Translator, currency: str) -> str:
    """«▲ +12 %» against the previous period; «= 0 %» when it rounds to no change."""
    if line.change is None:
        return ""
    if line.change_pct is not None:
        amount = kpi.format_number(line.change_pct, "percent", t.locale, currency, signed=True)
    else:
        amount = kpi.format_number(line.change, line.kpi.unit, t.locale, currency, signed=True)
    if not any(ch.isdigit() and ch != "0" for ch in amount):
        arrow = "="
    else:
        arrow = "▲" if line.change > 0 else "▼"
    return f"{arrow} {amount}".replace("-", "−")


def kpi_line(line: kpi.KpiLine, t: Translator, currency: str) -> str:
    """«🔴 CTR: 1,2 % · ▼ −40 % · план 60 %» — value, change, plan attainment, status mark."""
    parts = [value_text(line.value, line.kpi.unit, t, currency)]
    change = change_text(line, t, currency)
    if change:
        parts.append(change)
    if line.attainment is not None:
        percent = kpi.format_number(line.attainment * 100, "percent", t.locale, currency)
        parts.append(t("agenda.attainment", percent=percent))
    elif line.target is not None:
        parts.append(t("agenda.target", target=value_text(line.target, line.kpi.unit, t, currency)))
    title = escape(line.kpi.titles[t.locale])
    return f"{STATUS_MARKS[line.status]} {title}: " + " · ".join(parts)


def member_names(members: list[Member]) -> str:
    return ", ".join(user_name(m.user) for m in members)


def task_line(task: Task, owner: Member, t: Translator, today: date) -> str:
    if task.status == task_service.DONE:
        mark = "✅"
    elif task.status == task_service.CANCELLED:
        mark = "✖️"
    elif task.due < today:
        mark = "⏰"
    else:
        mark = "⏳"
    text = t(
        "agenda.task_line",
        mark=mark,
        text=escape(task.text),
        owner=user_name(owner.user),
        due=t.date(task.due),
    )
    if task_service.is_overdue(task, today):
        text += t.n("agenda.overdue_days", (today - task.due).days)
    return text


def render(data: AgendaData, team: Team, t: Translator, *, late: bool = False) -> str:
    currency = team.currency
    meeting_local = team_now(data.cycle.meeting_at, team.timezone)
    lines = [
        t(
            "agenda.title",
            weekday=t.weekday(meeting_local.weekday()),
            date=t.date(meeting_local.date()),
            time=t.time(meeting_local),
        ),
        period_text(data.cycle.period, t),
    ]
    if late:
        lines.append(t("agenda.late"))
    if not data.collected:
        opens = team_now(data.cycle.opens_at, team.timezone)
        lines.append("")
        lines.append(
            t(
                "agenda.not_collected",
                weekday=t.weekday(opens.weekday()),
                date=t.date(opens.date()),
                time=t.time(opens),
            )
        )
        lines.append("")
        lines.extend(tasks_block(data, t))
        if data.away:
            lines.append(t("agenda.away", names=member_names(data.away)))
        return "\n".join(lines)
    for number, topic in enumerate(data.summary.topics, start=1):
        lines.append("")
        lines.append(t("agenda.topic", number=number, title=escape(topic.topic.titles[t.locale])))
        if topic.lines:
            lines.extend(kpi_line(line, t, currency) for line in topic.lines)
        else:
            lines.append(t("agenda.topic_no_data", na=kpi.format_number(None, "count", t.locale)))
    lines.append("")
    lines.extend(tasks_block(data, t))
    lines.append("")
    lines.append(t("agenda.anomalies_title"))
    if data.anomalies:
        lines.extend(anomaly_line(a, t, currency) for a in data.anomalies)
    else:
        lines.append(t("agenda.anomalies_none"))
    lines.append("")
    if data.not_reported:
        lines.append(
            t.n(
                "agenda.not_reported", len(data.not_reported), names=member_names(data.not_reported)
            )
        )
    else:
        lines.append(t("agenda.all_reported"))
    if data.away:
        lines.append(t("agenda.away", names=member_names(data.away)))
    return "\n".join(lines)


def tasks_block(data: AgendaData, t: Translator) -> list[str]:
    lines = []
    if data.last_tasks:
        stats = task_service.completion([s.task for s in data.last_tasks], data.today)
        lines.append(
            t(
                "agenda.tasks_title",
                done=stats.done,
                total=stats.total,
                open=stats.open,
                overdue=stats.overdue,
            )
        )
        lines.extend(task_line(s.task, s.owner, t, data.today) for s in data.last_tasks)
    else:
        lines.append(t("agenda.tasks_none"))
    if data.other_open:
        overdue = sum(task_service.is_overdue(task, data.today) for task in data.other_open)
        lines.append(t.n("agenda.other_open", len(data.other_open), overdue=overdue))
    return lines


def anomaly_line(anomaly: kpi.Anomaly, t: Translator, currency: str) -> str:
    metric = kpi.metric(anomaly.kpi_code)
    change = kpi.format_number(anomaly.change_pct, "percent", t.locale, currency, signed=True)
    return t(
        "agenda.anomaly_good" if anomaly.direction_good else "agenda.anomaly_bad",
        title=escape(metric.titles[t.locale]),
        value=value_text(anomaly.value, metric.unit, t, currency),
        baseline=value_text(anomaly.baseline, metric.unit, t, currency),
        change=change.replace("-", "−"),
    )
