"""The one place the Mini App takes its KPI wording from: value, change, plan, attainment and
status mark, exactly as the bot's /summary writes them. While the views layer's single KPI-line
presenter isn't on this branch this adapter calls the functions /summary uses; switching to the
presenter is an edit of this file only."""

from __future__ import annotations

from decimal import Decimal

from kpi import KpiLine
from views import summary as sm
from views.i18n import Translator

MARKS = sm.STATUS_MARKS


def value(amount: Decimal | None, unit: str, t: Translator, currency: str) -> str:
    return sm.fmt(amount, unit, t, currency)


def change(line: KpiLine, t: Translator, currency: str) -> str:
    return sm.plain(sm.change_text(line, t, currency))


def plan(line: KpiLine, t: Translator, currency: str) -> str:
    return "" if line.target is None else value(line.target, line.kpi.unit, t, currency)


def attainment(line: KpiLine, t: Translator) -> str:
    return sm.attainment_text(line, t)


def mark(status: str) -> str:
    return MARKS[status]


def text(line: KpiLine, t: Translator, currency: str, title: str | None = None) -> str:
    """The whole line as the bot's message has it (plain text)."""
    return sm.plain(sm.line_text(line, t, currency, title))
