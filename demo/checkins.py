"""The demo's check-ins: Friday 15:00 the collection opens and everyone gets their questions in
private chat. Дина is off on Friday (/away) and gets hers on Monday, when she's back; Анна
mistypes once (refused with the reason) and adds a digit (the sanity check asks "did you
mean…?"); Глеб and Вера answer; Борис answers two and stops, gets Monday's one reminder, and
finishes after the deadline (`late`, a stage of its own that runs after the digest); Ольга
checks /status on Saturday and before the meeting."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from jobs import periodic_jobs
from jobs.loop import tick
from models.tables import Answer, Member
from tgemu import SentMessage

if TYPE_CHECKING:
    from demo.run import Demo, Person

WAIT = 90.0  # the outgoing flood limits may hold a message back


async def _tick(demo: Demo, moment: datetime) -> None:
    demo.at(moment)
    await tick(demo.app.runtime, periodic_jobs())
    await demo.emu.wait_idle()


async def _said(demo: Demo, person: Person, text: str, chat_id: int | None = None) -> SentMessage:
    mark = demo.emu.mark()
    chat = person.user_id if chat_id is None else chat_id
    demo.emu.send(person.user_id, chat, text)
    return await demo.emu.wait_for(chat, after=mark, predicate=lambda m: m.seq > mark, timeout=WAIT)


async def _pressed(demo: Demo, person: Person, message: SentMessage, button: str) -> SentMessage:
    mark = demo.emu.mark()
    demo.emu.press(person.user_id, message, button)
    return await demo.emu.wait_for(
        message.chat_id, after=mark, predicate=lambda m: m.seq > mark, timeout=WAIT
    )


async def _last_week(demo: Demo, person: Person) -> dict[str, Decimal]:
    """The person's latest stored answers (the demo's history), to answer plausibly."""
    async with demo.app.runtime.sessionmaker() as session:
        rows = await session.execute(
            select(Answer.input_code, Answer.value)
            .join(Member, Member.id == Answer.member_id)
            .where(Member.user_id == person.user_id, Answer.value.is_not(None))
            .order_by(Answer.period_start)
        )
        return {code: value for code, value in rows}


def _typed(value: Decimal, code: str, growth: float = 1.04) -> str:
    """Last value a little grown, as a person types it: «12 480», «2,5»."""
    import kpi

    grown = value * Decimal(str(growth))
    if kpi.input_def(code).integer or grown >= 100:
        return f"{int(grown.to_integral_value()):,}".replace(",", " ")
    return f"{grown:.1f}".replace(".", ",")


def _code(question: SentMessage) -> str:
    """The input a question asks, from its title line («Вопрос 2 из 5 · Показы»)."""
    import kpi

    line = next(x for x in (question.plain or "").split("\n") if x.startswith("Вопрос "))
    title = line.split(" · ")[1]
    return next(i.code for i in kpi.all_inputs() if i.titles["ru"] == title)


async def _answer(
    demo: Demo, person: Person, question: SentMessage, count: int = 99
) -> SentMessage:
    """Answers up to `count` questions in turn with last week's numbers, a little grown."""
    last = await _last_week(demo, person)
    for _ in range(count):
        if "Вопрос" not in (question.plain or ""):
            break
        code = _code(question)
        value = last.get(code)
        if value is None:
            question = await _pressed(demo, person, question, "Нет данных")
        else:
            question = await _said(demo, person, _typed(value, code))
        if (question.plain or "").startswith(("⚠️", "🤔")):
            raise RuntimeError(f"the demo's answer was refused: {question.plain}")
    return question


async def checkins(demo: Demo) -> None:
    from demo.run import GROUP, MSK

    anna, boris, vera, gleb, dina = demo.team
    demo.say("Дина takes Friday off (a long weekend) and says so in private chat")
    demo.at(datetime(2026, 11, 20, 12, 30, tzinfo=MSK))
    await _said(demo, dina, "/away 20.11–22.11")

    demo.say("Friday 15:00: collection opens — everyone but Дина gets their questions in private")
    await _tick(demo, datetime(2026, 11, 20, 15, 0, tzinfo=MSK))
    first = {p.user_id: demo.emu.last(p.user_id) for p in (demo.lead, anna, boris, vera, gleb)}

    demo.say("Анна answers: one «как в прошлый раз», a typo, and a digit too many")
    question = await _pressed(demo, anna, first[anna.user_id], "Как в прошлый раз")
    last = await _last_week(demo, anna)
    meant = _typed(last[_code(question)], _code(question))
    question = await _said(demo, anna, meant.replace("0", "о", 1) if "0" in meant else meant + "о")
    question = await _said(demo, anna, meant)  # a Cyrillic «о» for a zero, then right
    clicks = last["clicks"] * 10
    doubt = await _said(demo, anna, f"{int(clicks):,}".replace(",", " "))
    question = await _pressed(demo, anna, doubt, doubt.buttons[0][0][0])
    card = await _answer(demo, anna, question)
    demo.say("Анна's card has her KPIs and the change on last week; she corrects one answer")
    fix = next(row for row in reversed(card.buttons) if row[0][1])  # not the web_app button
    question = await _pressed(demo, anna, card, fix[0][0])
    await _said(demo, anna, _typed(last[_code(question)], _code(question), 1.1))

    demo.say("Вера and Глеб answer all their questions")
    for person in (vera, gleb):
        await _answer(demo, person, first[person.user_id])

    demo.say("Борис answers two questions and gets pulled into a call")
    await _answer(demo, boris, first[boris.user_id], count=2)

    demo.at(datetime(2026, 11, 21, 10, 0, tzinfo=MSK))
    demo.say("Saturday: Ольга checks who has reported — Дина shows as away, not missing")
    await _said(demo, demo.lead, "/status", GROUP)

    demo.say("Monday 07:30: one reminder to those who haven't finished; Дина, back, is asked now")
    await _tick(demo, datetime(2026, 11, 23, 7, 30, tzinfo=MSK))
    await _tick(demo, datetime(2026, 11, 23, 8, 0, tzinfo=MSK))  # no second reminder

    demo.say("09:00: Ольга checks /status again before the meeting")
    demo.at(datetime(2026, 11, 23, 9, 0, tzinfo=MSK))
    await _said(demo, demo.lead, "/status", GROUP)


async def late(demo: Demo) -> None:
    """After the deadline Борис finishes: accepted, marked late, counted in the summaries."""
    from demo.run import GROUP, MSK

    boris = demo.team[1]
    demo.at(datetime(2026, 11, 23, 9, 40, tzinfo=MSK))
    demo.say("09:40, after the deadline: Борис finishes his numbers with /report")
    question = await _said(demo, boris, "/report")
    await _answer(demo, boris, question)
    await _said(demo, demo.lead, "/status", GROUP)
