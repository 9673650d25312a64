"""The scheduled side through the emulator: opening, one reminder, catch-up after downtime,
members who can't be reached, /status, away, holidays, and resuming after a crash."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select, update

from demo.scenario import join_team
from models.db import session_maker
from models.tables import Checkin, Member, MemberRole, PostLog, Team, User
from tests.support.checkins import (
    ANNA,
    BORIS,
    DEADLINE,
    GROUP,
    LEAD,
    MSK,
    OPENS,
    QUICK,
    REMINDER,
    VERA,
    answers,
    buttons,
    checkin,
    plain,
    run_tick,
    say,
    team_ready,
)

GLEB = 14


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


def said(emu, chat_id: int, fragment: str) -> list:
    return [m for m in emu.messages(chat_id) if fragment in plain(m)]


async def at(app, clock, moment: datetime) -> None:
    clock.set(moment)
    await run_tick(app)


async def post_log(app) -> list[tuple[str, str, bool]]:
    """The check-in rows of the post log (other features log their own posts too)."""
    async with session_maker(app.engine)() as s:
        rows = await s.scalars(
            select(PostLog).where(PostLog.kind.like("collection%")).order_by(PostLog.id)
        )
        return [(r.kind, r.period_key, r.late) for r in rows]


async def test_opening_once_and_one_reminder_to_those_not_done(emu, app, clock):
    await team_ready(emu, joiners=(ANNA, BORIS, VERA))
    await at(app, clock, OPENS)
    await at(app, clock, OPENS + timedelta(minutes=1))  # a second tick opens nothing again
    await emu.wait_idle()
    for person in (ANNA, BORIS, VERA):
        assert len(said(emu, person, "Собираю цифры")) == 1
        assert len(said(emu, person, "Вопрос 1 из")) == 1
    for text in ["150000", "12000", "600", "30", "450000"]:
        await say(emu, ANNA, text)
    await say(emu, BORIS, "90000")

    await at(app, clock, REMINDER)
    boris = await emu.wait_for(BORIS, "Напоминание")
    vera = await emu.wait_for(VERA, "Напоминание")
    assert "нужны до пн, 30 нояб., 09:30 — осталось 2 часа. Отвечено 1 из 7." in plain(boris)
    assert "Вопрос 2 из 7" in plain(boris)  # the reminder asks the current question
    assert "Отвечено 0 из 6" in plain(vera) and "Вопрос 1 из 6" in plain(vera)
    for moment in (REMINDER + timedelta(minutes=1), REMINDER + timedelta(minutes=40)):
        await at(app, clock, moment)
    await emu.wait_idle()
    assert said(emu, ANNA, "Напоминание") == []
    assert len(said(emu, BORIS, "Напоминание")) == 1
    assert len(said(emu, VERA, "Напоминание")) == 1
    assert await post_log(app) == [
        ("collection_open", "2026-11-23", False),
        ("collection_reminder", "2026-11-23", False),
    ]
    reply = await say(emu, BORIS, "50000")  # answering the reminder's question
    assert "Вопрос 3 из 7" in plain(reply)


async def test_catch_up_after_downtime_opens_late_and_sends_no_reminder_after_the_deadline(
    emu, app, clock
):
    await team_ready(emu)
    await at(app, clock, datetime(2026, 11, 28, 10, 0, tzinfo=MSK))  # down since Friday
    await emu.wait_for(ANNA, "Вопрос 1 из 5")
    assert await post_log(app) == [("collection_open", "2026-11-23", True)]
    await at(app, clock, DEADLINE + timedelta(minutes=45))  # down over the reminder time
    await emu.wait_idle()
    assert said(emu, ANNA, "Напоминание") == []
    assert [kind for kind, _, _ in await post_log(app)] == ["collection_open"]


async def test_a_missed_reminder_is_caught_up_before_the_deadline(emu, app, clock):
    await team_ready(emu)
    await at(app, clock, OPENS)
    await at(app, clock, REMINDER + timedelta(minutes=80))  # 08:50, still before 09:30
    reminder = await emu.wait_for(ANNA, "Напоминание")
    assert "осталось 40 минут" in plain(reminder)


async def test_someone_asked_after_the_reminder_time_is_not_reminded_at_once(emu, app, clock):
    await team_ready(emu)
    await at(app, clock, REMINDER + timedelta(minutes=10))  # the first tick of the cycle
    await emu.wait_for(ANNA, "Вопрос 1 из 5")
    await at(app, clock, REMINDER + timedelta(minutes=20))
    await emu.wait_idle()
    assert said(emu, ANNA, "Напоминание") == []


async def test_a_member_who_joins_after_the_opening_is_asked_until_the_deadline(emu, app, clock):
    await team_ready(emu)
    await at(app, clock, OPENS)
    await join_team(emu, GROUP, BORIS, ["targetologist"])
    await at(app, clock, OPENS + timedelta(hours=1))
    await emu.wait_for(BORIS, "Вопрос 1 из 7")
    await join_team(emu, GROUP, VERA, ["smm_manager"])
    await at(app, clock, DEADLINE + timedelta(minutes=1))
    await emu.wait_idle()
    assert said(emu, VERA, "Вопрос 1") == []  # after the deadline: only on /report


async def add_never_started_member(emu, app) -> None:
    """Глеб is a member the bot has never been able to write to."""
    emu.add_user(GLEB, "Глеб", username="gleb")
    async with session_maker(app.engine)() as s:
        team = await s.scalar(select(Team).where(Team.chat_id == GROUP))
        s.add(User(id=GLEB, full_name="Глеб", username="gleb", started=True, blocked=False))
        s.add(
            Member(
                team_id=team.id,
                user_id=GLEB,
                roles=[MemberRole(role_code="seo_specialist")],
            )
        )
        await s.commit()


async def test_members_who_cant_be_reached_are_noted_and_asked_once_they_can(emu, app, clock):
    await team_ready(emu, joiners=(ANNA, BORIS, VERA))
    await add_never_started_member(emu, app)
    emu.block_bot(BORIS)
    await emu.wait_idle()
    await at(app, clock, OPENS)
    await emu.wait_for(VERA, "Вопрос 1 из 6")  # the loop went on past Борис
    await emu.wait_for(ANNA, "Вопрос 1 из 5")
    async with session_maker(app.engine)() as s:
        assert (await s.get(User, BORIS)).blocked is True
        assert (await s.get(User, GLEB)).started is False
    assert (await checkin(app, BORIS)).state == "pending"
    assert (await checkin(app, GLEB)).state == "pending"

    status = await say(emu, LEAD, "/status", chat_id=GROUP)
    text = plain(status)
    assert "🚫 Не достучаться: Борис (заблокировал бота), Глеб (не запускал бота)" in text
    assert "https://t.me/planerka_bot" in text
    assert status.buttons == [[("Открыть бота", "https://t.me/planerka_bot")]]

    calls = len(emu.calls)
    await at(app, clock, OPENS + timedelta(minutes=1))
    await at(app, clock, OPENS + timedelta(minutes=2))
    await emu.wait_idle()
    retries = [c for c in emu.calls[calls:] if c[1].get("chat_id") in (BORIS, GLEB)]
    assert retries == []  # never a storm against someone who can't be reached

    await say(emu, BORIS, "/start")  # unblocks and starts the bot again
    await at(app, clock, OPENS + timedelta(minutes=3))
    await emu.wait_for(BORIS, "Вопрос 1 из 7")
    assert (await checkin(app, BORIS)).state == "in_progress"


async def test_status_shows_done_answering_not_started_and_away(emu, app, clock):
    await team_ready(emu, joiners=(ANNA, BORIS, VERA, LEAD))
    before = await say(emu, LEAD, "/status", chat_id=GROUP)
    assert "Сбор цифр за 23–29 нояб. откроется пт, 27 нояб., 15:00." in plain(before)

    await say(emu, VERA, "/away 27.11–01.12")
    await at(app, clock, OPENS)
    for text in ["150000", "12000", "600", "30", "450000"]:
        await say(emu, ANNA, text)
    await say(emu, BORIS, "90000")
    await say(emu, BORIS, "50000")

    refused = await say(emu, VERA, "/status", chat_id=GROUP)
    assert "только ведущие" in plain(refused)
    status = plain(await say(emu, LEAD, "/status", chat_id=GROUP))
    assert "Сбор цифр за 23–29 нояб.\nДедлайн: пн, 30 нояб., 09:30" in status
    assert "Сдал цифры 1 из 4." in status
    assert "✅ Сдали: Анна" in status
    assert "✍️ Отвечают: Борис (2 из 7)" in status
    assert "⏳ Не начали: Ольга" in status
    assert "🌴 Нет на месте: Вера (до 1 дек.)" in status
    assert "Не достучаться" not in status
    assert said(emu, VERA, "Вопрос 1") == []


async def test_someone_away_gets_no_questions_and_is_asked_on_return(emu, app, clock):
    await team_ready(emu, joiners=(ANNA, VERA))
    saved = await say(emu, VERA, "/away 27.11–29.11")
    assert "Вера — нет на месте: 27 нояб. – 29 нояб." in plain(saved)
    await at(app, clock, OPENS)
    await at(app, clock, datetime(2026, 11, 29, 12, 0, tzinfo=MSK))
    await emu.wait_for(ANNA, "Вопрос 1 из 5")
    assert said(emu, VERA, "Вопрос 1") == [] and await checkin(app, VERA) is None
    await at(app, clock, datetime(2026, 11, 30, 7, 0, tzinfo=MSK))  # back on Monday
    await emu.wait_for(VERA, "Вопрос 1 из 6")


async def test_holiday_on_the_meeting_day_moves_the_meeting_and_the_reminder(emu, app, clock):
    await team_ready(emu)
    refused = await say(emu, ANNA, "/holiday 30.11", chat_id=GROUP)
    assert "только ведущие" in plain(refused)
    past = await say(emu, LEAD, "/holiday 20.11", chat_id=GROUP)
    assert "уже прошли" in plain(past)
    marked = plain(await say(emu, LEAD, "/holiday 30.11", chat_id=GROUP))
    assert "Выходной команды: 30 нояб." in marked
    assert "Планёрка переносится: пн, 30 нояб., 10:00 → вт, 1 дек., 10:00." in marked
    listing = plain(await say(emu, ANNA, "/holiday", chat_id=GROUP))
    assert "Выходные команды: 30 нояб." in listing and "переносится на следующий" in listing

    await at(app, clock, OPENS)
    intro = await emu.wait_for(ANNA, "Собираю цифры")
    assert "ответить до вт, 1 дек., 09:30" in plain(intro)
    await at(app, clock, REMINDER)  # Monday 07:30: a holiday, no reminder
    await emu.wait_idle()
    assert said(emu, ANNA, "Напоминание") == []
    await at(app, clock, REMINDER + timedelta(days=1))
    await emu.wait_for(ANNA, "Напоминание")


async def test_holiday_with_the_skip_rule_means_no_collection(emu, app, clock):
    await team_ready(emu)
    await say(emu, LEAD, "/settings holidays skip", chat_id=GROUP)
    marked = plain(await say(emu, LEAD, "/holiday 27.11", chat_id=GROUP))
    assert "Планёрка пн, 30 нояб., 10:00 отменяется" in marked
    await at(app, clock, OPENS)
    await emu.wait_idle()
    assert said(emu, ANNA, "Вопрос 1") == []
    reply = await say(emu, ANNA, "/report")
    assert "За 23–29 нояб. сбор цифр не проводится" in plain(reply)

    unmarked = plain(await say(emu, LEAD, "/holiday удалить 27.11", chat_id=GROUP))
    assert "Больше не выходной: 27 нояб." in unmarked
    assert "Планёрка пн, 30 нояб., 10:00 снова в расписании" in unmarked
    await at(app, clock, OPENS + timedelta(minutes=1))
    await emu.wait_for(ANNA, "Вопрос 1 из 5")


async def test_a_question_lost_in_a_crash_after_the_answer_is_asked_again(emu, app, clock):
    await team_ready(emu)
    await at(app, clock, OPENS)
    question = await say(emu, ANNA, "150000")
    for _ in range(100):  # the bot notes the question it sent right after sending it
        if (await checkin(app, ANNA)).question_message_id == question.message_id:
            break
        await asyncio.sleep(0.05)
    # as if the bot died after saving the answer, before the next question went out
    async with session_maker(app.engine)() as s:
        await s.execute(update(Checkin).values(question_message_id=None))
        await s.commit()
    await at(app, clock, OPENS + timedelta(seconds=20))  # too soon: maybe still on its way
    await emu.wait_idle()
    assert said(emu, ANNA, "Продолжим") == []
    await at(app, clock, OPENS + timedelta(minutes=2))
    resumed = await emu.wait_for(ANNA, "Продолжим с того же места")
    assert "Вопрос 2 из 5 · Показы" in plain(resumed)
    assert "Нет данных" in " ".join(buttons(resumed))
    await say(emu, ANNA, "12000")
    assert len(await answers(app, ANNA)) == 2
    await at(app, clock, OPENS + timedelta(minutes=5))
    await emu.wait_idle()
    assert len(said(emu, ANNA, "Продолжим")) == 1
