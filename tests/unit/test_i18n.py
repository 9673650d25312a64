from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal

from views.i18n import I18n

PLACEHOLDER = re.compile(r"\{(\w+)")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_is_in_both_languages_with_the_same_placeholders():
    i18n = I18n()
    ru, en = i18n.catalogs["ru"], i18n.catalogs["en"]
    ru_keys = {m.id if isinstance(m.id, str) else m.id[0] for m in ru if m.id}
    en_keys = {m.id if isinstance(m.id, str) else m.id[0] for m in en if m.id}
    assert ru_keys == en_keys, ru_keys ^ en_keys
    for key in ru_keys:
        ru_text, en_text = ru[key].string, en[key].string
        ru_forms = ru_text if isinstance(ru_text, tuple) else (ru_text,)
        en_forms = en_text if isinstance(en_text, tuple) else (en_text,)
        assert all(ru_forms) and all(en_forms), key
        assert {frozenset(fields(f)) for f in ru_forms} == {
            frozenset(fields(f)) for f in en_forms
        }, key


def test_russian_plurals():
    t = I18n().get("ru")
    assert t.n("members.header", 1) == "В команде 1 человек:"
    assert t.n("members.header", 3) == "В команде 3 человека:"
    assert t.n("members.header", 5) == "В команде 5 человек:"
    assert t.n("members.header", 21) == "В команде 21 человек:"
    assert t.n("members.header", 12) == "В команде 12 человек:"
    assert I18n().get("en").n("members.header", 1) == "1 person in the team:"


def test_numbers_money_dates_by_locale():
    ru, en = I18n().get("ru"), I18n().get("en")
    assert ru.money(Decimal("1200.50"), "RUB") == "1\xa0200,50\xa0₽"
    assert en.money(Decimal("1200.50"), "USD") == "$1,200.50"
    assert ru.date(date(2026, 11, 23)) == "23 нояб."
    assert en.date(date(2026, 11, 23)) == "Nov 23"
    assert ru.weekday(0) == "понедельник"


def test_language_pick_falls_back():
    i18n = I18n("ru")
    assert i18n.pick(None, "en-US", "ru").locale == "en"
    assert i18n.pick("ru", "en").locale == "ru"
    assert i18n.pick(None, "de", None).locale == "ru"
    assert i18n.pick(None, "de", "en").locale == "en"


def test_for_user_is_the_choice_then_telegram_then_the_team():
    from types import SimpleNamespace as NS

    i18n = I18n()
    team = NS(locale="en")
    assert i18n.for_user(NS(locale="ru", language_code="en"), team).locale == "ru"
    assert i18n.for_user(NS(locale=None, language_code="en-GB"), NS(locale="ru")).locale == "en"
    assert i18n.for_user(NS(locale=None, language_code="de"), team).locale == "en"
    assert i18n.for_user(None, None).locale == "ru"


def test_the_one_cut_of_typed_text_is_in_t_at_64_characters():
    """Issue 13: one cut, in t(): a typed {value} is cut to 64 characters and «…» wherever it
    stands (a refusal's «… не в команде»), a quoted {text} too; a task's own {text} and names
    are kept whole. Before, views.common.error_text cut refusals at 100 as well."""
    from services.common.errors import UserError
    from views.common import error_text

    t = I18n().get("ru")
    typed = "@" + "я" * 200
    refusal = error_text(UserError("task.error.not_member", value=typed), t)
    assert refusal.startswith("@" + "я" * 63 + "… не в команде")
    assert len(refusal) < 200
    whole = t("task.done_announce", text="з" * 200, owner="Анна")
    assert "з" * 200 in whole
