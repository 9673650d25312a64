"""The planerka through the emulator: the real bot, its HTTP session, a real database."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from jobs import agenda as agenda_job
from jobs import meeting as meeting_flow
from jobs import periodic_jobs
from jobs import tasks as task_jobs
from jobs.loop import tick
from models.db import session_maker
from models.tables import Away, Meeting, MeetingSpeaker, Member, MemberRole, Task, Team, User
from services.meeting import meetings
from tests.support.app import UNPACED, bot_running, make_settings
from tests.support.meetings import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    THIS_WEEK,
    VERA,
    alert,
    member_id,
    numbers,
    plain,
    press,
    say,
    team_ready,
)

BOT_SETTINGS = UNPACED


MSK = ZoneInfo("Europe/Moscow")


async def rows(app, model, *where):
    async with session_maker(app.engine)() as s:
        return list(await s.scalars(select(model).where(*where)))


async def count(app, model, *where) -> int:
    async with session_maker(app.engine)() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_a_whole_meeting(emu, app):
    await team_ready(emu)
    await numbers(app)

    refusal = await say(emu, BORIS, GROUP, "/planerka")
    assert "только ведущие" in plain(refusal)
    assert await count(app, Meeting) == 0

    mark = emu.mark()
    emu.send(LEAD, GROUP, "/planerka")
    agenda = await emu.wait_for(GROUP, "Повестка планёрки", after=mark)
    assert "1. Сайт трафик" in plain(agenda) and "10. Аналитика и отчетность" in plain(agenda)
    assert "н/д" in plain(agenda)
    assert "CTR" in plain(agenda) and "1,2 %" in plain(agenda)
    assert "Не сдали цифры 2 человека: Борис, Ольга" in plain(agenda)
    card = await emu.wait_for(GROUP, "Слово", after=mark)
    assert "Планёрка началась" in plain(card) and "Выступают 4 человека" in plain(card)
    assert "Анна (1 из 4)" in plain(card)
    assert "🔴 CTR (click-through rate): 1,2 %" in plain(card)  # off its 2 % target
    assert "🔴 CTR (click-through rate): 1,2 % · ▼ −0,8 п.п. · план 2 % (60 %)" in plain(card)
    assert "➕ Задача: CTR (click-through rate)" in card.button_texts()
    assert "◀ Назад" not in card.button_texts()  # nobody before the first speaker

    # Борис is neither the speaker nor a lead
    assert "выступающий или ведущий" in await alert(emu, BORIS, card, "Дальше ▶")
    # Анна passes the floor herself
    boris = await press(emu, ANNA, card, "Дальше ▶", contains="Слово")
    assert "Борис (2 из 4)" in plain(boris)
    assert "н/д" in plain(boris)  # he reported nothing
    await emu.wait_idle()
    assert emu.bot_message(GROUP, card.message_id).buttons == []  # old card's buttons gone
    # a second press on Анна's old card changes nothing
    async with session_maker(app.engine)() as s:
        assert (await s.scalar(select(Meeting))).position == 1

    back = await press(emu, LEAD, boris, "◀ Назад", contains="Слово")
    assert "Анна (1 из 4)" in plain(back)

    prompt = await press(
        emu, LEAD, back, "➕ Задача: CTR (click-through rate)", contains="Новая задача"
    )
    assert "Анна" in plain(prompt) and "CTR" in plain(prompt)
    mark = emu.mark()
    emu.send(LEAD, GROUP, "поднять CTR до 2% до пт", reply_to=prompt)
    created = await emu.wait_for(GROUP, "Задача поставлена", after=mark)
    assert "поднять CTR до 2%" in plain(created) and "27 нояб." in plain(created)
    dm = await emu.wait_for(ANNA, "Вам задача", after=mark)
    assert "✅ Готово" in dm.button_texts()

    boris = await press(emu, LEAD, back, "Дальше ▶", contains="Слово")
    vera = await press(emu, LEAD, boris, "Пропустить ⏭", contains="Слово")
    assert "Вера (3 из 4)" in plain(vera)
    created = await say(emu, LEAD, GROUP, "/task @vera обновить контент-план до 28.11")
    assert "Задача поставлена" in plain(created) and "Вера" in plain(created)
    olga = await press(emu, VERA, vera, "Дальше ▶", contains="Слово")
    assert "Ольга (4 из 4)" in plain(olga)
    closing = await press(emu, LEAD, olga, "Дальше ▶", contains="Все выступили")
    assert "🏁 Завершить планёрку" in closing.button_texts()

    minutes = await press(emu, LEAD, closing, "🏁 Завершить планёрку", contains="Протокол")
    assert "понедельник, 23 нояб. 2026" in plain(minutes)
    assert "Выступили 3 человека: Анна, Вера, Ольга" in plain(minutes)
    assert "Не выступил 1 человек: Борис" in plain(minutes)
    assert "Поставлены 2 задачи" in plain(minutes)
    assert "1. поднять CTR до 2% — Анна, до 27 нояб. · KPI: CTR" in plain(minutes)
    assert "2. обновить контент-план — Вера, до 28 нояб." in plain(minutes)
    assert "Следующая планёрка: понедельник, 30 нояб., 10:00" in plain(minutes)

    [meeting] = await rows(app, Meeting)
    assert meeting.status == "ended" and meeting.running_team_id is None
    assert meeting.minutes is not None and "Борис" in meeting.minutes
    statuses = {
        s.member_id: s.status
        for s in await rows(app, MeetingSpeaker, MeetingSpeaker.meeting_id == meeting.id)
    }
    assert sorted(statuses.values()) == ["skipped", "spoke", "spoke", "spoke"]
    tasks = await rows(app, Task)
    assert {t.due for t in tasks} == {date(2026, 11, 27), date(2026, 11, 28)}
    assert all(t.meeting_id == meeting.id for t in tasks)
    assert {t.kpi_code for t in tasks} == {"ctr", None}

    again = await say(emu, LEAD, GROUP, "/end")
    assert "не идёт" in plain(again)


async def test_only_leads_run_the_meeting_and_stale_buttons_change_nothing(emu, app):
    await team_ready(emu)
    assert "только ведущие" in plain(await say(emu, ANNA, GROUP, "/end"))
    assert "не идёт" in plain(await say(emu, LEAD, GROUP, "/end"))
    card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
    assert "только ведущие" in await alert(emu, ANNA, card, "Пропустить ⏭")
    assert "только ведущие" in await alert(emu, BORIS, card, "➕ Задача")
    assert "только ведущие" in plain(await say(emu, VERA, GROUP, "/end"))
    stale = copy.deepcopy(card)  # the keyboard as a slow client still shows it
    nxt = await press(emu, LEAD, card, "Дальше ▶", contains="Слово")
    assert "Борис" in plain(nxt)
    await emu.wait_idle()
    assert card.buttons == []
    assert "устарела" in await alert(emu, LEAD, stale, "Дальше ▶")
    async with session_maker(app.engine)() as s:
        meeting = await s.scalar(select(Meeting))
        assert meeting.position == 1 and meeting.status == "running"


async def test_a_group_without_a_team_is_told_to_set_up(emu, app):
    from tests.support.meetings import people

    people(emu)
    mark = emu.mark()
    emu.add_bot_to_group(GROUP, LEAD)
    await emu.wait_for(GROUP, "/setup", after=mark)
    for command in ("/planerka", "/end", "/agenda", "/task @anna отчёт до пт", "/tasks"):
        assert "/setup" in plain(await say(emu, LEAD, GROUP, command)), command
    assert await count(app, Meeting) == 0 and await count(app, Task) == 0


async def test_nobody_to_speak_is_refused(emu, app):
    from demo.scenario import register_team
    from tests.support.meetings import people

    people(emu)
    await register_team(emu, GROUP, LEAD)
    assert "некому выступать" in plain(await say(emu, LEAD, GROUP, "/planerka"))
    assert await count(app, Meeting) == 0


async def tick_at(app, clock, moment: datetime) -> None:
    clock.set(moment)
    await tick(app.runtime)


def test_the_planner_runs_the_meeting_jobs_through_the_due_moments():
    from jobs.engine import due_pass, team_jobs

    assert periodic_jobs() == [due_pass]  # the one scheduler: the due-moments pass
    jobs = team_jobs()
    assert agenda_job.post_agenda in jobs.values()
    assert jobs["meeting"] is meeting_flow.team_due and jobs["tasks"] is task_jobs.team_due


async def test_two_planerka_at_once_start_one_meeting(emu, app):
    await team_ready(emu)
    await say(emu, LEAD, GROUP, "/lead @anna")
    mark = emu.mark()
    emu.send(LEAD, GROUP, "/planerka")
    emu.send(ANNA, GROUP, "/planerka")
    await emu.wait_for(GROUP, "уже идёт", after=mark)
    await emu.wait_idle()
    assert await count(app, Meeting) == 1
    async with session_maker(app.engine)() as s:
        meeting = await s.scalar(select(Meeting))
        speakers = await s.scalar(
            select(func.count()).where(MeetingSpeaker.meeting_id == meeting.id)
        )
    assert speakers == 4
    started = [m for m in emu.messages(GROUP) if m.seq > mark and "Планёрка началась" in plain(m)]
    assert len(started) == 1


async def test_two_sessions_racing_start_one_meeting(app):
    """The service itself, two transactions at once: the unique running_team_id decides."""
    async with session_maker(app.engine)() as s:
        team = Team(chat_id=GROUP, title="T", join_token="tok", anchor_date=date(2026, 11, 2))
        s.add(team)
        await s.flush()
        for user_id in (ANNA, BORIS):
            s.add(User(id=user_id, full_name=str(user_id)))
            await s.flush()
            member = Member(team_id=team.id, user_id=user_id)
            s.add(member)
            await s.flush()
            s.add(MemberRole(member_id=member.id, role_code="smm_manager"))
        await s.commit()
        team_id = team.id
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

    async def attempt() -> str:
        async with session_maker(app.engine)() as s:
            team = await s.get(Team, team_id)
            try:
                await meetings.start(s, team, started_by=1, now=now, period_start=THIS_WEEK)
            except meetings.AlreadyRunning:
                return "already"
            return "started"

    results = await asyncio.gather(*(attempt() for _ in range(4)))
    assert sorted(results) == ["already", "already", "already", "started"]
    assert await count(app, Meeting) == 1
    assert await count(app, MeetingSpeaker) == 2


async def test_a_restart_in_the_middle_resumes_at_the_current_speaker(emu, database_url, clock):
    settings = make_settings(emu, database_url, **UNPACED)
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600):
        await team_ready(emu)
        card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
        boris = await press(emu, ANNA, card, "Дальше ▶", contains="Слово")
        assert "Борис (2 из 4)" in plain(boris)
    # the bot is down; it comes back with the same database
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600):
        vera = await press(emu, LEAD, boris, "Пропустить ⏭", contains="Слово")
        assert "Вера (3 из 4)" in plain(vera)
        again = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
        assert "уже идёт" in plain(again) and "Вера (3 из 4)" in plain(again)
        await emu.wait_idle()
        assert vera.buttons == []  # the re-posted card is the live one now
        olga = await press(emu, VERA, again, "Дальше ▶", contains="Слово")
        assert "Ольга (4 из 4)" in plain(olga)
        minutes = await say(emu, LEAD, GROUP, "/end", contains="Протокол")
    assert "Выступили 3 человека: Анна, Вера, Ольга" in plain(minutes)
    assert "Не выступил 1 человек: Борис" in plain(minutes)


async def test_the_speaker_is_nudged_once_when_the_time_box_is_over(emu, app, clock):
    await team_ready(emu)
    await say(emu, LEAD, GROUP, "/settings speaker 120")
    start = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)
    await tick_at(app, clock, start)  # the week's other due work (last week's digest) first
    await emu.wait_idle()
    card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
    assert "2 минуты" in plain(card)
    mark = emu.mark()
    await tick_at(app, clock, start + timedelta(seconds=90))
    await emu.wait_idle()
    assert not [m for m in emu.messages(GROUP) if m.seq > mark]
    await tick_at(app, clock, start + timedelta(seconds=121))
    nudge = await emu.wait_for(GROUP, "время выступления вышло", after=mark)
    assert "Анна" in plain(nudge)
    mark = emu.mark()
    await tick_at(app, clock, start + timedelta(seconds=400))
    await emu.wait_idle()
    assert not [m for m in emu.messages(GROUP) if m.seq > mark]  # one nudge only
    clock.set(start + timedelta(seconds=410))
    boris = await press(emu, ANNA, card, "Дальше ▶", contains="Слово")
    mark = emu.mark()
    await tick_at(app, clock, start + timedelta(seconds=410 + 121))
    nudge = await emu.wait_for(GROUP, "время выступления вышло", after=mark)
    assert "Борис" in plain(nudge) and "Борис" in plain(boris)


async def test_a_meeting_nobody_ends_closes_itself_at_the_end_of_the_day(emu, app, clock):
    await team_ready(emu)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=MSK))
    card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
    await press(emu, ANNA, card, "Дальше ▶", contains="Слово")
    await say(emu, LEAD, GROUP, "/task @boris настроить ретаргетинг до 27.11")
    mark = emu.mark()
    await tick_at(app, clock, datetime(2026, 11, 23, 23, 58, tzinfo=MSK))
    await emu.wait_idle()
    assert not [m for m in emu.messages(GROUP) if m.seq > mark and "Протокол" in plain(m)]
    await tick_at(app, clock, datetime(2026, 11, 23, 23, 59, tzinfo=MSK))
    minutes = await emu.wait_for(GROUP, "Протокол", after=mark)
    assert "закрыл её сам" in plain(minutes)
    assert "Выступили 2 человека: Анна, Борис" in plain(minutes)
    assert "настроить ретаргетинг — Борис, до 27 нояб." in plain(minutes)
    [meeting] = await rows(app, Meeting)
    assert meeting.status == "ended" and meeting.minutes == minutes.text
    mark = emu.mark()
    await tick_at(app, clock, datetime(2026, 11, 24, 0, 5, tzinfo=MSK))
    await emu.wait_idle()
    assert not [m for m in emu.messages(GROUP) if m.seq > mark and "Протокол" in plain(m)]


async def test_away_members_are_skipped_and_listed(emu, app):
    await team_ready(emu)
    vera = await member_id(app, VERA)
    async with session_maker(app.engine)() as s:
        s.add(Away(member_id=vera, start=date(2026, 11, 20), end=date(2026, 11, 27)))
        await s.commit()
    agenda = await say(emu, LEAD, GROUP, "/agenda")
    assert "В отпуске: Вера" in plain(agenda)
    assert "Вера" not in plain(agenda).split("Не сдали")[1].split("\n")[0]
    card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
    assert "В отпуске, пропускаем (1): Вера" in plain(card)
    assert "Выступают 3 человека" in plain(card) and "Анна (1 из 3)" in plain(card)
    boris = await press(emu, LEAD, card, "Дальше ▶", contains="Слово")
    olga = await press(emu, LEAD, boris, "Дальше ▶", contains="Слово")
    assert "Ольга (3 из 3)" in plain(olga)
    minutes = await say(emu, LEAD, GROUP, "/end", contains="Протокол")
    assert "В отпуске 1 человек: Вера" in plain(minutes)
    assert "Выступили 3 человека: Анна, Борис, Ольга" in plain(minutes)
    assert "Не выступил" not in plain(minutes)


async def test_the_card_task_prompt_refuses_bad_answers_and_can_be_dropped(emu, app):
    await team_ready(emu)
    card = await say(emu, LEAD, GROUP, "/planerka", contains="Слово")
    prompt = await press(emu, LEAD, card, "➕ Задача", contains="Новая задача")
    assert "ответственный: Анна" in plain(prompt)
    answer = await say(emu, LEAD, GROUP, "сделать отчёт", reply_to=prompt)
    assert "нет срока" in plain(answer) and "ещё раз" in plain(answer)
    answer = await say(emu, LEAD, GROUP, "сделать отчёт до 20.11", reply_to=prompt)
    assert "уже прошёл" in plain(answer)
    # a reply to some other bot message, or someone else's reply, is not the answer
    mark = emu.mark()
    emu.send(LEAD, GROUP, "сделать отчёт до пт", reply_to=card)
    emu.send(BORIS, GROUP, "сделать отчёт до пт", reply_to=prompt)
    await emu.wait_idle()
    assert not [m for m in emu.messages(GROUP) if m.seq > mark]
    assert "не ставлю" in plain(await say(emu, LEAD, GROUP, "-", reply_to=prompt))
    assert await count(app, Task) == 0
    # after the prompt is dropped, a reply to it is nobody's answer
    mark = emu.mark()
    emu.send(LEAD, GROUP, "сделать отчёт до пт", reply_to=prompt)
    await emu.wait_idle()
    assert not [m for m in emu.messages(GROUP) if m.seq > mark]
    answer = await say(emu, LEAD, GROUP, "/task @anna сделать отчёт до пт")
    assert "Задача поставлена" in plain(answer)
    assert await count(app, Task) == 1


async def test_a_meeting_in_english(emu, app):
    await team_ready(emu)
    await numbers(app)
    await say(emu, LEAD, GROUP, "/settings lang en")
    card = await say(emu, LEAD, GROUP, "/planerka", contains="floor")
    assert "The meeting has started" in plain(card) and "4 people speak" in plain(card)
    assert "The floor is Анна's (1 of 4)" in plain(card)
    assert "🔴 CTR (click-through rate): 1.2% · ▼ −0.8 pp · plan 2% (60%)" in plain(card)
    assert "➕ Task: CTR (click-through rate)" in card.button_texts()
    boris = await press(emu, ANNA, card, "Next ▶", contains="floor")
    await press(emu, LEAD, boris, "Skip ⏭", contains="floor")
    minutes = await say(emu, LEAD, GROUP, "/end", contains="minutes")
    text = plain(minutes)
    assert "Meeting minutes · Monday, Nov 23, 2026" in text
    assert "2 people spoke: Анна, Вера" in text
    assert "2 people didn't speak: Борис, Ольга" in text
    assert "No tasks were set" in text
    assert "Next meeting: Monday, Nov 30, 10:00" in text
