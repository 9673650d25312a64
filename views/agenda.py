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
from views import kpi_line as kl
from views.common import user_name
from views.i18n import Translator, escape, html_join

log = logging.getLogger(__name__)


def period_text(period: kpi.Period, t: Translator) -> str:
    return t("agenda.period", period=t.period(period.start, period.end))


def value_text(value: Decimal | None, unit: str, t: Translator, currency: str) -> str:
    return kl.value(value, unit, t, currency)


def member_names(members: list[Member]) -> str:
    return html_join(", ", [user_name(m.user) for m in members])


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
            lines.extend(kl.text(line, t, currency) for line in topic.lines)
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
    return t(
        "agenda.anomaly_good" if anomaly.direction_good else "agenda.anomaly_bad",
        title=escape(metric.titles[t.locale]),
        value=value_text(anomaly.value, metric.unit, t, currency),
        baseline=value_text(anomaly.baseline, metric.unit, t, currency),
        change=kl.relative(anomaly.change_pct, t),
    )
