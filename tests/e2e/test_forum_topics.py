"""Forum supergroups and the minutes that survive the bot's removal, through the emulator.

- The team lives in the topic where /setup was run: every group post goes there (agenda,
  digest and its album, speaker cards, minutes, task and join notices), wherever the command
  that caused it was sent; replies to a command stay where it was sent.
- `/settings topic` moves the team (to General when sent there).
- A deleted topic: the post goes to General with a notice, once, and the topic is forgotten.
- The bot removed mid-meeting: the 23:59 close sends the minutes to the leads in private and
  keeps them; the bot added back posts them to the group, once.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import BufferedInputFile, InputMediaPhoto
from sqlalchemy import select

from demo.scenario import join_team
from jobs import periodic_jobs
from jobs.loop import tick
from models.db import session_maker
from models.tables import Meeting, Team
from tests.support.app import UNPACED
from tests.support.digest import DEADLINE, MSK
from tests.support.meetings import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    ROLES,
    STRANGER,
    VERA,
    numbers,
    plain,
    press,
    say,
    team_ready,
)

BOT_SETTINGS = UNPACED
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
MIDNIGHT = datetime(2026, 11, 24, 0, 0, 30, tzinfo=MSK)  # the meeting's day (23.11) is over


def forum_people(emu) -> None:
    emu.add_user(LEAD, "Ольга", username="olga", language_code="ru")
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.add_user(BORIS, "Борис", username="boris", language_code="ru")
    emu.add_user(VERA, "Вера", username="vera", language_code="ru")
    emu.add_user(STRANGER, "Сергей", username="sergey", language_code="ru")
    emu.add_group(
        GROUP, "Маркетинг", creator=LEAD, members=[ANNA, BORIS, VERA, STRANGER], forum=True
    )


async def say_in(emu, user_id: int, topic: int | None, text: str, contains=None):
    """`user_id` writes in that topic of the group (None: General); the bot's next answer."""
    mark = emu.mark()
    emu.send(user_id, GROUP, text, thread_id=topic)
    return await emu.wait_for(GROUP, contains, after=mark, predicate=lambda m: m.seq > mark)


async def forum_team(emu) -> int:
    """The bot added to a forum; the lead runs /setup in the topic «Планёрка» (its id) and
    everyone joins (from General)."""
    forum_people(emu)
    mark = emu.mark()
    emu.add_bot_to_group(GROUP, LEAD)
    greeting = await emu.wait_for(GROUP, "/setup", after=mark)
    assert greeting.thread_id is None
    topic = emu.create_topic(GROUP, "Планёрка", LEAD)
    done = await say_in(emu, LEAD, topic, "/setup")
    assert "Команда подключена" in plain(done) and "живёт в этой теме" in plain(done)
    assert done.thread_id == topic
    for user_id in (ANNA, BORIS, VERA, LEAD):
        announce = await join_team(emu, GROUP, user_id, ROLES[user_id])
        assert "в команде" in plain(announce) and announce.thread_id == topic
    return topic


async def team_topic(app) -> int | None:
    async with session_maker(app.engine)() as s:
        return (await s.scalar(select(Team))).thread_id


def posts_since(emu, mark: int) -> list:
    return [m for m in emu.messages(GROUP, include_deleted=True) if m.seq > mark]


async def test_every_group_post_goes_to_the_teams_topic(emu, app, clock):
    topic = await forum_team(emu)
    assert await team_topic(app) == topic
    joins = [m for m in emu.messages(GROUP) if "в команде:" in plain(m)]
    assert len(joins) == 4 and all(m.thread_id == topic for m in joins)  # the join notices
    await numbers(app)

    # a reply stays where the command was sent
    other = emu.create_topic(GROUP, "Флуд", ANNA)
    status = await say_in(emu, ANNA, other, "/agenda", contains="Повестка")
    assert status.thread_id == other

    # the digest at the deadline, text and charts
    clock.set(DEADLINE)
    mark = emu.mark()
    await tick(app.runtime, periodic_jobs())
    await emu.wait_for(GROUP, "Итоги недели", after=mark)
    await emu.wait_idle()
    digest = posts_since(emu, mark)
    assert any(m.media_group_id or m.photos for m in digest)
    assert digest and all(m.thread_id == topic for m in digest)

    # the meeting started from General: agenda, cards, task prompt, minutes in the topic
    mark = emu.mark()
    card = await say_in(emu, LEAD, None, "/planerka", contains="Слово")
    assert card.thread_id == topic
    prompt = await say_in(emu, LEAD, None, "/agenda", contains="Повестка")
    assert prompt.thread_id is None  # the reply to General's /agenda
    ask = await press(emu, LEAD, card, "➕ Задача")
    assert ask.thread_id == topic
    created = await say(emu, LEAD, GROUP, "обновить минус-слова до пт", reply_to=ask)
    assert "Задача поставлена" in plain(created) and created.thread_id == topic
    minutes = await say_in(emu, LEAD, topic, "/end", contains="Протокол планёрки")
    assert minutes.thread_id == topic
    meeting_posts = [m for m in posts_since(emu, mark) if "Повестка" not in plain(m)]
    assert meeting_posts and all(m.thread_id == topic for m in meeting_posts)

    # the task done in private: the group's notice in the topic
    dm = next(m for m in emu.messages(ANNA) if "Вам задача" in plain(m))
    mark = emu.mark()
    emu.press(ANNA, dm, "✅ Готово")
    announce = await emu.wait_for(GROUP, "Задача выполнена", after=mark)
    assert announce.thread_id == topic


async def test_settings_topic_moves_the_team(emu, app):
    topic = await forum_team(emu)
    other = emu.create_topic(GROUP, "Маркетинг-планёрка", LEAD)

    refused = await say_in(emu, ANNA, other, "/settings topic")
    assert "только ведущие" in plain(refused)
    assert await team_topic(app) == topic

    moved = await say_in(emu, LEAD, other, "/settings topic")
    assert "живёт в этой теме" in plain(moved) and moved.thread_id == other
    assert await team_topic(app) == other
    assert "и так живёт здесь" in plain(await say_in(emu, LEAD, other, "/settings topic"))
    card = await say_in(emu, LEAD, topic, "/planerka", contains="Слово")
    assert card.thread_id == other

    general = await say_in(emu, LEAD, None, "/settings topic")
    assert "живёт в General" in plain(general) and general.thread_id is None
    assert await team_topic(app) is None
    minutes = await say_in(emu, LEAD, other, "/end", contains="Протокол планёрки")
    assert minutes.thread_id is None


async def test_settings_topic_outside_a_forum(emu, app):
    await team_ready(emu)
    refused = await say(emu, LEAD, GROUP, "/settings topic")
    assert "нет тем" in plain(refused)
    assert await team_topic(app) is None


async def test_a_deleted_topic_falls_back_to_general_with_a_notice(emu, app):
    topic = await forum_team(emu)
    emu.delete_topic(GROUP, topic)
    mark = emu.mark()
    card = await say_in(emu, LEAD, None, "/planerka", contains="Слово")
    assert card.thread_id is None
    posts = posts_since(emu, mark)
    notices = [m for m in posts if "Тема команды удалена" in plain(m)]
    assert len(notices) == 1 and notices[0].thread_id is None
    assert "/settings topic" in plain(notices[0]) and "<code>" not in plain(notices[0])
    assert notices[0].seq < card.seq
    assert all(m.thread_id is None for m in posts)
    await emu.wait_idle()
    assert await team_topic(app) is None
    # later posts go to General at once, with no second notice
    mark = emu.mark()
    minutes = await say_in(emu, LEAD, None, "/end", contains="Протокол планёрки")
    assert minutes.thread_id is None
    assert not [m for m in posts_since(emu, mark) if "Тема команды удалена" in plain(m)]


async def test_a_missing_topic_no_team_lives_in_goes_to_general_without_a_notice(emu, app):
    topic = await forum_team(emu)
    mark = emu.mark()
    sent = await app.runtime.bot.send_message(GROUP, "ответ", message_thread_id=topic + 1000)
    assert sent.message_thread_id is None
    assert [plain(m) for m in posts_since(emu, mark)] == ["ответ"]
    album = await app.runtime.bot.send_media_group(
        GROUP,
        [InputMediaPhoto(media=BufferedInputFile(PNG, f"{i}.png")) for i in range(2)],
        message_thread_id=topic + 1000,
    )
    assert [m.message_thread_id for m in album] == [None, None]
    assert await team_topic(app) == topic


async def test_minutes_reach_the_leads_and_the_group_once_when_the_bot_is_back(emu, app, clock):
    topic = await forum_team(emu)
    await say_in(emu, LEAD, None, "/planerka", contains="Слово")
    emu.remove_bot_from_group(GROUP, LEAD)
    await emu.wait_idle()

    clock.set(MIDNIGHT)
    mark = emu.mark()
    await tick(app.runtime)
    held = await emu.wait_for(LEAD, "меня удалили из группы", after=mark)
    assert "Протокол планёрки" in plain(held) and "Маркетинг" in plain(held)
    await emu.wait_idle()
    assert not [m for m in emu.messages(ANNA) if m.seq > mark]  # a specialist: not a lead
    async with session_maker(app.engine)() as s:
        meeting = await s.scalar(select(Meeting))
    assert meeting.status == "ended" and meeting.minutes_pending
    assert not [m for m in posts_since(emu, mark) if "Протокол планёрки" in plain(m)]

    mark = emu.mark()
    emu.add_bot_to_group(GROUP, LEAD)
    late = await emu.wait_for(GROUP, "не смог опубликовать", after=mark)
    assert "Протокол планёрки" in plain(late) and late.thread_id == topic
    await emu.wait_idle()
    async with session_maker(app.engine)() as s:
        assert not (await s.scalar(select(Meeting))).minutes_pending

    # removed and added back again: the minutes are not posted a second time
    emu.remove_bot_from_group(GROUP, LEAD)
    emu.add_bot_to_group(GROUP, LEAD)
    await emu.wait_for(GROUP, "снова с вами", after=mark, predicate=lambda m: m.seq > late.seq)
    await emu.wait_idle()
    again = [m for m in emu.messages(GROUP) if "не смог опубликовать" in plain(m)]
    assert again == [late]
