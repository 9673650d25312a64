"""Deadlines typed by people, read into dates. Pure: text, today's date and locale in; a date out.

Understood (Russian and English, any case, with or without «до» / «к» / "by" / "until" / "on"):
- dates: 28.11, 28.11.2026, 28.11.26, 2026-11-28; slashes follow the locale (ru 28/11, en 11/28);
  a date without a year is this year's, or next year's when this year's passed over half a year ago
  (in December «10.01» is next January);
- weekdays: пт, пятница, пятницу, до пятницы, fri, friday — the next such day after today (on a
  Friday «пт» is the Friday a week ahead; «сегодня» / "today" is today);
- «сегодня», «завтра», «послезавтра», "today", "tomorrow", "day after tomorrow";
- «через 3 дня», «через день», «через неделю», «через 2 недели», «через месяц», «через год»,
  "in 3 days", "in a week", "in 2 weeks", "in a month", "in a year".

One limit, whatever the form: a deadline lies between today and the same day a year ahead
(`furthest`). Refusals are `UserError`s with the key `due.error.<reason>`: past, too_far (with
the furthest allowed date), invalid (no such day), unknown, empty, missing.

Also the one reader of typed days and ranges (`read_day`, `read_range`) that /away, /holiday,
/export and /summary use, with the one rule for a date typed without a year (`no_year`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from services.common.errors import UserError

HALF_YEAR = timedelta(days=183)
DAY = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?"
RANGE = re.compile(rf"^({DAY})(?:\s*(?:[-–—‒−]+|\.\.|…)\s*|\s+)({DAY})$")
PREPOSITIONS = {"до", "к", "ко", "в", "во", "by", "until", "till", "on", "due"}

# Short forms must be the whole word; stems match a word's beginning (пятниц-у, сред-ы).
SHORT_WEEKDAYS = {
    "пн": 0, "пнд": 0, "mon": 0, "вт": 1, "втр": 1, "tue": 1, "tues": 1,
    "ср": 2, "wed": 2, "weds": 2, "чт": 3, "чтв": 3, "thu": 3, "thur": 3, "thurs": 3,
    "пт": 4, "птн": 4, "fri": 4, "сб": 5, "суб": 5, "sat": 5, "вс": 6, "вск": 6, "sun": 6,
}  # fmt: skip
WEEKDAY_STEMS = (
    ("понедельн", 0), ("monday", 0), ("вторн", 1), ("tuesday", 1), ("сред", 2),
    ("wednesday", 2), ("четверг", 3), ("thursday", 3), ("пятниц", 4), ("friday", 4),
    ("суббот", 5), ("saturday", 5), ("воскресен", 6), ("sunday", 6),
)  # fmt: skip

RELATIVE = {
    "сегодня": 0,
    "today": 0,
    "завтра": 1,
    "tomorrow": 1,
    "послезавтра": 2,
    "day after tomorrow": 2,
}
NUMBER_WORDS = {
    "один": 1, "одну": 1, "одна": 1, "a": 1, "an": 1, "one": 1,
    "два": 2, "две": 2, "two": 2, "три": 3, "three": 3, "четыре": 4, "four": 4,
    "пять": 5, "five": 5, "шесть": 6, "six": 6, "семь": 7, "seven": 7,
    "десять": 10, "ten": 10,
}  # fmt: skip
IN_DAYS = re.compile(
    r"^(?:через|in)(?:\s+(?P<n>[-+]?\d+|[a-zа-яё]+))?\s+"
    r"(?P<unit>дн[яеи]й?|день|дней|days?|недел[юиь]|неделя|weeks?"
    r"|месяц(?:а|ев)?|months?|год(?:а)?|лет|years?)$"
)
_MINUSES = dict.fromkeys(map(ord, "\u2212\u2013\u2014\u2012"), "-")
NUMERIC = re.compile(r"^(\d{1,2})([./])(\d{1,2})(?:\2(\d{2}|\d{4}))?$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


YEARS_BACK, YEARS_AHEAD = 30, 5  # the years a typed date may name, around today


def furthest(today: date) -> date:
    """The furthest deadline allowed: the same day a year ahead (28 Feb for 29 Feb)."""
    return _add_months(today, 12)


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, the month's last day when it is shorter (31.01 + 1 → 28.02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 exists in every month


def no_year(day: int, month: int, today: date, *, ahead: bool) -> date:
    """The one rule for a date typed without a year: this year's, unless that is more than half
    a year on the wrong side of `today` — past, for what lies ahead (a deadline, days away),
    future, for what looks back (a summary, an export) — then next year's or last year's.
    ValueError if there is no such day."""
    found = date(today.year, month, day)
    if ahead and today - found > HALF_YEAR:
        return date(today.year + 1, month, day)
    if not ahead and found - today > HALF_YEAR:
        return date(today.year - 1, month, day)
    return found


def day_parts(token: str, *, month_first: bool = False) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) of 24.11, 24.11.2026, 24.11.26, 24/11 (11/24 when
    `month_first`) or 2026-11-24; None if the token isn't shaped like a date."""
    match = ISO.match(token)
    if match:
        return int(match[3]), int(match[2]), int(match[1])
    match = NUMERIC.match(token)
    if match is None:
        return None
    first, sep, second, year = match.groups()
    day, month = (
        (int(second), int(first)) if sep == "/" and month_first else (int(first), int(second))
    )
    return day, month, None if year is None else int(year) + (2000 if len(year) == 2 else 0)


def read_day(token: str, today: date, *, ahead: bool, month_first: bool = False) -> date | None:
    """The day a token names (None if it isn't shaped like a date; ValueError if there is no
    such day, e.g. 31.02), a missing year filled by `no_year`."""
    parts = day_parts(token, month_first=month_first)
    if parts is None:
        return None
    day, month, year = parts
    if year is not None and not today.year - YEARS_BACK <= year <= today.year + YEARS_AHEAD:
        return None  # an absurd year (0001, 2099) is no date anyone means
    return date(year, month, day) if year is not None else no_year(day, month, today, ahead=ahead)


def read_range(text: str, today: date, *, ahead: bool) -> tuple[date, date] | None:
    """A day or a range («24.11–01.12», any dash, «..», «…» or a space; ISO days too) as
    (start, end); None if the text is neither, ValueError for a day that doesn't exist. Without
    a year, the date a range is counted from — its start when it lies ahead, its end when it
    looks back — follows `no_year`, and the other end is the nearest such day beside it
    (28.12–05.01 crosses New Year)."""
    value = " ".join(text.split())
    pair = RANGE.match(value)
    if pair is None:
        day = read_day(value, today, ahead=ahead)
        return None if day is None else (day, day)
    if ahead:
        start = read_day(pair[1], today, ahead=True)
        end = read_day(pair[2], start, ahead=True) if start else None
    else:
        end = read_day(pair[2], today, ahead=False)
        start = read_day(pair[1], end, ahead=False) if end else None
    return None if start is None or end is None else (start, end)


def _normalize(text: str) -> str:
    text = text.lower().replace("ё", "е").translate(_MINUSES)
    return " ".join(text.strip().rstrip(".,;!").split())


def _strip_preposition(text: str) -> str:
    head, _, rest = text.partition(" ")
    return rest if head in PREPOSITIONS and rest else text


def weekday_index(word: str) -> int | None:
    """Monday = 0 for «пн», «пятницу», "fri", "Sunday"...; None if it isn't a weekday."""
    word = word.lower().replace("ё", "е").strip().rstrip(".")
    if word in SHORT_WEEKDAYS:
        return SHORT_WEEKDAYS[word]
    for stem, index in WEEKDAY_STEMS:
        if word.startswith(stem):
            return index
    return None


def _make_date(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise UserError("due.error.invalid", full_dates=True, value=raw) from None


def _numeric(match: re.Match[str], today: date, locale: str, raw: str) -> date:
    """A typed date; a year far off (2099, 0001) is simply too far or past, checked later."""
    parts = day_parts(match[0], month_first=locale == "en")
    if parts is None:  # pragma: no cover - the match is shaped like a date
        raise UserError("due.error.invalid", full_dates=True, value=raw)
    day, month, year = parts
    try:
        if year is not None:
            return date(year, month, day)
        return no_year(day, month, today, ahead=True)
    except ValueError:
        raise UserError("due.error.invalid", full_dates=True, value=raw) from None


def _recognize(text: str, today: date, locale: str, raw: str) -> date | None:
    """The date the normalized text names, None if it isn't a deadline at all."""
    if text in RELATIVE:
        return today + timedelta(days=RELATIVE[text])
    match = NUMERIC.match(text)
    if match:
        return _numeric(match, today, locale, raw)
    match = ISO.match(text)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    match = IN_DAYS.match(text)
    if match:
        return _in(match, today, raw)
    if " " not in text:
        index = weekday_index(text)
        if index is not None:
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    return None


def _in(match: re.Match[str], today: date, raw: str) -> date | None:
    """«через 3 дня», «через -3 дня» (past), «через 1000 дней» (too far), «через год»."""
    amount_text = match["n"] or "1"
    if amount_text.lstrip("+-").isdigit():
        amount = int(amount_text)
    else:
        amount = NUMBER_WORDS.get(amount_text)
    if amount is None:
        return None
    unit = match["unit"]
    if amount < 0:
        raise UserError("due.error.past_relative", full_dates=True, value=raw)
    limit = furthest(today)
    if unit.startswith(("year", "год", "лет", "month", "месяц")):
        months = amount * (1 if unit.startswith(("month", "месяц")) else 12)
        if months > 12:
            raise UserError("due.error.too_far", full_dates=True, value=raw, max=limit)
        return _add_months(today, months)
    days = amount * (7 if unit.startswith(("нед", "week")) else 1)
    if days > (limit - today).days:
        raise UserError("due.error.too_far", full_dates=True, value=raw, max=limit)
    return today + timedelta(days=days)


def check_due(found: date, today: date, raw: str = "") -> date:
    """The one limit of a deadline, however it was typed or picked: today … `furthest`."""
    if found < today:
        raise UserError("due.error.past", full_dates=True, value=raw, date=found)
    if found > furthest(today):
        raise UserError(
            "due.error.too_far", full_dates=True, value=raw, date=found, max=furthest(today)
        )
    return found


def parse_due(text: str, today: date, locale: str = "ru") -> date:
    """The date `text` names (today or later), else UserError with the reason."""
    raw = text.strip()
    normalized = _strip_preposition(_normalize(text))
    if not normalized:
        raise UserError("due.error.empty", full_dates=True)
    found = _recognize(normalized, today, locale, raw)
    if found is None:
        raise UserError("due.error.unknown", full_dates=True, value=raw)
    return check_due(found, today, raw)


def split_due(text: str, today: date, locale: str = "ru") -> tuple[str, date]:
    """A task's words and its deadline, written at the end («… до пт») or at the start.

    Raises UserError("due.error.missing") when no deadline is found, or the reason the found one
    can't be used (a past date, 31.02, ...). A short weekday («пт», "fri") needs its preposition
    here («до пт», "by fri"), so a task about "sun" or "mon" is not read as a deadline.
    """
    words = text.split()
    for size in range(min(4, len(words)), 0, -1):
        for rest, phrase_words in ((words[:-size], words[-size:]), (words[size:], words[:size])):
            phrase = " ".join(phrase_words).strip()
            found = _deadline_phrase(phrase, today, locale)
            if found is not None:
                return " ".join(rest).strip(), check_due(found, today, phrase)
    raise UserError("due.error.missing", full_dates=True)


def _deadline_phrase(phrase: str, today: date, locale: str) -> date | None:
    normalized = _normalize(phrase)
    stripped = _strip_preposition(normalized)
    bare = stripped == normalized
    if bare and " " in stripped and stripped not in RELATIVE and not IN_DAYS.match(stripped):
        return None
    if bare and stripped.rstrip(".") in SHORT_WEEKDAYS:
        return None
    return _recognize(stripped, today, locale, phrase)
