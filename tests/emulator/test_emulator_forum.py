"""Forum supergroups in the emulator, driven by a real aiogram Bot: topics, messages in them,
sending into a topic, and Telegram's 400 for a topic that is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Update

from tgemu import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"
ANNA, BORIS = 101, 102
FORUM = -1002


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN, bot_username="planerka_bot", bot_name="Планёрка")
    await emulator.start()
    emulator.add_user(ANNA, "Анна")
    emulator.add_user(BORIS, "Борис")
    emulator.add_group(FORUM, "Маркетинг", creator=ANNA, members=[BORIS], forum=True)
    emulator.world.chat(FORUM).bot_status = "administrator"
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    bot = emu.make_bot()
    yield bot
    await (await bot.session.create_session()).close()


async def updates(bot: Bot) -> list[Update]:
    return await bot.get_updates(timeout=0)


async def test_a_forum_chat_and_a_message_in_a_topic(emu, bot):
    chat = await bot.get_chat(FORUM)
    assert chat.type == "supergroup" and chat.is_forum is True

    topic = emu.create_topic(FORUM, "Планёрка", ANNA)
    emu.send(BORIS, FORUM, "/status", thread_id=topic)
    emu.send(BORIS, FORUM, "в General")
    created, in_topic, in_general = [u.message for u in await updates(bot)]
    assert created.forum_topic_created.name == "Планёрка"
    assert created.message_thread_id == topic and created.is_topic_message
    assert in_topic.message_thread_id == topic and in_topic.is_topic_message is True
    assert in_general.message_thread_id is None and not in_general.is_topic_message

    # aiogram's answer() keeps the topic, as with the real Telegram
    answer = await in_topic.as_(bot).answer("ответ")
    assert answer.message_thread_id == topic and answer.is_topic_message
    assert emu.last(FORUM).thread_id == topic
    plain = await bot.send_message(FORUM, "в General")
    assert plain.message_thread_id is None and emu.last(FORUM).thread_id is None


async def test_a_reply_lands_in_the_replied_messages_topic(emu, bot):
    topic = emu.create_topic(FORUM, "Планёрка", ANNA)
    first = await bot.send_message(FORUM, "карточка", message_thread_id=topic)
    reply = emu.send(BORIS, FORUM, "ответ", reply_to=first.message_id)
    assert reply.thread_id == topic
    again = await bot.send_message(
        FORUM, "и ещё", reply_parameters={"message_id": reply.message_id}
    )
    assert again.message_thread_id == topic


async def test_a_deleted_topic_is_message_thread_not_found(emu, bot):
    topic = emu.create_topic(FORUM, "Планёрка", ANNA)
    posted = await bot.send_message(FORUM, "повестка", message_thread_id=topic)
    emu.delete_topic(FORUM, topic)
    assert emu.bot_message(FORUM, posted.message_id).deleted
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "ещё", message_thread_id=topic)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "никогда", message_thread_id=999)
    with pytest.raises(ValueError, match="no topic"):
        emu.send(BORIS, FORUM, "туда", thread_id=topic)


async def test_the_bot_creates_and_deletes_topics(emu, bot):
    topic = await bot.create_forum_topic(FORUM, "Итоги")
    sent = await bot.send_message(FORUM, "итоги", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    assert await bot.delete_forum_topic(FORUM, topic.message_thread_id) is True
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.delete_forum_topic(FORUM, topic.message_thread_id)
    emu.world.chat(FORUM).bot_status = "member"
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await bot.create_forum_topic(FORUM, "Ещё")


async def test_no_topics_outside_a_forum(emu, bot):
    emu.add_group(-1003, "Обычная", creator=ANNA, supergroup=True, with_bot=True)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(-1003, "туда", message_thread_id=5)
    with pytest.raises(TelegramBadRequest, match="not a forum"):
        await bot.create_forum_topic(-1003, "Тема")
    with pytest.raises(ValueError, match="not a forum"):
        emu.create_topic(-1003, "Тема", ANNA)
