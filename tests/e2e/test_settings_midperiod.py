"""Settings and holidays changed while a collection is open take effect from the next period,
through the emulator: the open collection keeps its period, deadline and reminder, the lead is
told when the next collection opens, and members hear of it only if what they were told reads
differently (a new time zone)."""

from __future__ import annotations

from datetime import datetime, timedelta

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
    WEEK,
    answer_rows,
    answers,
    checkin,
    plain,
    run_tick,
    say,
    team_ready,
)

DECEMBER_OPENING = datetime(2026, 12, 4, 15, 0, tzinfo=MSK)  # Fri before Mon 7 Dec


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


def said(emu, chat_id: int, fragment: str) -> list:
    return [m for m in emu.messages(chat_id) if fragment in plain(m)]


def digests(emu, period: str) -> list:
    return [m for m in emu.messages(GROUP) if "Итоги" in plain(m) and period in plain(m)]


async def at(app, clock, moment: datetime) -> None:
    clock.set(moment)
    await run_tick(app)


async def opened(emu, app, clock, *people: int) -> None:
    await at(app, clock, OPENS)
    for person in people or (ANNA,):
        await emu.wait_for(person, "Вопрос 1 из")


async def test_cadence_change_keeps_the_open_week_and_the_month_opens_when_promised(
    emu, app, clock
):
    await team_ready(emu)
    await opened(emu, app, clock)
    await say(emu, ANNA, "150000")
    confirm = plain(await say(emu, LEAD, "/settings cadence monthly", chat_id=GROUP))
    assert (
        "Открытый сбор за 23–29 нояб. идёт по прежнему расписанию: "
        "ответы до пн, 30 нояб., 09:30." in confirm
    )
    assert (
        "Новые настройки — со следующего периода: ноябрь 2026, "
        "сбор откроется пт, 4 дек., 15:00." in confirm
    )
    await emu.wait_idle()
    assert said(emu, ANNA, "часовой пояс") == []  # nothing Анна was told has changed

    reply = await say(emu, ANNA, "12000")  # the member keeps answering the open week
    assert "Вопрос 3 из 5" in plain(reply)
    report = plain(await say(emu, ANNA, "/report"))
    assert "Вопрос 3 из 5" in report and "Сейчас вопросов нет" not in report
    status = plain(await say(emu, LEAD, "/status", chat_id=GROUP))
    assert "23–29 нояб." in status and "ноябрь" not in status
    for text in ["600", "30", "450000"]:
        await say(emu, ANNA, text)
    assert len(await answers(app, ANNA, WEEK)) == 5
    assert (await checkin(app, ANNA, WEEK)).state == "done"

    await at(app, clock, DEADLINE + timedelta(minutes=1))
    digest = await emu.wait_for(GROUP, "Итоги")
    assert "Итоги недели · 23–29 нояб." in plain(digest)  # the week's digest, at its deadline

    await at(app, clock, DECEMBER_OPENING - timedelta(minutes=1))
    await emu.wait_idle()
    assert len(said(emu, ANNA, "Собираю цифры")) == 1  # no collection in between
    mark = emu.mark()
    await at(app, clock, DECEMBER_OPENING)
    month = plain(await emu.wait_for(ANNA, "Собираю цифры", after=mark))
    assert "за ноябрь 2026" in month and "ответить до пн, 7 дек., 09:30" in month


async def test_time_zone_change_keeps_the_deadline_instant_and_tells_the_members(emu, app, clock):
    await team_ready(emu, joiners=(ANNA, BORIS))
    await opened(emu, app, clock, ANNA, BORIS)
    intro = said(emu, ANNA, "Собираю цифры")[0]
    assert "ответить до пн, 30 нояб., 09:30" in plain(intro)
    mark = emu.mark()
    confirm = plain(await say(emu, LEAD, "/settings tz Asia/Vladivostok", chat_id=GROUP))
    assert "ответы до пн, 30 нояб., 16:30" in confirm  # the same instant, in the new zone
    assert "со следующего периода: 30 нояб. – 6 дек., сбор откроется пт, 4 дек., 15:00" in confirm
    for person in (ANNA, BORIS):
        notice = plain(await emu.wait_for(person, "часовой пояс", after=mark))
        assert "Asia/Vladivostok" in notice
        assert "пн, 30 нояб., 09:30 по старому времени — это пн, 30 нояб., 16:30 по новому" in (
            notice
        )

    # a zone where the deadline reads the same: the lead is told, the members are not
    mark = emu.mark()
    await say(emu, LEAD, "/settings tz Asia/Tokyo", chat_id=GROUP)  # 16:30 → 15:30: told
    await emu.wait_for(ANNA, "часовой пояс", after=mark)
    seoul = plain(await say(emu, LEAD, "/settings tz Asia/Seoul", chat_id=GROUP))  # as Tokyo
    assert "ответы до пн, 30 нояб., 15:30" in seoul
    await emu.wait_idle()
    assert len(said(emu, ANNA, "часовой пояс")) == 2  # Vladivostok and Tokyo, not Seoul

    await at(app, clock, datetime(2026, 11, 30, 2, 31, tzinfo=MSK))  # 09:31 in Vladivostok
    await emu.wait_idle()
    assert digests(emu, "23–29 нояб.") == []
    reply = await say(emu, ANNA, "150000")
    assert "Вопрос 2 из 5" in plain(reply)
    assert [a.late for a in await answer_rows(app, ANNA)] == [False]

    await at(app, clock, DEADLINE + timedelta(minutes=1))  # the kept instant
    await emu.wait_for(GROUP, "Итоги недели · 23–29 нояб.")
    assert len(digests(emu, "23–29 нояб.")) == 1


async def test_a_holiday_added_on_the_open_deadline_day_does_not_move_it(emu, app, clock):
    await team_ready(emu)
    await opened(emu, app, clock)
    marked = plain(await say(emu, LEAD, "/holiday 30.11", chat_id=GROUP))
    assert "Выходной команды: 30 нояб." in marked
    assert "Открытый сбор за 23–29 нояб. не переносится: ответы до пн, 30 нояб., 09:30" in marked
    assert "Планёрка переносится" not in marked
    await emu.wait_idle()
    assert said(emu, ANNA, "не переносится") == [] and said(emu, ANNA, "1 дек.") == []
    await at(app, clock, REMINDER)
    reminder = await emu.wait_for(ANNA, "Напоминание")
    assert "нужны до пн, 30 нояб., 09:30" in plain(reminder)
    await at(app, clock, DEADLINE + timedelta(minutes=1))
    await emu.wait_for(GROUP, "Итоги недели · 23–29 нояб.")


async def test_a_holiday_removed_mid_period_leaves_the_moved_deadline_as_announced(emu, app, clock):
    await team_ready(emu)
    marked = plain(await say(emu, LEAD, "/holiday 30.11", chat_id=GROUP))
    assert "Планёрка переносится: пн, 30 нояб., 10:00 → вт, 1 дек., 10:00." in marked
    await opened(emu, app, clock)
    assert "ответить до вт, 1 дек., 09:30" in plain(said(emu, ANNA, "Собираю цифры")[0])
    unmarked = plain(await say(emu, LEAD, "/holiday удалить 30.11", chat_id=GROUP))
    assert "Больше не выходной: 30 нояб." in unmarked
    assert "Открытый сбор за 23–29 нояб. не переносится: ответы до вт, 1 дек., 09:30" in unmarked
    await at(app, clock, REMINDER)
    await at(app, clock, DEADLINE + timedelta(minutes=1))
    await emu.wait_idle()
    assert said(emu, ANNA, "Напоминание") == [] and digests(emu, "23–29 нояб.") == []
    await at(app, clock, REMINDER + timedelta(days=1))
    await emu.wait_for(ANNA, "Напоминание")
    await at(app, clock, DEADLINE + timedelta(days=1, minutes=1))
    await emu.wait_for(GROUP, "Итоги недели · 23–29 нояб.")


async def test_the_leads_confirmation_says_when_the_next_collection_opens_in_english(
    emu, app, clock
):
    await team_ready(emu)
    await say(emu, LEAD, "/settings lang en", chat_id=GROUP)
    before = plain(await say(emu, LEAD, "/settings time 11:00", chat_id=GROUP))
    assert (
        "The new settings take effect from the next period: Nov 23–29, "
        "collection opens Fri, 27 Nov, 15:00." in before
    )
    assert "open collection" not in before  # none is open yet
    await opened(emu, app, clock)
    after = plain(await say(emu, LEAD, "/settings cadence biweekly", chat_id=GROUP))
    assert (
        "The open collection for Nov 23–29 keeps its schedule: answers are due by "
        "Mon, 30 Nov, 10:30." in after
    )
    assert "The new settings take effect from the next period:" in after
    language = plain(await say(emu, LEAD, "/settings lang ru", chat_id=GROUP))
    assert "со следующего периода" not in language  # the language moves no moment
