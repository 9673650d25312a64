"""The demo's planerka: Monday's prepared agenda, the meeting with everyone speaking in turn,
tasks with owners and deadlines, the minutes, and the week's tracking (reminders, «готово»,
a new deadline, /tasks, the agenda reporting the tasks) — all through the real bot."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from jobs import periodic_jobs
from jobs.loop import tick
from tgemu import SentMessage

if TYPE_CHECKING:
    from demo.run import Demo

GROUP_WAIT = 90.0  # the group's flood limit (20 a minute) may hold a message back


async def _tick(demo: Demo, moment: datetime) -> None:
    demo.at(moment)
    await tick(demo.app.runtime, periodic_jobs())
    await demo.emu.wait_idle()


async def _said(
    demo: Demo,
    user_id: int,
    chat_id: int,
    text: str,
    contains: str | None = None,
    reply_to: SentMessage | int | None = None,
) -> SentMessage:
    mark = demo.emu.mark()
    demo.emu.send(user_id, chat_id, text, reply_to=reply_to)
    return await demo.emu.wait_for(
        chat_id, contains, after=mark, predicate=lambda m: m.seq > mark, timeout=GROUP_WAIT
    )


async def _pressed(
    demo: Demo,
    user_id: int,
    message: SentMessage,
    button: str,
    contains: str | None = None,
    chat_id: int | None = None,
) -> SentMessage:
    mark = demo.emu.mark()
    demo.emu.press(user_id, message, button)
    return await demo.emu.wait_for(
        chat_id or message.chat_id,
        contains,
        after=mark,
        predicate=lambda m: m.seq > mark,
        timeout=GROUP_WAIT,
    )


def _task_button(card: SentMessage) -> str:
    """The «➕ Задача: <KPI>» of an off-track KPI if the card has one, else the plain one."""
    labels = card.button_texts()
    return next((b for b in labels if b.startswith("➕ Задача:")), "➕ Задача")


async def meeting(demo: Demo) -> None:
    from demo.run import GROUP, MSK

    emu = demo.emu
    lead = demo.lead.user_id
    anna, boris, vera, gleb, dina = (p.user_id for p in demo.team)

    demo.say("Monday 09:45: the planner posts the prepared agenda to the group")
    await _tick(demo, datetime(2026, 11, 23, 9, 45, tzinfo=MSK))

    demo.say("10:00 — Ольга starts the planerka; the floor goes to each member in turn")
    demo.at(datetime(2026, 11, 23, 10, 0, tzinfo=MSK))
    card = await _said(demo, lead, GROUP, "/planerka", contains="Слово")

    demo.say("Анна speaks; Ольга turns an off-track KPI on her card into a task")
    emu.send(anna, GROUP, "CTR просел после смены креативов — откатываю и тестирую два новых.")
    prompt = await _pressed(demo, lead, card, _task_button(card), contains="Новая задача")
    task = "вернуть CTR к прошлому уровню: A/B двух креативов до пт"
    await _said(demo, lead, GROUP, task, reply_to=prompt)
    demo.at(datetime(2026, 11, 23, 10, 3, tzinfo=MSK))
    card = await _pressed(demo, anna, card, "Дальше ▶", contains="Слово")

    demo.say("Борис gets a task with /task @user … до <date>; a task without a deadline is refused")
    await _said(demo, lead, GROUP, "/task @boris_target разобрать дорогие связки")
    await _said(demo, lead, GROUP, "/task @boris_target разобрать дорогие связки до 25.11")
    demo.at(datetime(2026, 11, 23, 10, 6, tzinfo=MSK))
    card = await _pressed(demo, lead, card, "Дальше ▶", contains="Слово")

    demo.say("Вера runs over her time box: one gentle nudge from the planner")
    emu.send(vera, GROUP, "По охвату рост, вовлечённость держится; в декабре — конкурс.")
    await _tick(demo, datetime(2026, 11, 23, 10, 9, 30, tzinfo=MSK))
    card = await _pressed(demo, vera, card, "Дальше ▶", contains="Слово")

    if "Глеб" in (card.plain or ""):
        demo.say("Глеб isn't ready: Ольга skips him (the minutes will say so)")
        demo.at(datetime(2026, 11, 23, 10, 11, tzinfo=MSK))
        card = await _pressed(demo, lead, card, "Пропустить ⏭", contains="Слово")

    demo.say("Дина speaks; Ольга replies /task to her message — the owner is Дина")
    said = emu.send(dina, GROUP, "Запущу реактивационную цепочку для спящих подписчиков.")
    await _said(demo, lead, GROUP, "/task реактивационная цепочка через 3 дня", reply_to=said)
    demo.at(datetime(2026, 11, 23, 10, 15, tzinfo=MSK))
    card = await _pressed(demo, dina, card, "Дальше ▶", contains="Слово")

    demo.say("Ольга sums up last, then ends the meeting: the minutes are posted and stored")
    demo.at(datetime(2026, 11, 23, 10, 20, tzinfo=MSK))
    closing = await _pressed(demo, lead, card, "Дальше ▶", contains="Все выступили")
    await _pressed(demo, lead, closing, "🏁 Завершить планёрку", contains="Протокол")

    demo.say("Wednesday 09:00: Борис's task is due today — a reminder in private chat")
    await _tick(demo, datetime(2026, 11, 25, 9, 0, tzinfo=MSK))
    demo.say("Борис asks for more time: «🗓 Новый срок» → «пн»")
    reminder = emu.last(boris)
    if reminder is not None and "Новый срок" in " ".join(reminder.button_texts()):
        await _pressed(demo, boris, reminder, "🗓 Новый срок", contains="Новый срок")
        await _said(demo, boris, boris, "пн", contains="Срок перенесён")

    demo.say("Friday 09:00: Анна's task is due today, Дина's is overdue — reminders in private")
    await _tick(demo, datetime(2026, 11, 27, 9, 0, tzinfo=MSK))
    demo.say("Анна marks hers done from the reminder; the group sees it")
    reminder = emu.last(anna)
    if reminder is not None and "✅ Готово" in reminder.button_texts():
        demo.at(datetime(2026, 11, 27, 11, 0, tzinfo=MSK))
        done = "Задача выполнена"
        await _pressed(demo, anna, reminder, "✅ Готово", contains=done, chat_id=GROUP)

    demo.say("Friday 12:00: /tasks in private and in the group; /agenda reports the tasks")
    await _tick(demo, datetime(2026, 11, 27, 12, 0, tzinfo=MSK))
    await _said(demo, dina, dina, "/tasks")
    await _said(demo, gleb, GROUP, "/tasks")
    await _said(demo, lead, GROUP, "/agenda")
