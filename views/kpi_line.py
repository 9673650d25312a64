"""THE KPI-line presenter: how a KPI's value, change, plan, attainment and status are written,
in every view (check-in card, speaker card, /summary, digest and its charts, agenda, monthly
report, export, the Mini App). Data in (a `kpi.KpiLine`, a Translator, the team's currency),
text out; nothing here reads the database or the clock.

The rules, stated once (the README repeats them):
- value: rounded half-up to the unit's places, a non-breaking space before %, п.п. and units
  («12,5 %», «1 200 ₽», «40 с»; "12.5%", "40 sec"); «н/д» / "n/a" when undefined;
- change, against the previous period of the same people (kpi.compare): percent KPIs in
  percentage points («▼ −0,05 п.п.»), NPS-like points and KPIs whose previous value was 0 in
  their own unit, everything else in percent of the previous value («▲ +12,5 %»); an arrow and
  a sign (U+2212 minus), with as many decimals as it takes to be within ±25 % of the true
  change and never «0» for a non-zero one (kpi.change_places); exactly no change is «без
  изменений» / "no change"; no previous value: no change is written;
- whose numbers: a team value is over the members who gave all the KPI's inputs; when some
  gave only part of them it says «(по 2 из 3)», and a change over fewer people than the value
  says «(у 1 из 2)»;
- plan: «план 2 %», with attainment «план 2 % (66,4 %)» (attainment to 0,1 %);
- status marks: 🟢 on track, 🟡 at risk, 🔴 off track, ⚪ no data, 🔵 not rated (a KPI with no
  good direction and no plan, such as ad spend). Charts draw their own signs and explain them
  in their legend.

API (all return str unless said):
    mark(status)                       the status mark
    value(v, unit, t, currency)        a value
    change(line, t, currency)          the change ("" without a previous value), «(у 1 из 2)»
                                       when it is over fewer people than the value
    whose(line, t)                     «(по 2 из 3)» when people who gave only part of the
                                       inputs are left out of a team value
    relative(pct, t)                   a signed relative change alone, «−23,9 %»
    change_good(line) -> bool | None   whether the change is for the better (None: neutral)
    attainment(line, t)                «66,4 %» ("" without one)
    plan(line, t, currency)            «план 2 % (66,4 %)» ("" without a plan)
    parts(line, t, currency) -> Parts  each piece as plain text (charts, Mini App, export)
    text(line, t, currency, title=, note=)  the whole line as HTML:
                                       «🔴 CTR: <b>1,33 %</b> · ▼ −0,05 п.п. · план 2 % (66,4 %)»
    legend(t)                          what the marks mean
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from babel.numbers import format_decimal

import kpi

MINUS = "\u2212"
NBSP = "\u00a0"
MARKS: dict[str, str] = {
    "on_track": "🟢",
    "at_risk": "🟡",
    "off_track": "🔴",
    "no_data": "⚪",
    "unrated": "🔵",
}
PP_PLACES = 2  # percentage points: at least two decimals (0,05 п.п.)
PCT_PLACES = 1  # relative change: at least one (3,7 %)


class Translator(Protocol):
    """What the presenter needs of bot.i18n.Translator: the locale and keyed texts."""

    locale: str

    def __call__(self, key: str, /, **params: object) -> str: ...


def escape(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True, slots=True)
class Parts:
    """A line's pieces as plain text, for views that lay them out themselves."""

    mark: str
    title: str
    value: str
    change: str
    change_good: bool | None
    whose: str  # «по 2 из 3» when the value leaves out people who gave part of its inputs
    plan: str
    attainment: str
    status: str  # on_track, at_risk, off_track, no_data, unrated
    status_text: str


def mark(status: kpi.Status | str) -> str:
    return MARKS[str(getattr(status, "value", status))]


def value(v: Decimal | None, unit: str, t: Translator, currency: str = "RUB") -> str:
    """«1 200,50 ₽», «12,5 %», «40 с», «н/д»."""
    return kpi.format_number(v, unit, t.locale, currency)


def _amount(magnitude: Decimal, places: int, t: Translator) -> str:
    p = kpi.change_places(magnitude, places)
    shown = kpi.round_half_up(abs(magnitude), p)
    pattern = "#,##0" + ("." + "#" * p if p else "")
    return format_decimal(shown, format=pattern, locale=t.locale)


def change(line: kpi.KpiLine, t: Translator, currency: str = "RUB") -> str:
    """«▲ +12,5 %», «▼ −0,05 п.п.», «▲ +1 200 ₽», «без изменений»; "" without a previous.
    A team line whose change is over fewer people than its value says so: «(у 1 из 2)»."""
    text = _change(line, t, currency)
    if text and line.compared and len(line.compared) < len(line.members):
        text += " " + t("kpi.change_of", n=len(line.compared), total=len(line.members))
    return text


def whose(line: kpi.KpiLine, t: Translator) -> str:
    """«по 2 из 3»: a team line's value leaves out people who gave only part of its inputs."""
    if not line.partial or not line.members:
        return ""
    total = len(line.members) + len(line.partial)
    return t("kpi.value_of", n=len(line.members), total=total)


def _change(line: kpi.KpiLine, t: Translator, currency: str) -> str:
    if line.change is None:
        return ""
    if line.change == 0:
        return t("kpi.change.none")
    arrow = "▲" if line.change > 0 else "▼"
    sign = "+" if line.change > 0 else MINUS
    unit = line.kpi.unit
    if unit == "percent":
        amount = _amount(line.change, PP_PLACES, t)
        return t("kpi.change.pp", arrow=arrow, sign=sign, value=amount)
    if unit == "points" or line.change_pct is None:
        p = kpi.change_places(line.change, kpi.DISPLAY_PLACES[unit])
        text = kpi.format_number(abs(line.change), unit, t.locale, currency, places=p)
        return t("kpi.change.abs", arrow=arrow, sign=sign, value=text)
    amount = _amount(line.change_pct, PCT_PLACES, t)
    return t("kpi.change.pct", arrow=arrow, sign=sign, value=amount)


def relative(pct: Decimal | None, t: Translator) -> str:
    """A signed relative change alone, «+23,9 %», «−3,7 %» (anomalies against a mean)."""
    if pct is None:
        return kpi.format_number(None, "percent", t.locale)
    if pct == 0:
        return t("kpi.change.none")
    sign = "+" if pct > 0 else MINUS
    return t("kpi.change.pct", arrow="", sign=sign, value=_amount(pct, PCT_PLACES, t)).strip()


def change_good(line: kpi.KpiLine) -> bool | None:
    """True when the change is for the better, False for the worse, None when there is none or
    the KPI has no good direction (ad spend)."""
    if not line.change or line.kpi.direction not in ("up", "down"):
        return None
    return (line.change > 0) == (line.kpi.direction == "up")


def attainment(line: kpi.KpiLine, t: Translator) -> str:
    """«66,4 %»: the plan's share reached, to 0,1 %."""
    if line.attainment is None:
        return ""
    return kpi.format_number(line.attainment * 100, "percent", t.locale)


def plan(line: kpi.KpiLine, t: Translator, currency: str = "RUB") -> str:
    """«план 2 % (66,4 %)», «план 2 %» when attainment means nothing; "" without a plan."""
    if line.target is None:
        return ""
    target = value(line.target, line.kpi.unit, t, currency)
    reached = attainment(line, t)
    if reached:
        return t("kpi.plan_attained", target=target, attainment=reached)
    return t("kpi.plan", target=target)


def status_text(status: kpi.Status | str, t: Translator) -> str:
    return t(f"kpi.status.{getattr(status, 'value', status)}")


def parts(line: kpi.KpiLine, t: Translator, currency: str = "RUB") -> Parts:
    return Parts(
        mark=mark(line.status),
        title=line.kpi.titles.get(t.locale) or line.kpi.titles["en"],
        value=value(line.value, line.kpi.unit, t, currency),
        change=change(line, t, currency),
        change_good=change_good(line),
        whose=whose(line, t),
        plan=plan(line, t, currency),
        attainment=attainment(line, t),
        status=line.status.value,
        status_text=status_text(line.status, t),
    )


def text(
    line: kpi.KpiLine,
    t: Translator,
    currency: str = "RUB",
    *,
    title: str | None = None,
    note: str = "",
) -> str:
    """The whole line as HTML: mark, title, value in bold, change, plan; `title` replaces the
    KPI's own (plain text, escaped here); `note` (HTML) goes last, e.g. whose numbers."""
    p = parts(line, t, currency)
    out = [t("kpi.line", mark=p.mark, title=escape(title or p.title), value=p.value)]
    if p.whose:
        out[0] += " " + p.whose
    out += [x for x in (p.change, p.plan, note) if x]
    return " · ".join(out)


def legend(t: Translator) -> str:
    """«🟢 в плане · 🟡 под угрозой · 🔴 отстаём · ⚪ нет данных · 🔵 без оценки» and how a change
    is written."""
    marks = " · ".join(f"{m} {status_text(s, t)}" for s, m in MARKS.items())
    return t("kpi.legend", marks=marks)
