"""Numbers as people type them, per locale, and the checks an answer must pass.

Accepted: "12,5", "12.5", "12,5 %", "1 200 ₽" (ordinary, no-break or narrow no-break space),
"1 200,50 руб.", "1,2 тыс.", "1.2k", "2 млн", "−5" (U+2212), "$1,200.50", "RUB1,200.50",
and a unit word after the number: "5 шт", "40 с", "3 дн.", "2.5 yrs".
Separators: when both "," and "." occur the last one is the decimal mark; a mark repeated is a
group separator; a single mark followed by exactly three digits ("1,200") is read by the
locale — the locale's decimal mark is decimal (ru: 1.2), the other a group separator (en: 1200);
otherwise a single mark is decimal ("12.5" is 12.5 in both).

`unit_mismatch` tells whether the unit or currency typed with a number fits the question:
"12,5 %" or "5$" for a question in ₽ doesn't (the caller asks before storing anything);
"5 ₽", "5 р", "5 руб" for ₽, "12 %" for a percent and "5 шт" for a count do.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_symbol, get_decimal_symbol

from kpi.definitions import input_def
from kpi.errors import InputError

MAX_ABS = Decimal(10) ** 15  # beyond any marketing number: a typo
MAX_BY_UNIT: dict[str, Decimal] = {
    "count": Decimal(10) ** 12,
    "money": Decimal(10) ** 14,
    "seconds": Decimal(10) ** 10,
    "days": Decimal(10) ** 6,
    "years": Decimal(200),
    "ratio": Decimal(10) ** 6,
    "percent": Decimal(100),
    "score": Decimal(100),
    "points": Decimal(100),
}

_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2009\u2007\u2002\u2003\u2008\u200a\t"), " ")
_MINUSES = dict.fromkeys(map(ord, "\u2212\u2013\u2014\u2012\ufe63\uff0d"), "-")
_CORE = re.compile(r"[0-9](?:[0-9.,]| (?=[0-9]))*")

_MULTIPLIERS: tuple[tuple[str, Decimal], ...] = tuple(
    (word, Decimal(10) ** power)
    for power, words in (
        (3, "тысячи тысяча тысяч тыс. тыс т. thousand thous. k к"),
        (6, "миллиона миллионов миллион млн. млн million mln. mln mio mm m м"),
        (9, "миллиарда миллиардов миллиард млрд. млрд billion bln bn b"),
    )
    for word in words.split()
)
_PERCENT = ("%", "процентов", "процента", "процент", "проц.", "pct", "percent")
_UNIT_WORDS = tuple(
    sorted(
        (
            "штук", "штуки", "штука", "шт.", "шт", "pcs", "pieces",
            "секунд", "секунды", "секунда", "сек.", "сек", "с", "seconds", "second", "secs", "sec",
            "s", "дней", "дня", "день", "дн.", "дн", "days", "day", "лет", "года", "год", "г.",
            "years", "year", "yrs", "yr",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_CURRENCY_WORDS = {
    "RUB": ("рублей", "рубля", "рубль", "руб.", "руб", "р.", "р", "rub", "rur"),
    "USD": ("долларов", "доллара", "доллар", "долл.", "usd"),
    "EUR": ("евро", "eur"),
    "KZT": ("тенге", "kzt"),
    "BYN": ("byn",),
    "UAH": ("uah",),
    "GBP": ("gbp",),
    "CNY": ("cny", "юаней"),
}
# The kind of quantity each unit word names, as kpi.units names it.
_UNIT_KINDS = {
    "count": ("штук", "штуки", "штука", "шт.", "шт", "pcs", "pieces"),
    "seconds": ("секунд", "секунды", "секунда", "сек.", "сек", "с", "seconds", "second", "secs",
                "sec", "s"),
    "days": ("дней", "дня", "день", "дн.", "дн", "days", "day"),
    "years": ("лет", "года", "год", "г.", "years", "year", "yrs", "yr"),
}  # fmt: skip


def _currency_codes() -> dict[str, str]:
    """Each currency word or symbol (lower case) and the code it means."""
    codes: dict[str, str] = {}
    for code, words in _CURRENCY_WORDS.items():
        for token in (
            *words,
            code.lower(),
            get_currency_symbol(code, "ru").lower(),
            get_currency_symbol(code, "en").lower(),
        ):
            codes.setdefault(token, code)
    return codes


_CURRENCY_CODES = _currency_codes()
_CURRENCIES = tuple(sorted(_CURRENCY_CODES, key=len, reverse=True))
_UNIT_OF_WORD = {word: kind for kind, words in _UNIT_KINDS.items() for word in words}


def _split(text: str) -> tuple[str, str, str, str] | None:
    """(the text as typed, what comes before the number, the number, what comes after) in
    lower case with spaces and minuses made plain; None without digits."""
    original = str(text).strip()
    normalized = original.translate(_SPACES).translate(_MINUSES).lower()
    normalized = re.sub(" +", " ", normalized)
    match = _CORE.search(normalized)
    if match is None:
        return None
    core = match.group().rstrip(" ")
    prefix, suffix = normalized[: match.start()], normalized[match.start() + len(core) :]
    return original, prefix, core, suffix


def _eat(rest: str, words: tuple[str, ...]) -> tuple[str, str] | None:
    """The word of `words` that `rest` starts with (whole word), and what follows it."""
    for word in words:
        if rest.startswith(word):
            after = rest[len(word) :]
            if not after or not (after[0].isalpha() and word[-1].isalpha()):
                return word, after.lstrip()
    return None


def _prefix_sign(prefix: str) -> int | None:
    """+1/−1 for a prefix of signs and currency symbols ("-", "$", "-rub"), None if it's junk."""
    sign, signed, rest = 1, False, prefix.strip()
    while rest:
        if rest[0] in "+-":
            if signed:
                return None
            sign, signed, rest = (-1 if rest[0] == "-" else 1), True, rest[1:].lstrip()
            continue
        eaten = _eat(rest, _CURRENCIES)
        if eaten is None:
            return None
        rest = eaten[1]
    return sign


def _suffix_multiplier(suffix: str) -> Decimal | None:
    """The multiplier of a suffix such as " тыс. руб.", " %", "k", or None if it's junk."""
    rest = suffix.strip()
    multiplier = Decimal(1)
    eaten = _eat(rest, tuple(w for w, _ in _MULTIPLIERS))
    if eaten is not None:
        multiplier = dict(_MULTIPLIERS)[eaten[0]]
        rest = eaten[1]
    for words in (_CURRENCIES, _PERCENT, _UNIT_WORDS):
        eaten = _eat(rest, words)
        if eaten is not None:
            rest = eaten[1]
            break
    return multiplier if not rest else None


def _split_groups(integer: str, separator: str) -> str | None:
    """Digits of an integer part written with a group separator, or None if grouped wrongly."""
    groups = integer.split(separator)
    if len(groups) == 1:
        return integer
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return "".join(groups)


def _canonical(core: str, locale: str) -> str | None:
    """The number's digits with "." as the decimal mark, or None if it isn't one number."""
    has_space = " " in core
    marks = [c for c in core if c in ".,"]
    decimal_mark: str | None = None
    group_mark: str | None = " " if has_space else None
    if marks:
        kinds = set(marks)
        if len(kinds) == 2:
            decimal_mark = marks[-1]
            other = "," if decimal_mark == "." else "."
            if marks.count(decimal_mark) != 1 or has_space:
                return None
            group_mark = other
        else:
            mark = marks[0]
            if len(marks) > 1:
                if has_space:
                    return None
                group_mark = mark
            else:
                integer, fraction = core.split(mark)
                digits = integer.replace(" ", "")
                ambiguous = (
                    len(fraction) == 3 and not has_space and 1 <= len(digits) <= 3 and digits != "0"
                )
                if ambiguous and mark != get_decimal_symbol(locale):
                    group_mark = mark
                else:
                    decimal_mark = mark
    integer, _, fraction = core.partition(decimal_mark) if decimal_mark else (core, "", "")
    if not integer or (decimal_mark and not fraction) or " " in fraction:
        return None
    if any(c in ".," for c in fraction):
        return None
    digits = _split_groups(integer, group_mark) if group_mark else integer
    if digits is None or not digits.isdigit():
        return None
    return f"{digits}.{fraction}" if fraction else digits


def parse_number(text: str, locale: str = "ru") -> Decimal:
    """A number as typed; raises InputError (empty, not_a_number, too_large)."""
    if text is None or not str(text).strip():
        raise InputError("empty")
    lang = locale.split("_")[0].split("-")[0].lower() or "ru"
    parts = _split(text)
    if parts is None:
        raise InputError("not_a_number", text=str(text).strip())
    original, prefix, core, suffix = parts
    if core[-1] in ".,":  # a full stop after the number: "12."
        core = core[:-1]
    sign = _prefix_sign(prefix)
    multiplier = _suffix_multiplier(suffix)
    canonical = _canonical(core, lang)
    if sign is None or multiplier is None or canonical is None:
        raise InputError("not_a_number", text=original)
    if len(canonical.split(".")[0].lstrip("0")) > 18:
        raise InputError("too_large", text=original, max=MAX_ABS)
    try:
        value = Decimal(canonical) * multiplier
    except InvalidOperation:  # pragma: no cover - canonical is digits by construction
        raise InputError("not_a_number", text=original) from None
    if abs(value) > MAX_ABS:
        raise InputError("too_large", text=original, max=MAX_ABS)
    return -value if sign < 0 else value


def typed_units(text: str) -> list[str]:
    """The units typed around a number: currency codes ("RUB", "USD"), "percent", or a kind of
    kpi.units ("count", "seconds", "days", "years"); empty for a bare number."""
    parts = _split(text)
    if parts is None:
        return []
    _, prefix, _, suffix = parts
    found: list[str] = []
    rest = prefix.strip()
    while rest:
        if rest[0] in "+-":
            rest = rest[1:].lstrip()
            continue
        eaten = _eat(rest, _CURRENCIES)
        if eaten is None:
            break
        found.append(_CURRENCY_CODES[eaten[0]])
        rest = eaten[1]
    rest = suffix.strip()
    eaten = _eat(rest, tuple(w for w, _ in _MULTIPLIERS))
    if eaten is not None:
        rest = eaten[1]
    if (eaten := _eat(rest, _CURRENCIES)) is not None:
        found.append(_CURRENCY_CODES[eaten[0]])
    elif _eat(rest, _PERCENT) is not None:
        found.append("percent")
    elif (eaten := _eat(rest, _UNIT_WORDS)) is not None:
        found.append(_UNIT_OF_WORD[eaten[0]])
    return found


def unit_mismatch(input_code: str, text: str, currency: str) -> str | None:
    """The unit typed with the answer that doesn't fit the question (a currency code,
    "percent", "count", ...), or None when every typed unit fits (or none was typed).
    A money question fits only the team's `currency`."""
    unit = input_def(input_code).unit
    for typed in typed_units(text):
        fits = typed == currency.upper() if unit == "money" else typed == unit
        if not fits:
            return typed
    return None


def validate(input_code: str, value: Decimal) -> None:
    """Raises InputError if `value` is impossible for the input (KeyError for an unknown input)."""
    inp = input_def(input_code)
    if value < 0:
        raise InputError("negative", unit=inp.unit)
    limit = MAX_BY_UNIT[inp.unit]
    if inp.unit == "percent" and value > limit:
        raise InputError("percent_over_100", unit=inp.unit)
    if inp.unit in ("score", "points") and value > limit:
        raise InputError("out_of_range", unit=inp.unit, min=Decimal(0), max=limit)
    if value > limit:
        raise InputError("too_large", unit=inp.unit, max=limit)
    if inp.integer and value != value.to_integral_value():
        raise InputError("not_whole", unit=inp.unit)


def parse_input(input_code: str, text: str, locale: str = "ru") -> Decimal:
    """parse_number, then validate for the input."""
    value = parse_number(text, locale)
    validate(input_code, value)
    return value
