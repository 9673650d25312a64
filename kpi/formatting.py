"""Numbers for display with Babel: rounded half-up to the unit's places, «н/д» / "n/a" for None."""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit

from kpi.units import DISPLAY_PLACES, UNITS

NOT_AVAILABLE: dict[str, str] = {"ru": "н/д", "en": "n/a"}
_CODE_GLUED = re.compile(r"([A-Za-z]{2,})(?=[-\d])")
DURATIONS = {"seconds": "duration-second", "days": "duration-day", "years": "duration-year"}


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale.replace("-", "_"))


@cache
def _whole_money_pattern(locale: str) -> str:
    pattern = _locale(locale).currency_formats["standard"].pattern
    return pattern.replace(".00", "")


def round_half_up(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits) + places + 2)
        rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded == 0 else rounded


def format_number(
    value: Decimal | None,
    unit: str,
    locale: str = "ru",
    currency: str = "RUB",
    *,
    signed: bool = False,
    places: int | None = None,
) -> str:
    """E.g. "12,5 %", "1 200,50 ₽", "1 200 ₽", "4,25", "40 с" (ru); "12.5%", "40 sec" (en).

    Money shows kopecks only when there are any. `signed` puts "+" before a positive value
    (for changes); `places` shows more decimals than the unit's own (not for money).
    parse_number() reads every result back to the value at display precision. An alphabetic
    currency code is set off by a non-breaking space ("RUB 257,655.16").
    """
    lang = locale.split("_")[0].split("-")[0].lower()
    if value is None:
        return NOT_AVAILABLE.get(lang, NOT_AVAILABLE["en"])
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    loc = _locale(locale)
    if places is None or unit == "money":
        places = DISPLAY_PLACES[unit]
    q = round_half_up(Decimal(value), places)
    if unit == "money":
        if q == q.to_integral_value():
            text = format_currency(
                q, currency, format=_whole_money_pattern(locale), locale=loc, currency_digits=False
            )
        else:
            text = format_currency(q, currency, locale=loc)
        text = _CODE_GLUED.sub(lambda m: m[1] + NBSP, text)
    elif unit == "percent":
        text = format_percent(q / 100, locale=loc, decimal_quantization=False)
    else:
        pattern = "#,##0" + ("." + "#" * places if places else "")
        if unit in DURATIONS:
            text = format_unit(q, DURATIONS[unit], length="short", format=pattern, locale=loc)
            text = text.replace(" ", NBSP)
        else:
            text = format_decimal(q, format=pattern, locale=loc)
    return "+" + text if signed and q > 0 else text


EN_DASH = "\u2013"
NBSP = "\u00a0"


def format_period(start: date, end: date, locale: str = "ru") -> str:
    """The one way a period is written; a decision of ours, not of a CLDR release.

    One day: «16 нояб.»; one month: «16–22 нояб.», "Nov 16–22" (an unspaced en dash);
    across months: «30 нояб. – 6 дек.»; across years, both years; a whole calendar month
    is named: «ноябрь 2026», "November 2026".
    """
    loc = _locale(locale)
    if start == end:
        return format_skeleton("MMMd", start, locale=loc)
    last_day = calendar.monthrange(start.year, start.month)[1]
    if start.day == 1 and (end.year, end.month, end.day) == (start.year, start.month, last_day):
        return format_date(start, "LLLL y", locale=loc)
    if start.year != end.year:
        left, right = (format_skeleton("yMMMd", day, locale=loc) for day in (start, end))
        return f"{left}{NBSP}{EN_DASH} {right}"
    if start.month != end.month:
        left, right = (format_skeleton("MMMd", day, locale=loc) for day in (start, end))
        return f"{left}{NBSP}{EN_DASH} {right}"
    day_first = format_skeleton("MMMd", start, locale=loc).startswith(str(start.day))
    if day_first:
        return f"{start.day}{EN_DASH}{format_skeleton('MMMd', end, locale=loc)}"
    return f"{format_skeleton('MMMd', start, locale=loc)}{EN_DASH}{end.day}"
