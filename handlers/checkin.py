"""Check-ins in private chat: /report, typed answers, and the question and card buttons.

Questions and answers live only here, in the private chat. A text from a member with a
question open is the answer to it (the state is in the database, see services.checkins.flow).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, Filter, StateFilter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
import kpi.parsing
from core.runtime import Runtime
from handlers.common.filters import PRIVATE
from models.tables import Team, User
from services.checkins import edits
from services.checkins import flow as checkins
from services.checkins.flow import DONE, Flow, Outcome
from services.team import teams, users
from views import checkins as checkin_views
from views import webapp as webapp_view
from views.checkins import Ask, TeamChoice
from views.i18n import Translator, escape


class OpenCheckin(Filter):
    """Passes (with `flow`) when the sender has a question open in private chat."""

    async def __call__(
        self, message: Message, session: AsyncSession, user: User | None, runtime: Runtime
    ) -> bool | dict[str, Flow]:
        if user is None:
            return False
        flow = await checkins.open_flow(session, user, runtime.now())
        return {"flow": flow} if flow is not None else False


# ----------------------------------------------------------------------------- showing
async def show(
    runtime: Runtime,
    session: AsyncSession,
    flow: Flow,
    outcome: Outcome,
    t: Translator,
    prefix: str = "",
    message_id: int | None = None,
) -> None:
    """Sends what comes after an outcome: the next question (after `prefix`), the card, a
    doubt, a reason."""
    if outcome.step == "stale":
        flow = await checkins.reload(session, flow)
    many = flow.many_teams
    if outcome.step == "invalid" and outcome.error is not None:
        text, markup = checkin_views.invalid(flow, outcome.error, t, many)
    elif outcome.step == "check" and outcome.doubt is not None:
        text, markup = checkin_views.doubt(flow, outcome.doubt, t, message_id)
    elif flow.checkin.state == DONE:
        roles = await checkins.card(session, flow)
        waiting = await checkins.unfinished_elsewhere(session, flow, runtime.now())
        text, markup = checkin_views.card_view(flow, roles, t, many, waiting)
        markup = webapp_view.with_private_button(markup, runtime.settings.webapp_url, t)
        await session.commit()
        await runtime.bot.send_message(flow.member.user_id, text, reply_markup=markup)
        return
    else:
        text, markup = checkin_views.question(flow, t, many_teams=many, prefix=prefix)
    await session.commit()
    sent = await runtime.bot.send_message(flow.member.user_id, text, reply_markup=markup)
    await checkins.mark_asked(session, flow, sent.message_id)


async def open_report(
    runtime: Runtime,
    session: AsyncSession,
    user: User,
    team: Team,
    t: Translator,
    *,
    intro: bool = True,
) -> None:
    """The team's current period for this member: the card if done, else the question."""
    member = await teams.member(session, team, user.id)
    if member is None or not member.active:
        await runtime.bot.send_message(user.id, t("checkin.not_member"))
        return
    users.mark_reachable(user)
    user.active_team_id = team.id
    cycle, flow, fresh = await checkins.start(session, team, member, runtime.now())
    if flow is None:
        key = "checkin.skipped" if cycle.skipped else "checkin.no_roles"
        period = checkin_views.period_text(cycle.period, t)
        await runtime.bot.send_message(user.id, t(key, period=period, team=escape(team.title)))
        return
    if intro and fresh and flow.checkin.state != DONE:
        text, _ = checkin_views.intro(flow, t, runtime.now())
        await runtime.bot.send_message(user.id, text)
    await show(runtime, session, flow, Outcome("ask"), t)


async def report(
    message: Message, session: AsyncSession, user: User, t: Translator, runtime: Runtime
) -> None:
    mine = await teams.teams_of(session, user)
    if not mine:
        await message.answer(t("checkin.not_member"))
        return
    if len(mine) > 1:
        await session.commit()
        await message.answer(
            t("checkin.pick_team"),
            reply_markup=checkin_views.teams_keyboard(mine, user.active_team_id),
        )
        return
    await open_report(runtime, session, user, mine[0], t)


async def choose_team(
    query: CallbackQuery,
    callback_data: TeamChoice,
    session: AsyncSession,
    user: User,
    t: Translator,
    runtime: Runtime,
) -> None:
    team = await session.get(Team, callback_data.team)
    member = await teams.member(session, team, user.id) if team else None
    if team is None or member is None or not member.active:
        await query.answer(t("checkin.not_member"), show_alert=True)
        return
    await query.answer()
    await _close(query, t("checkin.chosen", team=escape(team.title)))
    await open_report(runtime, session, user, team, t)


# ----------------------------------------------------------------------------- answers
async def answer(
    message: Message, flow: Flow, session: AsyncSession, t: Translator, runtime: Runtime
) -> None:
    if message.forward_origin is not None:  # someone else's words are not the member's answer
        await message.answer(t("checkin.forwarded"))
        return
    held = _misfit(flow, message.text, t.locale)
    if held is not None:
        if await checkins.hold(session, flow, held):
            text, markup = checkin_views.unit_mismatch(
                flow, message.text, held, t, message.message_id
            )
            await message.answer(text, reply_markup=markup)
            return
        flow = await checkins.reload(session, flow)
        await show(runtime, session, flow, Outcome("ask"), t)
        return
    outcome = await checkins.answer_text(
        session, flow, message.text, t.locale, runtime.now(), message_id=message.message_id
    )
    await show(runtime, session, flow, outcome, t, message_id=message.message_id)


def _misfit(flow: Flow, text: str, locale: str) -> Decimal | None:
    """The number typed for the current question when it comes with a unit or a currency that
    doesn't fit the question (kpi.parsing decides); None when it fits or isn't a number."""
    current = flow.current
    if current is None:
        return None
    try:
        value = kpi.parse_input(current.code, text, locale)
    except kpi.InputError:
        return None
    mismatch = kpi.parsing.unit_mismatch(current.code, text, flow.team.currency)
    return value if mismatch is not None else None


async def edited(
    message: Message, session: AsyncSession, user: User | None, t: Translator, runtime: Runtime
) -> None:
    """An edited private message: if it typed an answer, the answer follows the edit while
    its period is open; any other edit is ignored."""
    if user is None or message.text is None:
        return
    typed = await edits.answer_of_message(session, user.id, message.message_id)
    if typed is None:
        return
    team, answer = typed.team, typed.answer
    try:
        item = kpi.input_def(answer.input_code)
    except KeyError:
        return
    before = answer.value
    now = runtime.now()
    if not await edits.still_open(session, typed, now):
        period = kpi.Period(answer.period_start, answer.period_start)
        collection = await checkins.collection_of(session, team, answer.period_start)
        if collection is not None:
            period = kpi.Period(collection.period_start, collection.period_end)
        await message.reply(checkin_views.edit_closed(item, before, period, team, t))
        return
    try:
        value = kpi.parse_input(item.code, message.text, t.locale)
    except kpi.InputError as error:
        await message.reply(checkin_views.edit_invalid(item, before, error, team, t))
        return
    if kpi.parsing.unit_mismatch(item.code, message.text, team.currency) is not None:
        await message.reply(checkin_views.edit_unit(item, before, message.text, team, t))
        return
    if value == before:
        return
    if await edits.correct(session, typed, value, now):
        await message.reply(checkin_views.edit_done(item, before, value, team, t))


async def press(
    query: CallbackQuery,
    callback_data: Ask,
    session: AsyncSession,
    user: User,
    t: Translator,
    runtime: Runtime,
) -> None:
    flow = await checkins.flow_by_id(session, callback_data.checkin)
    if flow is None or flow.member.user_id != user.id:
        await query.answer(t("checkin.stale"), show_alert=True)
        return
    now = runtime.now()
    action = callback_data.action
    if action == "alt" and not _offered(flow, callback_data.value):
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    if action == "start":
        await query.answer()
        await _close(query, None)
        await open_report(runtime, session, user, flow.team, t, intro=False)
        return
    if action == "edit":
        outcome = await checkins.edit(session, flow, callback_data.pos)
    elif flow.current is None or flow.position != callback_data.pos:
        outcome = Outcome("stale")
    elif action == "same":
        outcome = await checkins.answer_value(
            session, flow, flow.last_value(flow.current.code), now
        )
    elif action == "skip":
        outcome = await checkins.answer_value(session, flow, None, now, check=False)
    elif action == "back":
        outcome = await checkins.back(session, flow)
    elif action == "ok":
        outcome = await checkins.confirm(session, flow, now, _typed_id(callback_data.value))
    elif action == "alt":
        outcome = await _alternative(session, flow, callback_data.value, now)
    elif action == "unit":
        outcome = await _unit_confirmed(session, flow, now, _typed_id(callback_data.value))
    else:
        outcome = await checkins.retype(session, flow)
    if outcome.step == "stale":
        await session.commit()
        await query.answer(t("checkin.stale"))
        return
    await query.answer()
    await _close(query, _choice_text(action, callback_data, flow, t))
    prefix = ""
    if action == "retype" and callback_data.value == "unit" and flow.current is not None:
        unit = checkin_views.unit_in(flow.current.unit, flow.team, t)
        prefix = t("checkin.unit_retype", unit=unit)
    typed_id = _typed_id(callback_data.value) if action == "unit" else None
    await show(runtime, session, flow, outcome, t, prefix, message_id=typed_id)


def _offered(flow: Flow, value: str) -> bool:
    """A button's number is a finite decimal the current question allows."""
    current = flow.current
    return current is not None and checkins.offered_value(current.code, value) is not None


async def _alternative(session: AsyncSession, flow: Flow, value: str, now: datetime) -> Outcome:
    """One of the values the bot offered for a doubted answer: only while that answer is held,
    and only a plain finite decimal the question allows (a made-up NaN, 1E+999 is stale)."""
    current = flow.current
    if current is None or flow.checkin.pending_input != current.code:
        return Outcome("stale")
    chosen = checkins.offered_value(current.code, value)
    if chosen is None:
        return Outcome("stale")
    return await checkins.answer_value(session, flow, chosen, now, check=False)


def _typed_id(value: str) -> int | None:
    """The typed message's id a confirming button carries (none, or not a plain id: None)."""
    return int(value) if value.isdigit() and len(value) <= 15 else None


async def _unit_confirmed(
    session: AsyncSession, flow: Flow, now: datetime, message_id: int | None
) -> Outcome:
    """«Да» to «Записать 12,5 ₽?»: the held number, checked like any typed answer."""
    current = flow.current
    held = flow.checkin.pending_value
    if current is None or flow.checkin.pending_input != current.code or held is None:
        return Outcome("stale")
    return await checkins.answer_value(session, flow, held, now, message_id=message_id)


def _choice_text(action: str, data: Ask, flow: Flow, t: Translator) -> str | None:
    """A line added to the pressed message, saying what the press did."""
    item = flow.inputs[data.pos] if 0 <= data.pos < flow.total else None
    if item is None:
        return None
    if action in ("same", "alt", "ok", "unit") and item.code in flow.answers:
        value = flow.value(item.code)
        return t("checkin.chosen_value", value=checkin_views.number(value, item.unit, flow.team, t))
    if action == "skip":
        return t("checkin.chosen_value", value=t("checkin.no_data_value"))
    return None


async def _close(query: CallbackQuery, note: str | None) -> None:
    """Takes the buttons off the pressed message (adding a note of the choice)."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        if note:
            await message.edit_text(f"{message.html_text}\n\n{note}", reply_markup=None)
        else:
            await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:
        pass


# ----------------------------------------------------------------------------- no question
async def no_question(
    message: Message, session: AsyncSession, user: User, t: Translator, runtime: Runtime
) -> None:
    """A text with no question open: say so, and how to answer (or how to join)."""
    mine = await teams.teams_of(session, user)
    if not mine:
        await message.answer(t("checkin.not_member"))
        return
    team = await teams.home_team(session, user) or mine[0]
    upcoming = await checkins.next_cycle(session, team, runtime.now())
    await message.answer(
        t(
            "checkin.nothing_open",
            opens=checkin_views.moment_text(upcoming.opens_at, team, t),
            team=escape(team.title),
        )
    )


def setup() -> Router:
    """The checkin feature's router, new for each Dispatcher."""
    router = Router(name="checkin")
    router.message.filter(PRIVATE)
    router.callback_query.filter(F.message.chat.type == "private")
    router.edited_message.filter(PRIVATE)
    router.message.register(report, Command("report"))
    router.callback_query.register(choose_team, TeamChoice.filter())
    router.message.register(answer, F.text, ~F.text.startswith("/"), OpenCheckin())
    router.callback_query.register(press, Ask.filter())
    router.message.register(no_question, F.text, ~F.text.startswith("/"), StateFilter(None))
    router.edited_message.register(edited, F.text)
    return router
