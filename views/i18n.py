"""Translations: gettext PO files in locales/<lang>/*.po, keyed by message key.

Every feature keeps its own PO file (locales/ru/onboarding.po, ...); all files of a language
are merged into one catalogue, compiled in memory with Babel, so there is no build step.
A msgid is a key such as "onboarding.greet"; plural entries use the key as msgid and msgid_plural.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from aiogram import html as tg_html
from babel import Locale
from babel.dates import format_datetime, format_skeleton, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from kpi.formatting import format_period
from models.tables import Team, User
from services.common.locales import SUPPORTED_LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def load_catalog(directory: Path, locale: str) -> Catalog:
    merged = Catalog(locale=locale)
    for po in sorted((directory / locale).glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for message in catalog:
            if message.id:
                merged[message.id] = message
    return merged


def _compile(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Text and formatting for one locale."""

    def __init__(self, locale: str, translations: gettext.GNUTranslations) -> None:
        self.locale = locale
        self._translations = translations
        self._babel = Locale.parse(locale)

    def __call__(self, key: str, /, **params: Any) -> Html:
        """The message `key` with `params` filled in. This is THE escaping boundary: every
        text param is HTML-escaped unless it is already Html (another t(...), escape(...),
        a mention) — so a name, a title or a typed argument can never break a message."""
        text = self._translations.gettext(key)
        return Html(text.format(**_escaped(text, params)) if params else text)

    def n(self, key: str, count: int, /, **params: Any) -> Html:
        """A plural form chosen by `count` (1 задача, 2 задачи, 5 задач)."""
        text = self._translations.ngettext(key, key, count)
        return Html(text.format(count=count, **_escaped(text, params)))

    def number(self, value: Decimal | int | float, digits: int = 2) -> str:
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self._babel)

    def money(self, value: Decimal | int | float, currency: str) -> str:
        return format_currency(value, currency, locale=self._babel)

    def date(self, day: date, skeleton: str = "MMMd") -> str:
        """In the locale's own order: «23 нояб.», "Nov 23"; skeleton "yMMMd" adds the year."""
        return format_skeleton(skeleton, day, locale=self._babel)

    def period(self, start: date, end: date) -> str:
        """The one period wording (kpi.format_period): «16–22 нояб.», «30 нояб. – 6 дек.»."""
        return format_period(start, end, self.locale)

    def datetime(self, moment: datetime, fmt: str = "d MMM, HH:mm") -> str:
        return format_datetime(moment, format=fmt, tzinfo=moment.tzinfo, locale=self._babel)

    def time(self, moment: datetime, fmt: str = "HH:mm") -> str:
        return format_time(moment, format=fmt, tzinfo=moment.tzinfo, locale=self._babel)

    def weekday(self, index: int, width: str = "wide") -> str:
        """Monday is 0, as in `date.weekday()`."""
        return self._babel.days["format"][width][index]


class I18n:
    def __init__(self, default: str = "ru", directory: Path = LOCALES_DIR) -> None:
        self.default = default
        self.catalogs: dict[str, Catalog] = {
            loc: load_catalog(directory, loc) for loc in SUPPORTED_LOCALES
        }
        self._translators = {
            loc: Translator(loc, _compile(cat)) for loc, cat in self.catalogs.items()
        }

    def get(self, locale: str | None) -> Translator:
        return self._translators.get(locale or self.default) or self._translators[self.default]

    def pick(self, *candidates: str | None) -> Translator:
        """The first supported locale among candidates (e.g. choice, language_code, team)."""
        return self.chosen(*candidates) or self._translators[self.default]

    def chosen(self, *candidates: str | None) -> Translator | None:
        """Like pick, but None when no candidate is supported."""
        for candidate in candidates:
            if candidate:
                short = candidate.split("-")[0].split("_")[0].lower()
                if short in self._translators:
                    return self._translators[short]
        return None

    def for_user(self, user: User | None, team: Team | None = None) -> Translator:
        """The one language rule for a person: their own choice (/lang), then their Telegram
        language, then the team's, then the default."""
        return self.pick(
            user.locale if user else None,
            user.language_code if user else None,
            team.locale if team else None,
        )

    @property
    def locales(self) -> Mapping[str, Translator]:
        return self._translators


class Html(str):
    """Text that is already HTML for Telegram (escaped where it holds people's text): the
    translator inserts it as it is. Anything else it is given as a param is escaped."""

    __slots__ = ()


def html_join(separator: str, parts: Iterable[str]) -> Html:
    """Joins message pieces that are already HTML (t(...) results, escaped text)."""
    return Html(separator.join(parts))


def escape(text: str | None) -> Html:
    """People's or Telegram's text (a name, a title, a typed argument) as safe HTML."""
    if isinstance(text, Html):
        return text
    return Html(tg_html.quote(text or ""))


QUOTE_LIMIT = 64  # people's text quoted back longer than this is cut, with «…»
TYPED = "value"  # what people typed, in a refusal or a confirmation: always cut
QUOTED = "text"  # a text of theirs: cut where a message quotes it («{text}»), else kept whole
_QUOTES = ("«{%s}»", "“{%s}”", '"{%s}"')


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """People's text as a message quotes it back: at most `limit` characters and «…»."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _escaped(template: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every plain text param escaped; people's input also shortened (the one cut: {value}
    always, {text} where quoted), so a 5000-character answer quoted back in a refusal can't
    push the message over Telegram's limit. Names and titles are kept whole."""
    if _AUDIT is not None:
        _audit(params)
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, str) and not isinstance(v, Html):
            if k == TYPED or (k == QUOTED and any(q % k in template for q in _QUOTES)):
                v = shorten(v)
            v = tg_html.quote(v)
        out[k] = v
    return out


# PLANERKA_I18N_AUDIT=<file>: log plain-str params that look like HTML (development aid for
# finding pieces that should be Html).
_AUDIT = os.environ.get("PLANERKA_I18N_AUDIT")


def _audit(params: Mapping[str, Any]) -> None:
    import traceback

    for k, v in params.items():
        if isinstance(v, str) and not isinstance(v, Html) and ("<" in v or "&" in v):
            frames = traceback.extract_stack(limit=6)[:-3]
            where = " | ".join(f"{f.filename.split('/')[-1]}:{f.lineno}" for f in frames)
            with open(_AUDIT, "a", encoding="utf-8") as fh:
                fh.write(f"{k}={v[:80]!r} @ {where}\n")
