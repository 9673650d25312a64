"""The Mini App's JSON: the services' data turned into what the page shows, every KPI wording
from bot.webapp.present (the bot's own). Names are plain text here; the page only ever sets
them as text, never as HTML."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import kpi
from bot.webapp import present
from kpi import KpiLine, Period
from models.tables import Member, User
from services import dashboard as dash
from services.dashboard import Row, Scorecard
from services.tasks import tasks as task_service
from views import summary as sm
from views.i18n import I18n, Translator

STATUSES = tuple(present.MARKS)  # the presenter's statuses, in its order


def user_name(user: User) -> str:
    return user.full_name or (f"@{user.username}" if user.username else str(user.id))


def texts(i18n: I18n, t: Translator) -> dict[str, str]:
    """Every webapp.* text of the locale, and the status words, for the page."""
    keys = [m.id for m in i18n.catalogs[t.locale] if isinstance(m.id, str)]
    out = {key: t(key) for key in keys if key.startswith("webapp.")}
    out.update({f"kpi.status.{s}": t(f"kpi.status.{s}") for s in STATUSES})
    return out


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def period_json(period: Period, t: Translator) -> dict[str, str]:
    return {
        "key": period.key,
        "label": t.period(period.start, period.end),
        "short": t.date(period.start),
    }


def cell_json(line: KpiLine, period: Period, t: Translator, currency: str) -> dict[str, Any]:
    status = line.status.value
    return {
        "period": period.key,
        "value": present.value(line.value, line.kpi.unit, t, currency),
        "raw": _num(line.value),
        "change": present.change(line, t, currency),
        "plan": present.plan(line, t, currency),
        "plan_raw": _num(line.target),
        "attainment": present.attainment(line, t),
        "status": status,
        "mark": present.mark(status),
        "text": present.text(line, t, currency),
    }


def row_json(row: Row, periods: list[Period], t: Translator, currency: str) -> dict[str, Any]:
    unit = row.kpi.unit
    return {
        "role": row.role_code,
        "role_title": kpi.role(row.role_code).titles[t.locale],
        "kpi": row.kpi.code,
        "title": row.kpi.titles[t.locale],
        "unit": unit,
        "direction": row.kpi.direction,
        "plan": "" if row.plan is None else present.value(row.plan, unit, t, currency),
        "average": "" if row.average is None else present.value(row.average, unit, t, currency),
        "total": "" if row.total is None else present.value(row.total, unit, t, currency),
        "cells": [cell_json(x, p, t, currency) for x, p in zip(row.lines, periods, strict=True)],
    }


def _owners(card: Scorecard, code: str) -> list[dict[str, Any]]:
    return [{"member_id": m.id, "name": user_name(m.user)} for m in card.holders(code)]


def _groups(card: Scorecard, rows: list[Row], t: Translator, owners: bool) -> list[dict]:
    """By role: a group per role held, with its holders (the rows' owners)."""
    currency = card.team.currency
    groups: list[dict[str, Any]] = []
    for code in dict.fromkeys(r.role_code for r in rows):
        group: dict[str, Any] = {
            "role": code,
            "title": kpi.role(code).titles[t.locale],
            "rows": [row_json(r, card.periods, t, currency) for r in rows if r.role_code == code],
        }
        if owners:
            group["owners"] = _owners(card, code)
        groups.append(group)
    return groups


def _topic_groups(card: Scorecard, rows: list[Row], t: Translator) -> list[dict]:
    """By the agenda's ten topics (services.dashboard.by_topic); each row names its role."""
    currency = card.team.currency
    return [
        {
            "topic": topic.code if topic else "",
            "title": topic.titles[t.locale] if topic else t("webapp.topic.other"),
            "rows": [row_json(r, card.periods, t, currency) for r in found],
        }
        for topic, found in dash.by_topic(rows)
    ]


def legend(t: Translator) -> list[dict[str, str]]:
    return [{"status": s, "mark": present.mark(s), "label": t(f"kpi.status.{s}")} for s in STATUSES]


def scorecard_json(card: Scorecard, t: Translator, by: str = "role") -> dict[str, Any]:
    """The team's scorecard, its rows grouped `by` role or by agenda topic."""
    data = card.data
    groups = (
        _topic_groups(card, card.rows, t)
        if by == "topic"
        else _groups(card, card.rows, t, owners=True)
    )
    return {
        "team": {"id": card.team.id, "title": card.team.title},
        "period": period_json(data.period, t),
        "periods": [period_json(p, t) for p in card.periods],
        "reported": sm.plain(sm.reported_text(data, t, names=False)),
        "by": by,
        "groups": groups,
        "legend": legend(t),
    }


def member_json(card: Scorecard, member: Member, t: Translator, open_tasks: int) -> dict[str, Any]:
    data = card.data
    return {
        "member_id": member.id,
        "name": user_name(member.user),
        "roles": [kpi.role(c).titles[t.locale] for c in member.role_codes],
        "reported": member.id in data.responded,
        "open_tasks": open_tasks,
        "period": period_json(data.period, t),
        "periods": [period_json(p, t) for p in card.periods],
        "groups": _groups(card, dash.member_rows(card, member), t, owners=False),
        "legend": legend(t),
    }


def breakdown_json(
    card: Scorecard,
    role_code: str,
    line: KpiLine,
    period: Period,
    found: list[dash.Contribution],
    t: Translator,
    *,
    viewer: Member | None,
    everyone: bool,
) -> dict[str, Any]:
    """Who gave what for one cell: everyone's numbers for a lead, one's own otherwise."""
    currency = card.team.currency
    people = []
    hidden = 0
    for c in found:
        if not everyone and (viewer is None or c.member.id != viewer.id):
            hidden += 1
            continue
        people.append(
            {
                "member_id": c.member.id,
                "name": user_name(c.member.user),
                "value": present.value(c.value, line.kpi.unit, t, currency),
                "counted": c.counted,
                "inputs": [
                    {
                        "title": kpi.input_def(code).titles[t.locale],
                        "value": present.value(
                            c.inputs.get(code), kpi.input_def(code).unit, t, currency
                        ),
                    }
                    for code in line.kpi.inputs
                ],
            }
        )
    return {
        "role": role_code,
        "role_title": kpi.role(role_code).titles[t.locale],
        "kpi": line.kpi.code,
        "title": line.kpi.titles[t.locale],
        "period": period_json(period, t),
        "cell": cell_json(line, period, t, currency),
        "people": people,
        "hidden": hidden,
    }


def task_json(item: dash.BoardTask, t: Translator, today: date, *, can_edit: bool) -> dict:
    task = item.task
    open_ = task.status == task_service.OPEN
    return {
        "id": task.id,
        "text": task.text,
        "owner": user_name(item.owner.user),
        "owner_member_id": item.owner.id,
        "state": item.state,
        "due": task.due.isoformat(),
        "due_text": due_text(task, t, today),
        "can_edit": can_edit and open_,
    }


def due_text(task, t: Translator, today: date) -> str:
    """As the bot's task lines say it (services.task_notices.due_text)."""
    from views.tasks import due_text as bot_due_text

    return sm.plain(bot_due_text(task, t, today))


def minutes_json(item: dash.Minutes, t: Translator, timezone) -> dict[str, Any]:
    moment = dash.ended_at(item).astimezone(timezone)
    return {
        "id": item.meeting.id,
        "date": t.date(moment.date(), "yMMMd"),
        "period": item.meeting.period_start.isoformat(),
        "text": sm.plain(item.text),
    }
