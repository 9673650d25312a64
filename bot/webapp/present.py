"""The Mini App's KPI wording: the views layer's one KPI-line presenter (views/kpi_line.py),
so a cell reads exactly as the bot's texts do. No wording, rounding, sign or status of its own:
each function is the presenter's, its HTML turned into the plain text the page sets."""

from __future__ import annotations

from decimal import Decimal

from kpi import KpiLine
from views import kpi_line as kl
from views.i18n import Translator
from views.summary import plain

MARKS = kl.MARKS


def value(amount: Decimal | None, unit: str, t: Translator, currency: str) -> str:
    return kl.value(amount, unit, t, currency)


def change(line: KpiLine, t: Translator, currency: str) -> str:
    return plain(kl.change(line, t, currency))


def plan(line: KpiLine, t: Translator, currency: str) -> str:
    """The plan's value alone, for the plan column."""
    return kl.target(line, t, currency)


def attainment(line: KpiLine, t: Translator) -> str:
    return kl.attainment(line, t)


def mark(status: str) -> str:
    return kl.mark(status)


def text(line: KpiLine, t: Translator, currency: str, title: str | None = None) -> str:
    """The whole line as the bot's message has it (plain text)."""
    return plain(kl.text(line, t, currency, title=title))
