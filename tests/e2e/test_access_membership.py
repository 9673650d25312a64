"""Membership follows the group (issue 12, finding 1): someone who leaves or is removed gets no
questions, reminders or task reminders, loses the lead flag, is refused by every private-chat
command of that team, and is shown as a former member in exports; coming back restores them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from models.db import session_maker
from models.tables import Member
from tests.support.checkins import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    MSK,
    OPENS,
    QUICK,
    VERA,
    plain,
    run_tick,
    say,
    team_ready,
)

BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def membership(app, user_id: int) -> Member:
    async with session_maker(app.engine)() as s:
        return await s.scalar(select(Member).where(Member.user_id == user_id))


async def test_leaving_the_group_ends_access_and_coming_back_restores_it(emu, app, clock):
    await team_ready(emu, joiners=(ANNA, BORIS, VERA))
    assert "Борис" in plain(await say(emu, LEAD, "/lead @boris", chat_id=GROUP))
    task = await say(emu, LEAD, "/task @boris разобрать связки до 26.11", chat_id=GROUP)
    assert "Задача поставлена" in plain(task)
    # Борис, a named lead, can export while he is in the group...
    mark = emu.mark()
    emu.send(BORIS, BORIS, "/export")
    await emu.wait_for(BORIS, after=mark)

    # ...then leaves; Анна is removed by the lead (a chat_member update, no service message).
    emu.remove_member(GROUP, BORIS)
    emu.remove_member(GROUP, ANNA, by_user_id=LEAD, service_message=False)
    await emu.wait_idle()
    boris, anna = await membership(app, BORIS), await membership(app, ANNA)
    assert not boris.active and not boris.is_lead
    assert not anna.active

    mark = emu.mark()
    for command in ("/export", "/report", "/tasks", "/summary", "/away 01.12–05.12"):
        reply = await say(emu, BORIS, command)
        assert "Маркетинг" not in plain(reply) or "/join" in plain(reply), (command, plain(reply))
        assert "📎" not in plain(reply) and "Вопрос" not in plain(reply), command
    assert not [m for m in emu.messages(BORIS) if m.document and m.seq > mark]

    members = plain(await say(emu, LEAD, "/members", chat_id=GROUP))
    assert "Вера" in members and "Борис" not in members and "Анна" not in members
    status = plain(await say(emu, LEAD, "/status", chat_id=GROUP))
    assert "Борис" not in status and "Анна" not in status

    # The collection opens: Вера is asked, the two who left are not; no task reminder either.
    mark = emu.mark()
    clock.set(datetime(2026, 11, 26, 9, 5, tzinfo=MSK))
    await run_tick(emu_app := app)
    clock.set(OPENS)
    await run_tick(emu_app)
    await emu.wait_idle()
    assert [m for m in emu.messages(VERA) if m.seq > mark]
    assert not [m for m in emu.messages(BORIS) if m.seq > mark]
    assert not [m for m in emu.messages(ANNA) if m.seq > mark]

    # The export keeps their history, marked as former members.
    async with session_maker(app.engine)() as s:
        from kpi import Period
        from models.tables import Team
        from tests.support.checkins import WEEK, put_answers
        from views import export as ex
        from views.i18n import I18n

        await put_answers(app, ANNA, WEEK - timedelta(days=7), {"clicks": "10"})
        team = await s.scalar(select(Team))
        period = Period(WEEK - timedelta(days=7), WEEK - timedelta(days=1))
        data = await ex.collect(s, team, [period], I18n().get("ru"))
        text = ex.to_csv(data, I18n().get("ru")).decode("utf-8")
        assert "Анна (вышла из группы)" in text or "Анна (бывший участник)" in text

    # Борис comes back: his membership (roles, history) is restored; the lead flag is not.
    emu.add_member(GROUP, BORIS)
    await emu.wait_idle()
    boris = await membership(app, BORIS)
    assert boris.active and not boris.is_lead
    reply = await say(emu, BORIS, "/report")
    assert "не в команде" not in plain(reply)


async def test_a_named_lead_who_left_cant_lead_in_the_group_either(emu, app):
    await team_ready(emu, joiners=(ANNA, BORIS))
    await say(emu, LEAD, "/lead @boris", chat_id=GROUP)
    assert "Ритм" in plain(await say(emu, BORIS, "/settings", chat_id=GROUP))
    emu.remove_member(GROUP, BORIS)
    emu.add_member(GROUP, BORIS)  # back in the group, but no longer a lead
    await emu.wait_idle()
    assert "только ведущие" in plain(await say(emu, BORIS, "/settings", chat_id=GROUP))


async def test_group_commands_in_private_say_where_they_work(emu, app):
    """Finding 15: /status in private got no reply; an admin who never joined gets told
    where /export works instead of «не знаю, чью команду»."""
    await team_ready(emu)
    await say(emu, LEAD, "/start")
    for command in ("/members", "/settings", "/lead @anna", "/holiday 01.12"):
        reply = plain(await say(emu, ANNA, command))
        assert "в группе команды" in reply, command
    assert "только ведущие" in plain(await say(emu, ANNA, "/status"))  # a lead's, in private too
    assert "/export в группе команды" in plain(await say(emu, LEAD, "/export"))
    assert "/status в группе команды" in plain(await say(emu, LEAD, "/status"))


async def test_absurd_years_are_refused(emu, app):
    """Finding 14: /holiday 01.01.2099 was listed without its year, /summary 16.11.0001
    rendered a summary for year 1."""
    await team_ready(emu)
    for command in ("/holiday 01.01.2099", "/summary 16.11.0001", "/export 01.01.0001–01.02.0001"):
        reply = plain(await say(emu, LEAD, command, chat_id=GROUP))
        assert "не дата" in reply or "не диапазон дат" in reply, (command, reply)
