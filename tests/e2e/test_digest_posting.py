"""The digest in the group through the emulator: posted once at the deadline with its charts
as one album, never twice — across a restart, or by two replicas at once — and caught up
late after downtime within `catch_up_hours`, not after."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from demo.scenario import join_team, register_team
from jobs import digest as digest_job
from jobs import periodic_jobs
from jobs.loop import tick
from models.db import session_maker
from models.tables import Member, PostLog, Team
from tests.support.digest import DEADLINE, NUMBERS, WEEK, WEEK_BEFORE, put, quick_app

GROUP = -100700
LEAD, ANNA, BORIS = 1, 11, 12
TITLE = "Итоги недели · 16–22 нояб."


def people(emu) -> None:
    emu.add_user(LEAD, "Ольга", username="olga", language_code="ru")
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.add_user(BORIS, "Борис", username="boris", language_code="ru")
    emu.add_group(GROUP, "Маркетинг", creator=LEAD, members=[ANNA, BORIS])


async def team_with_numbers(emu, app) -> None:
    """Registered and joined through the bot; last two weeks' answers put in the database."""
    people(emu)
    await register_team(emu, GROUP, LEAD)
    await join_team(emu, GROUP, ANNA, ["context_ads_specialist"])
    await join_team(emu, GROUP, BORIS, ["targetologist"])
    async with session_maker(app.engine)() as s:
        members = {
            m.user_id: m for m in await s.scalars(select(Member).where(Member.user_id > LEAD))
        }
        for start in (WEEK, WEEK_BEFORE):
            await put(s, members[ANNA], start, NUMBERS[start]["anna"])
            await put(s, members[BORIS], start, NUMBERS[start]["boris"])
        await s.commit()


def digests_in(emu) -> list:
    return [m for m in emu.messages(GROUP) if m.plain and TITLE in m.plain]


def album(emu) -> list:
    return [m for m in emu.messages(GROUP) if m.media_group_id]


async def log_rows(app) -> list[PostLog]:
    async with session_maker(app.engine)() as s:
        return list(await s.scalars(select(PostLog).where(PostLog.kind == "digest")))


async def run_tick(app) -> None:
    await tick(app.runtime, periodic_jobs())


async def test_posted_once_at_the_deadline_and_not_again_after_a_restart(emu, database_url, clock):
    async with quick_app(emu, database_url, clock) as app:
        await team_with_numbers(emu, app)
        clock.set(DEADLINE - timedelta(minutes=1))
        await run_tick(app)
        await emu.wait_idle()
        assert digests_in(emu) == []
        clock.set(DEADLINE)
        mark = emu.mark()
        await run_tick(app)
        text = await emu.wait_for(GROUP, TITLE, after=mark)
        await emu.wait_idle()
        assert "с опозданием" not in text.plain
        assert "Отчитались: 2 из 2" in text.plain
        photos = album(emu)
        # trends, channels, funnel (no targets yet: no plan/fact picture), one album
        assert len(photos) == 3 and len({m.media_group_id for m in photos}) == 1
        assert all(m.photos and m.photos[0].startswith(b"\x89PNG") for m in photos)
        assert photos[0].seq > text.seq  # the text first, then the album
        await run_tick(app)  # a tick later: nothing new
        await emu.wait_idle()
    clock.set(DEADLINE + timedelta(minutes=20))
    async with quick_app(emu, database_url, clock) as app:  # restarted
        await run_tick(app)
        await emu.wait_idle()
        assert len(digests_in(emu)) == 1
        assert len(album(emu)) == 3
        rows = await log_rows(app)
        assert [(r.period_key, r.late) for r in rows] == [(WEEK.isoformat(), False)]
        assert rows[0].message_id == text.message_id


async def test_missed_while_down_it_is_posted_on_start_and_says_late(emu, database_url, clock):
    async with quick_app(emu, database_url, clock) as app:
        await team_with_numbers(emu, app)
    # the bot is down at 09:30 and comes back at 12:45
    clock.set(DEADLINE + timedelta(hours=3, minutes=15))
    async with quick_app(emu, database_url, clock) as app:
        mark = emu.mark()
        await run_tick(app)
        text = await emu.wait_for(GROUP, TITLE, after=mark)
        assert "⏰ С опозданием: бот был недоступен." in text.plain
        rows = await log_rows(app)
        assert [(r.period_key, r.late) for r in rows] == [(WEEK.isoformat(), True)]
        await run_tick(app)
        await emu.wait_idle()
        assert len(digests_in(emu)) == 1


async def test_past_the_catch_up_window_nothing_is_posted(emu, database_url, clock):
    async with quick_app(emu, database_url, clock) as app:
        await team_with_numbers(emu, app)
    clock.set(DEADLINE + timedelta(hours=12, minutes=1))  # catch_up_hours = 12
    async with quick_app(emu, database_url, clock) as app:
        await run_tick(app)
        await emu.wait_idle()
        assert digests_in(emu) == [] and album(emu) == []
        assert await log_rows(app) == []


async def test_two_replicas_at_once_post_it_once(emu, database_url, clock):
    async with quick_app(emu, database_url, clock) as app:
        await team_with_numbers(emu, app)
        clock.set(DEADLINE + timedelta(minutes=1))
        async with session_maker(app.engine)() as s:
            team_id = await s.scalar(select(Team.id).where(Team.chat_id == GROUP))
        now = app.runtime.now()
        results = await asyncio.gather(
            digest_job.post_due(app.runtime, team_id, now),
            digest_job.post_due(app.runtime, team_id, now),
        )
        await emu.wait_idle()
        assert sorted(results) == [False, True]
        assert len(digests_in(emu)) == 1 and len(album(emu)) == 3


async def test_a_paused_team_gets_no_digest(emu, database_url, clock):
    async with quick_app(emu, database_url, clock) as app:
        await team_with_numbers(emu, app)
        async with session_maker(app.engine)() as s:
            team = await s.scalar(select(Team).where(Team.chat_id == GROUP))
            team.paused = True
            await s.commit()
        clock.set(DEADLINE)
        await run_tick(app)
        await emu.wait_idle()
        assert digests_in(emu) == [] and await log_rows(app) == []
