"""A team for the check-in tests: people in the emulator, the rhythm's moments, and readers of
what the database holds (answers, check-ins)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from demo.scenario import join_team, register_team
from jobs import periodic_jobs
from jobs.loop import tick
from models.db import session_maker
from models.tables import Answer, Checkin, Member
from tests.support.app import UNPACED, bot_running, make_settings

MSK = ZoneInfo("Europe/Moscow")
GROUP = -100400
LEAD, ANNA, BORIS, VERA, STRANGER = 1, 11, 12, 13, 99
ROLES = {
    ANNA: ["context_ads_specialist"],  # spend, impressions, clicks, conversions, revenue
    BORIS: ["targetologist"],
    VERA: ["smm_manager"],
    LEAD: ["head_of_internet_marketing"],
}
ANNA_INPUTS = ["spend", "impressions", "clicks", "conversions", "revenue"]

# The team registers on Mon 23.11.2026 08:00 MSK (the clock fixture). Its first cycle:
WEEK = date(2026, 11, 23)  # the period 23–29 Nov
OPENS = datetime(2026, 11, 27, 15, 0, tzinfo=MSK)  # Fri 15:00
REMINDER = datetime(2026, 11, 30, 7, 30, tzinfo=MSK)  # Mon 07:30 (2 h before the deadline)
DEADLINE = datetime(2026, 11, 30, 9, 30, tzinfo=MSK)  # Mon 09:30
MEETING = datetime(2026, 11, 30, 10, 0, tzinfo=MSK)


# The outgoing flood limits off: as BOT_SETTINGS of a test module (tests/e2e/conftest.py's app)
QUICK = {**UNPACED, "delivery_global_per_s": 0}


@contextlib.asynccontextmanager
async def quick_app(emu, database_url: str, clock, **overrides) -> AsyncIterator[App]:
    """The real bot polling the emulator, with the outgoing flood limits off (the emulator
    enforces none here). A test module's `app` fixture gets the same with BOT_SETTINGS = QUICK."""
    settings = make_settings(emu, database_url, **QUICK, **overrides)
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as app:
        yield app


def users(emu, *, anna_language: str = "ru") -> None:
    """Ольга (the lead), Анна, Борис, Вера and Сергей (not in the team) in the emulator: the
    people of the check-in, meeting and task tests."""
    emu.add_user(LEAD, "Ольга", username="olga", language_code="ru")
    emu.add_user(ANNA, "Анна", username="anna", language_code=anna_language)
    emu.add_user(BORIS, "Борис", username="boris", language_code="ru")
    emu.add_user(VERA, "Вера", username="vera", language_code="ru")
    emu.add_user(STRANGER, "Сергей", username="sergey", language_code="ru")


def people(emu, *, anna_language: str = "ru", group: int = GROUP) -> None:
    users(emu, anna_language=anna_language)
    emu.add_group(group, "Маркетинг", creator=LEAD, members=[ANNA, BORIS, VERA, STRANGER])


async def team_ready(emu, joiners=(ANNA,), anna_language: str = "ru") -> None:
    """The lead registers the team; `joiners` join with their roles (Анна in her language)."""
    people(emu, anna_language=anna_language)
    await register_team(emu, GROUP, LEAD)
    for user_id in joiners:
        locale = anna_language if user_id == ANNA else "ru"
        await join_team(emu, GROUP, user_id, ROLES[user_id], locale=locale)


async def run_tick(app) -> None:
    await tick(app.runtime, periodic_jobs())


async def member_id(app, user_id: int) -> int:
    async with session_maker(app.engine)() as s:
        return await s.scalar(select(Member.id).where(Member.user_id == user_id).limit(1))


async def answers(app, user_id: int, start: date = WEEK) -> dict[str, Decimal | None]:
    async with session_maker(app.engine)() as s:
        rows = await s.scalars(
            select(Answer)
            .join(Member, Member.id == Answer.member_id)
            .where(Member.user_id == user_id, Answer.period_start == start)
        )
        return {a.input_code: a.value for a in rows}


async def answer_rows(app, user_id: int) -> list[Answer]:
    async with session_maker(app.engine)() as s:
        rows = await s.scalars(
            select(Answer)
            .join(Member, Member.id == Answer.member_id)
            .where(Member.user_id == user_id)
            .order_by(Answer.id)
        )
        return list(rows)


async def checkin(app, user_id: int, start: date = WEEK) -> Checkin | None:
    async with session_maker(app.engine)() as s:
        return await s.scalar(
            select(Checkin)
            .join(Member, Member.id == Checkin.member_id)
            .where(Member.user_id == user_id, Checkin.period_start == start)
        )


async def put_answers(app, user_id: int, start: date, values: dict[str, str | None]) -> None:
    mid = await member_id(app, user_id)
    async with session_maker(app.engine)() as s:
        for code, value in values.items():
            s.add(
                Answer(
                    member_id=mid,
                    period_start=start,
                    input_code=code,
                    value=None if value is None else Decimal(value),
                )
            )
        await s.commit()


async def say(emu, user_id: int, text: str, chat_id: int | None = None, **wait):
    """`user_id` writes `text` (in private by default); the bot's next message there."""
    chat = user_id if chat_id is None else chat_id
    mark = emu.mark()
    emu.send(user_id, chat, text)
    return await emu.wait_for(chat, after=mark, **wait)


async def tap(emu, user_id: int, message, button: str, **wait):
    """`user_id` presses a button; the bot's next new or edited message in that chat that has
    buttons or isn't the pressed one."""
    mark = emu.mark()
    emu.press(user_id, message, button)
    return await emu.wait_for(
        message.chat_id,
        after=mark,
        predicate=lambda m: m.message_id != message.message_id,
        **wait,
    )


def _spaces(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ").replace("\u2009", " ")


def plain(message) -> str:
    """A bot message's text with no-break spaces as plain spaces."""
    return _spaces(message.plain or "")


def buttons(message) -> list[str]:
    return [_spaces(label) for label in message.button_texts()]
