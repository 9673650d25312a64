"""A team for the meeting and task tests: a lead and three specialists in the emulator, and
their numbers put straight into the answers table (as check-ins would store them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from demo.scenario import join_team, register_team
from models.db import session_maker
from models.tables import Target, Team
from tests.support import checkins
from tests.support.checkins import member_id as member_id
from tests.support.checkins import put_answers as put_answers

GROUP = -100500
LEAD, ANNA, BORIS, VERA, STRANGER = 1, 11, 12, 13, 99
THIS_WEEK = date(2026, 11, 16)  # the period the Monday 23.11 meeting reviews
LAST_WEEK = date(2026, 11, 9)

ROLES = {
    ANNA: ["context_ads_specialist"],
    BORIS: ["targetologist"],
    VERA: ["smm_manager"],
    LEAD: ["head_of_internet_marketing"],
}


def people(emu) -> None:
    checkins.people(emu, group=GROUP)


async def team_ready(emu, joiners=(ANNA, BORIS, VERA, LEAD)) -> None:
    """The lead registers the team; the others (and the lead) join with their roles."""
    people(emu)
    await register_team(emu, GROUP, LEAD)
    for user_id in joiners:
        await join_team(emu, GROUP, user_id, ROLES[user_id])


async def put_target(app, kpi_code: str, value: str, valid_from: date = LAST_WEEK) -> None:
    async with session_maker(app.engine)() as s:
        team = await s.scalar(select(Team))
        s.add(
            Target(team_id=team.id, kpi_code=kpi_code, value=Decimal(value), valid_from=valid_from)
        )
        await s.commit()


ANNA_THIS_WEEK = {
    "spend": "50000",
    "impressions": "100000",
    "clicks": "1200",
    "conversions": "40",
    "revenue": "300000",
}
ANNA_LAST_WEEK = {
    "spend": "45000",
    "impressions": "100000",
    "clicks": "2000",
    "conversions": "50",
    "revenue": "280000",
}
VERA_THIS_WEEK = {
    "impressions": "80000",
    "reach": "30000",
    "clicks": "900",
    "engagements": "2400",
    "followers": "15200",
    "conversions": "12",
}


async def numbers(app) -> None:
    """Анна and Вера reported this week, Анна last week too; Борис and Ольга didn't report.
    Анна's CTR (1,2 %) is off its 2 % target."""
    await put_answers(app, ANNA, LAST_WEEK, ANNA_LAST_WEEK)
    await put_answers(app, ANNA, THIS_WEEK, ANNA_THIS_WEEK)
    await put_answers(app, VERA, THIS_WEEK, VERA_THIS_WEEK)
    await put_target(app, "ctr", "2")


async def say(emu, user_id: int, chat_id: int, text: str, reply_to=None, contains=None):
    """`user_id` writes; returns the bot's first answer in `chat_id`."""
    mark = emu.mark()
    emu.send(user_id, chat_id, text, reply_to=reply_to)
    return await emu.wait_for(chat_id, contains, after=mark, predicate=lambda m: m.seq > mark)


async def press(emu, user_id: int, message, button: str, chat_id: int | None = None, contains=None):
    """`user_id` presses; returns the bot's next new message in the chat."""
    mark = emu.mark()
    emu.press(user_id, message, button)
    chat = chat_id or message.chat_id
    return await emu.wait_for(chat, contains, after=mark, predicate=lambda m: m.seq > mark)


async def press_edit(emu, user_id: int, message, button: str):
    """`user_id` presses; returns the message after the bot edited it."""
    mark = emu.mark()
    emu.press(user_id, message, button)
    return await emu.wait_for(
        message.chat_id, after=mark, predicate=lambda m: m.message_id == message.message_id
    )


async def alert(emu, user_id: int, message, button: str) -> str:
    """`user_id` presses and gets an alert; its text."""
    query_id = emu.press(user_id, message, button)
    answer = await emu.wait_answer(query_id)
    return answer.get("text") or ""


def plain(message) -> str:
    """The message as read: non-breaking spaces (Babel's) as plain ones."""
    return (message.plain or "").replace("\xa0", " ").replace("\u202f", " ")
