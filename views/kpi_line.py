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
  a sign (U+2212 minus), at the precision of the value it changes: a unit's own places
  (percentage points one finer, «0,05 п.п.», a relative change to 0,1 %); a change that
  rounds to zero there, as one that is exactly zero, is «без изменений» / "no change" (never
  «+0,00006 п.п.»); no previous value: no change is written;
- whose numbers: a team value is over the members who gave all the KPI's inputs; when some
  whose roles ask for all of them gave only part, it says «(по 2 из 3)» (kpi.compare's
  `partial`: someone never asked for an input isn't missing), and a change over fewer people
  than the value says «(у 1 из 2)»;
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
    target(line, t, currency)          the plan's value alone, «2 %» ("" without a plan)
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
PP_PLACES = kpi.DISPLAY_PLACES["percent"] + 1  # percentage points: 0,05 п.п. on a 1,3 % value
PCT_PLACES = 1  # relative change: 3,7 %


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
    shown = kpi.round_half_up(abs(magnitude), places)
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return format_decimal(shown, format=pattern, locale=t.locale)


def shown_change(line: kpi.KpiLine) -> tuple[str, Decimal] | None:
    """How the change is written: ("pp" | "abs" | "pct", the signed amount rounded to the
    places it is shown at); None without a previous value. An amount of 0 is «no change»."""
    if line.change is None:
        return None
    unit = line.kpi.unit
    if unit == "percent":
        return "pp", kpi.round_half_up(line.change, PP_PLACES)
    if unit == "points" or line.change_pct is None:
        return "abs", kpi.round_half_up(line.change, kpi.DISPLAY_PLACES[unit])
    return "pct", kpi.round_half_up(line.change_pct, PCT_PLACES)


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
    shown = shown_change(line)
    if shown is None:
        return ""
    kind, amount = shown
    if amount == 0:
        return t("kpi.change.none")
    arrow = "▲" if amount > 0 else "▼"
    sign = "+" if amount > 0 else MINUS
    if kind == "pp":
        return t("kpi.change.pp", arrow=arrow, sign=sign, value=_amount(amount, PP_PLACES, t))
    if kind == "abs":
        text = kpi.format_number(abs(amount), line.kpi.unit, t.locale, currency)
        return t("kpi.change.abs", arrow=arrow, sign=sign, value=text)
    return t("kpi.change.pct", arrow=arrow, sign=sign, value=_amount(amount, PCT_PLACES, t))


def relative(pct: Decimal | None, t: Translator) -> str:
    """A signed relative change alone, «+23,9 %», «−3,7 %» (anomalies against a mean)."""
    if pct is None:
        return kpi.format_number(None, "percent", t.locale)
    amount = kpi.round_half_up(pct, PCT_PLACES)
    if amount == 0:
        return t("kpi.change.none")
    sign = "+" if amount > 0 else MINUS
    return t("kpi.change.pct", arrow="", sign=sign, value=_amount(amount, PCT_PLACES, t)).strip()


def change_good(line: kpi.KpiLine) -> bool | None:
    """True when the change is for the better, False for the worse, None when none is shown
    (no previous value, or one that rounds to «no change») or the KPI has no good direction
    (ad spend)."""
    shown = shown_change(line)
    if shown is None or shown[1] == 0 or line.kpi.direction not in ("up", "down"):
        return None
    return (shown[1] > 0) == (line.kpi.direction == "up")


def attainment(line: kpi.KpiLine, t: Translator) -> str:
    """«66,4 %»: the plan's share reached, to 0,1 %."""
    if line.attainment is None:
        return ""
    return kpi.format_number(line.attainment * 100, "percent", t.locale)


def target(line: kpi.KpiLine, t: Translator, currency: str = "RUB") -> str:
    """The plan's value alone, «2 %» (a table's plan column); "" without a plan."""
    return "" if line.target is None else value(line.target, line.kpi.unit, t, currency)


def plan(line: kpi.KpiLine, t: Translator, currency: str = "RUB") -> str:
    """«план 2 % (66,4 %)», «план 2 %» when attainment means nothing; "" without a plan."""
    if line.target is None:
        return ""
    target_ = target(line, t, currency)
    reached = attainment(line, t)
    if reached:
        return t("kpi.plan_attained", target=target_, attainment=reached)
    return t("kpi.plan", target=target_)


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
