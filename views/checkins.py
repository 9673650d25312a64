"""What a member sees of their check-in: the intro, a question with its buttons, a doubt to
confirm, the card of computed KPIs. Shared by the handlers and the scheduled collection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from babel.numbers import get_currency_symbol
from pydantic import Field

import kpi
from models.tables import Team
from services.checkins.flow import EDITING, Flow, RoleCard
from services.checkins.sanity import Doubt
from services.team.rhythm import Cycle
from services.team.settings import Effect
from views import kpi_line as kl
from views.i18n import Translator, escape, html_join

View = tuple[str, InlineKeyboardMarkup | None]


class Ask(CallbackData, prefix="ci"):
    """A button of a check-in message; `pos` is the question it was shown for. Only the
    actions below unpack (anything else is a stale button, handlers/stale.py)."""

    action: Literal["start", "edit", "same", "skip", "back", "ok", "alt", "retype", "unit"]
    checkin: int = Field(ge=1)
    pos: int = Field(ge=0, le=10_000)
    value: str = Field(default="", max_length=32)


class TeamChoice(CallbackData, prefix="ct"):
    team: int


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


# ----------------------------------------------------------------------------- pieces
def period_text(period: kpi.Period, t: Translator) -> str:
    return t.period(period.start, period.end)


def moment_text(moment: datetime, team: Team, t: Translator, zone: str | None = None) -> str:
    """«пн, 23 нояб., 09:30» in the team's time zone (or `zone`)."""
    return t.datetime(moment.astimezone(ZoneInfo(zone or team.timezone)), "EEE, d MMM, HH:mm")


def effect_text(effect: Effect, team: Team, t: Translator) -> str:
    """A rhythm change's confirmation: the open collection keeps its schedule, and when the
    first collection under the new settings opens."""
    upcoming = {
        "next": period_text(effect.upcoming.period, t),
        "opens": moment_text(effect.upcoming.opens_at, team, t),
    }
    if effect.kept is None:
        return t("settings.effect_next", **upcoming)
    return t(
        "settings.effect_kept",
        period=period_text(effect.kept.period, t),
        deadline=moment_text(effect.kept.deadline_at, team, t),
        **upcoming,
    )


def deadline_moved_in_zone(cycle: Cycle, team: Team, old_zone: str, t: Translator) -> str | None:
    """For a member told the deadline in the team's old time zone: the same instant in the
    new one (None when it reads the same)."""
    before = moment_text(cycle.deadline_at, team, t, old_zone)
    after = moment_text(cycle.deadline_at, team, t)
    if before == after:
        return None
    return t(
        "checkin.deadline_zone",
        team=escape(team.title),
        zone=team.timezone,
        period=period_text(cycle.period, t),
        deadline=after,
        old=before,
    )


def number(value: Decimal | None, unit: str, team: Team, t: Translator) -> str:
    if value is None:
        return t("checkin.no_data_value")
    return kpi.format_number(value, unit, t.locale, team.currency)


def unit_in(unit: str, team: Team, t: Translator) -> str:
    """The question's unit as «в ₽», «в процентах», «в штуках» (after «вопрос —»)."""
    symbol = get_currency_symbol(team.currency, t.locale) if unit == "money" else ""
    return t(f"checkin.unit_in.{unit}", symbol=symbol)


def unit_text(unit: str, team: Team, t: Translator) -> str:
    if unit == "money":
        return get_currency_symbol(team.currency, t.locale)
    return t(f"checkin.unit.{unit}")


def title(item: kpi.Input | kpi.KPI, t: Translator) -> str:
    return escape(item.titles.get(t.locale) or item.titles["en"])


def team_note(flow: Flow, t: Translator, many_teams: bool) -> str:
    return t("checkin.team_note", team=escape(flow.team.title)) if many_teams else ""


# ----------------------------------------------------------------------------- messages
def intro(flow: Flow, t: Translator, now: datetime, *, waiting_for: Flow | None = None) -> View:
    """The first message of a period: which period, how many questions, the deadline."""
    params = {
        "team": escape(flow.team.title),
        "period": period_text(flow.period, t),
        "questions": t.n("checkin.questions", flow.total),
        "deadline": moment_text(flow.collection.deadline_at, flow.team, t),
    }
    text = t("checkin.intro", **params)
    if flow.is_late(now):
        text += "\n\n" + t("checkin.intro_late", deadline=params["deadline"])
    if waiting_for is None:
        return text + "\n\n" + t("checkin.intro_how"), None
    text += "\n\n" + t("checkin.intro_wait", other=escape(waiting_for.team.title))
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("checkin.btn.start"), Ask(action="start", checkin=flow.checkin.id, pos=0))]
        ]
    )
    return text, markup


def question(flow: Flow, t: Translator, *, many_teams: bool = False, prefix: str = "") -> View:
    """The current question with its unit, hint, last value and buttons."""
    item = flow.current
    if item is None:
        return prefix or t("checkin.nothing_to_ask"), None
    lang = t.locale
    last = flow.last_value(item.code)
    current = flow.answers.get(item.code)
    lines = [
        t(
            "checkin.question",
            number=flow.position + 1,
            total=flow.total,
            title=title(item, t),
        )
        + team_note(flow, t, many_teams),
        f"<i>{escape(item.hints.get(lang) or item.hints['en'])}</i>",
        t("checkin.unit_line", unit=unit_text(item.unit, flow.team, t)),
    ]
    if last is not None:
        lines.append(t("checkin.last_value", value=number(last, item.unit, flow.team, t)))
    if current is not None:
        lines.append(
            t("checkin.current_value", value=number(current.value, item.unit, flow.team, t))
        )
    lines.append("")
    lines.append(t("checkin.type_number"))
    text = "\n".join(lines)
    if prefix:
        text = prefix + "\n\n" + text
    return text, question_keyboard(flow, t, last)


def question_keyboard(flow: Flow, t: Translator, last: Decimal | None) -> InlineKeyboardMarkup:
    item = flow.current
    assert item is not None
    data = {"checkin": flow.checkin.id, "pos": flow.position}
    rows = []
    if last is not None:
        label = t("checkin.btn.same", value=number(last, item.unit, flow.team, t))
        rows.append([_button(label, Ask(action="same", **data))])
    row = [_button(t("checkin.btn.skip"), Ask(action="skip", **data))]
    if flow.checkin.state == EDITING:
        row.append(_button(t("checkin.btn.cancel"), Ask(action="back", **data)))
    elif flow.position > 0:
        row.append(_button(t("checkin.btn.back"), Ask(action="back", **data)))
    rows.append(row)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def invalid(flow: Flow, error: kpi.InputError, t: Translator, many_teams: bool = False) -> View:
    params = error.message_params(t.locale)  # escaped (and quotes shortened) by t()
    reason = t(error.key, **params)
    return question(flow, t, many_teams=many_teams, prefix=t("checkin.invalid", reason=reason))


def doubt(flow: Flow, found: Doubt, t: Translator, message_id: int | None = None) -> View:
    """ "Did you mean 1 200 or 12 000?" with a button for each, and one to type it again; the
    confirming button carries the typed message's id (editing it later corrects the answer)."""
    item = kpi.input_def(found.input_code)
    fmt = lambda v: number(v, item.unit, flow.team, t)  # noqa: E731
    typed = fmt(found.value)
    if found.inconsistency is not None:
        problem = found.inconsistency
        params = problem.message_params(t.locale)
        reason = t(problem.key, **params)
        text = t("checkin.doubt_impossible", reason=reason)
    else:
        more = found.value > (found.baseline or 0)
        text = t(
            "checkin.doubt_more" if more else "checkin.doubt_less",
            title=title(item, t),
            baseline=fmt(found.baseline),
            value=typed,
        )
    if found.alternatives:
        options = " / ".join(fmt(v) for v in found.alternatives)
        text += "\n\n" + t("checkin.did_you_mean", options=options, value=typed)
    else:
        text += "\n\n" + t("checkin.is_it_right", value=typed)
    data = {"checkin": flow.checkin.id, "pos": flow.position}
    rows = [[_button(fmt(v), Ask(action="alt", value=str(v), **data)) for v in found.alternatives]]
    typed_id = str(message_id) if message_id else ""
    confirm = Ask(action="ok", value=typed_id, **data)
    rows[0].append(_button(t("checkin.btn.confirm", value=typed), confirm))
    rows.append([_button(t("checkin.btn.retype"), Ask(action="retype", **data))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def unit_mismatch(
    flow: Flow, typed: str, value: Decimal, t: Translator, message_id: int | None = None
) -> View:
    """«Вы написали «12,5 %», а вопрос — в ₽. Записать 12,5 ₽?» with Да / Нет; «Да» carries
    the typed message's id (editing it later corrects the answer)."""
    item = flow.current
    assert item is not None
    shown = kl.value(value, item.unit, t, flow.team.currency)
    unit = unit_in(item.unit, flow.team, t)
    text = t("checkin.unit_mismatch", value=" ".join(typed.split()), unit=unit, number=shown)
    data = {"checkin": flow.checkin.id, "pos": flow.position}
    rows = [
        [
            _button(
                t("checkin.btn.unit_yes", value=shown),
                Ask(action="unit", value=str(message_id) if message_id else "", **data),
            ),
            _button(t("checkin.btn.unit_no"), Ask(action="retype", value="unit", **data)),
        ]
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def edit_params(item: kpi.Input, before: Decimal | None, team: Team, t: Translator) -> dict:
    return {"title": title(item, t), "before": kl.value(before, item.unit, t, team.currency)}


def edit_done(item: kpi.Input, before: Decimal | None, after: Decimal, team: Team, t: Translator):
    """«Исправил: Расход — было 5 000 ₽, стало 5 500 ₽»."""
    after_text = kl.value(after, item.unit, t, team.currency)
    return t("checkin.edit_done", after=after_text, **edit_params(item, before, team, t))


def edit_invalid(
    item: kpi.Input, before: Decimal | None, error: kpi.InputError, team: Team, t: Translator
) -> str:
    reason = t(error.key, **error.message_params(t.locale))
    return t("checkin.edit_invalid", reason=reason, **edit_params(item, before, team, t))


def edit_unit(item: kpi.Input, before: Decimal | None, typed: str, team: Team, t: Translator):
    unit = unit_in(item.unit, team, t)
    params = edit_params(item, before, team, t)
    return t("checkin.edit_unit", value=" ".join(typed.split()), unit=unit, **params)


def edit_closed(
    item: kpi.Input, before: Decimal | None, period: kpi.Period, team: Team, t: Translator
) -> str:
    params = edit_params(item, before, team, t)
    return t("checkin.edit_closed", period=period_text(period, t), **params)


def reminder(flow: Flow, t: Translator, now: datetime, many_teams: bool = False) -> View:
    left = max(int((flow.collection.deadline_at - now).total_seconds() // 60), 0)
    hours, minutes = divmod(left, 60)
    parts = []
    if hours:
        parts.append(t.n("checkin.hours", hours))
    if minutes or not hours:
        parts.append(t.n("checkin.minutes", minutes))
    prefix = t(
        "checkin.reminder",
        deadline=moment_text(flow.collection.deadline_at, flow.team, t),
        left=" ".join(parts),
        answered=flow.answered,
        total=flow.total,
        team=escape(flow.team.title),
        period=period_text(flow.period, t),
    )
    return question(flow, t, many_teams=many_teams, prefix=prefix)


def card_view(
    flow: Flow,
    roles: Sequence[RoleCard],
    t: Translator,
    many_teams: bool = False,
    waiting: Sequence[Team] = (),
) -> View:
    """The member's card: each role's KPIs with the change, and buttons to correct answers."""
    lines = [
        t("checkin.card_title", period=period_text(flow.period, t)) + team_note(flow, t, many_teams)
    ]
    for role_card in roles:
        lines.append("")
        lines.append(f"<b>{title(role_card.role, t)}</b>")
        lines.extend(kl.text(line, t, flow.team.currency) for line in role_card.lines)
    late = [a for a in flow.answers.values() if a.late]
    if late:
        lines += [
            "",
            t("checkin.card_late", deadline=moment_text(flow.collection.deadline_at, flow.team, t)),
        ]
    lines += ["", t("checkin.card_fix")]
    if waiting:
        names = html_join(", ", [f"«{escape(team.title)}»" for team in waiting])
        lines += ["", t("checkin.card_waiting", teams=names)]
    rows = []
    for index, item in enumerate(flow.inputs):
        answer = flow.answers.get(item.code)
        shown = number(answer.value if answer else None, item.unit, flow.team, t)
        label = t(
            "checkin.btn.edit", title=item.titles.get(t.locale) or item.titles["en"], value=shown
        )
        rows.append([_button(label, Ask(action="edit", checkin=flow.checkin.id, pos=index))])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def teams_keyboard(teams: Sequence[Team], active_id: int | None) -> InlineKeyboardMarkup:
    rows = [
        [_button(("• " if team.id == active_id else "") + team.title, TeamChoice(team=team.id))]
        for team in teams
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)
