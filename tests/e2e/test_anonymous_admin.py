"""Admins posting anonymously as the group (issue 14): GroupAnonymousBot in `from`, the group in
`sender_chat`. They count as group admins for the lead commands and can run the meeting end to
end; commands that need a person say so; linked channels and other bots are ignored."""

from __future__ import annotations

import copy
import logging

from sqlalchemy import select

from models.db import session_maker
from models.tables import Holiday, Meeting, Member, Task, Team
from tests.support.app import UNPACED
from tests.support.logs import problems
from tests.support.meetings import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    ROLES,
    VERA,
    numbers,
    people,
    plain,
    press,
)

BOT_SETTINGS = UNPACED
AS_YOURSELF = "от своего имени"


async def anonymous(emu, text: str, contains: str | None = None):
    """The creator (LEAD) writes as the group; the bot's first answer there."""
    mark = emu.mark()
    emu.send(LEAD, GROUP, text, anonymous=True)
    return await emu.wait_for(GROUP, contains, after=mark, predicate=lambda m: m.seq > mark)


async def test_an_anonymous_admin_runs_the_meeting_end_to_end(emu, app, caplog) -> None:
    from demo.scenario import join_team

    caplog.set_level(logging.INFO)
    people(emu)
    mark = emu.mark()
    emu.add_bot_to_group(GROUP, LEAD)
    await emu.wait_for(GROUP, "/setup", after=mark)

    done = await anonymous(emu, "/setup")
    assert "Команда подключена" in plain(done)
    async with session_maker(app.engine)() as s:
        team = await s.scalar(select(Team).where(Team.chat_id == GROUP))
    assert team is not None and team.created_by is None and team.locale == "ru"
    for user_id in (ANNA, BORIS, VERA):
        await join_team(emu, GROUP, user_id, ROLES[user_id])
    await numbers(app)

    settings = await anonymous(emu, "/settings")
    assert "Настройки команды" in plain(settings) and settings.buttons
    status = await anonymous(emu, "/status")
    assert "Сбор цифр за" in plain(status)
    targets = await anonymous(emu, "/targets")
    assert "Планы по KPI" in plain(targets)
    holiday = await anonymous(emu, "/holiday 31.12.2026")
    assert "Выходной команды" in plain(holiday)
    agenda = await anonymous(emu, "/agenda", contains="Повестка")
    assert "Повестка планёрки" in plain(agenda)
    async with session_maker(app.engine)() as s:
        assert [h.day.isoformat() for h in await s.scalars(select(Holiday))] == ["2026-12-31"]

    mark = emu.mark()
    emu.send(LEAD, GROUP, "/planerka", anonymous=True)
    card = await emu.wait_for(GROUP, "Слово", after=mark)
    assert "ведёт администратор группы" in plain(card)
    assert "Анна (1 из 3)" in plain(card)
    stale = copy.deepcopy(card)
    # Tasks for others, as a lead sets them: by @username, and in reply to someone's message.
    created = await anonymous(emu, "/task @anna обновить креативы до пятницы", "Задача")
    assert "Задача поставлена: обновить креативы" in plain(created)
    boris = await press(emu, ANNA, card, "Дальше ▶", contains="Слово")
    assert "Борис (2 из 3)" in plain(boris)
    said = emu.send(BORIS, GROUP, "беру на себя отчёт по лидам")
    mark = emu.mark()
    emu.send(LEAD, GROUP, "/task отчёт по лидам через 3 дня", reply_to=said, anonymous=True)
    created = await emu.wait_for(GROUP, "Задача", after=mark)
    assert "Задача поставлена: отчёт по лидам" in plain(created)
    far = await anonymous(emu, "/task @anna план на год через 1000 дней")
    assert "самый поздний срок" in plain(far)
    vera = await press(emu, BORIS, boris, "Дальше ▶", contains="Слово")
    closing = await press(emu, VERA, vera, "Дальше ▶", contains="Все выступили")
    assert "🏁 Завершить планёрку" in closing.button_texts()
    minutes = await anonymous(emu, "/end", contains="Протокол")
    assert "Выступили 3 человека: Анна, Борис, Вера" in plain(minutes)
    async with session_maker(app.engine)() as s:
        [meeting] = list(await s.scalars(select(Meeting)))
    assert meeting.status == "ended" and meeting.started_by is None
    async with session_maker(app.engine)() as s:
        rows = (
            await s.execute(
                select(Task.text, Member.user_id, Task.created_by, Task.meeting_id)
                .join(Member, Member.id == Task.owner_member_id)
                .order_by(Task.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("обновить креативы", ANNA, None, meeting.id),
        ("отчёт по лидам", BORIS, None, meeting.id),
    ]
    # The old card's button, pressed after the meeting ended: refused, nothing changes.
    mark = emu.mark()
    query_id = emu.press(ANNA, stale, "Дальше ▶")
    assert (await emu.wait_answer(query_id))["show_alert"]
    await emu.wait_idle()
    assert [m for m in emu.messages(GROUP) if m.seq > mark] == []
    assert problems(caplog) == []


async def test_commands_that_need_a_person_say_so_and_nothing_is_stored(emu, app) -> None:
    people(emu)
    mark = emu.mark()
    emu.add_bot_to_group(GROUP, LEAD)
    await emu.wait_for(GROUP, "/setup", after=mark)
    await anonymous(emu, "/setup")
    for command in ("/join", "/task отчёт до пятницы", "/export", "/away 01.12", "/report"):
        answer = await anonymous(emu, command)
        assert AS_YOURSELF in plain(answer) and "в личке" in plain(answer), (command, answer)
    # An ordinary message from the anonymous admin is nothing to answer.
    mark = emu.mark()
    emu.send(LEAD, GROUP, "всем привет", anonymous=True)
    await emu.wait_idle()
    assert [m for m in emu.messages(GROUP) if m.seq > mark] == []


async def test_non_admins_cant_post_as_the_group_in_the_emulator(emu) -> None:
    people(emu)
    try:
        emu.send(ANNA, GROUP, "/setup", anonymous=True)
    except ValueError as error:
        assert "only an admin" in str(error)
    else:
        raise AssertionError("a member posted as the group")
