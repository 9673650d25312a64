"""/summary through the bot: the team's in the group, one's own with the card in private chat,
a chosen period, and the refusals."""

from __future__ import annotations

from sqlalchemy import select

from demo.scenario import join_team, register_team
from models.db import session_maker
from models.tables import Member
from tests.support.digest import NOW, NUMBERS, WEEK, WEEK_BEFORE, put, quick_app
from tests.support.text import spaces

GROUP = -101100
LEAD, ANNA, BORIS, STRANGER = 1, 11, 12, 99


async def test_summary_in_the_group_and_in_private(emu, database_url, clock):
    emu.add_user(LEAD, "Ольга", username="olga", language_code="ru")
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.add_user(BORIS, "Борис", username="boris", language_code="en")
    emu.add_user(STRANGER, "Сергей", username="sergey", language_code="ru")
    emu.add_group(GROUP, "Маркетинг", creator=LEAD, members=[ANNA, BORIS, STRANGER])
    async with quick_app(emu, database_url, clock) as app:
        await register_team(emu, GROUP, LEAD)
        await join_team(emu, GROUP, ANNA, ["context_ads_specialist"])
        await join_team(emu, GROUP, BORIS, ["targetologist"], locale="en")
        async with session_maker(app.engine)() as s:
            members = {m.user_id: m for m in await s.scalars(select(Member))}
            for start in (WEEK, WEEK_BEFORE):
                await put(s, members[ANNA], start, NUMBERS[start]["anna"])
            await put(s, members[BORIS], WEEK_BEFORE, NUMBERS[WEEK_BEFORE]["boris"])
            await s.commit()

        async def say(user_id: int, text: str, chat_id: int | None = None):
            chat = chat_id or user_id
            mark = emu.mark()
            emu.send(user_id, chat, text)
            found = await emu.wait_for(chat, after=mark)
            await emu.wait_idle()
            return found, [m for m in emu.messages(chat) if m.seq > mark]

        before, _ = await say(STRANGER, "/summary", GROUP)  # Mon 08:00: 16–22 isn't closed yet
        assert "· 9–15 нояб." in spaces(before.plain)
        clock.set(NOW)  # Mon 12:00: the collection of 16–22 Nov closed at 09:30
        team, _ = await say(STRANGER, "/summary", GROUP)
        text = spaces(team.plain)
        assert text.startswith("📊 Сводка команды «Маркетинг» · 16–22 нояб.")
        assert "Отчитались: 1 из 2 · нет ответа: Борис" in text
        # Анна alone: 1000 clicks / 50000 impressions = 2 %; the week before 1000 / 40000 = 2,5 %:
        # 20 % worse, no plan: at risk
        assert "⚠️ CTR (click-through rate): 2 % · ▼ 0,5 п.п." in text
        assert "Таргетолог · 1 человек\n▫️ нет данных за период" in text

        earlier, _ = await say(LEAD, "/summary 10.11", GROUP)
        assert "· 9–15 нояб." in spaces(earlier.plain)
        assert "CPM (cost per mille): 100 ₽" in spaces(earlier.plain)  # 8000 / 80000 × 1000
        refusal, _ = await say(LEAD, "/summary 31.02", GROUP)
        assert "«31.02» — не дата" in refusal.plain
        future, _ = await say(LEAD, "/summary 01.12.2026", GROUP)
        assert "ещё не наступило" in future.plain

        mark = emu.mark()
        own, _ = await say(ANNA, "/summary")
        assert spaces(own.plain).startswith("📊 Ваши KPI · «Маркетинг» · 16–22 нояб.")
        assert "Общий объем продаж через контекстную рекламу: 60 000 ₽ · ▲ 20 %" in spaces(
            own.plain
        )
        card = await emu.wait_for(ANNA, predicate=lambda m: bool(m.photos), after=mark)
        assert card.photos[0].startswith(b"\x89PNG") and card.seq > own.seq

        english, _ = await say(BORIS, "/summary")
        assert "Your KPIs" in english.plain
        assert "You haven't sent your numbers for this period yet" in english.plain

        stranger, _ = await say(STRANGER, "/summary")
        assert "Не знаю, о какой команде речь" in stranger.plain
