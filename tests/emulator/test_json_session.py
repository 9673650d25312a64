"""The bot's JsonSession against the emulator: calls go as one JSON body (typed values, nested
objects as objects), a call that uploads a file still goes as aiogram's multipart form data."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)

from bot.session import JsonSession
from tgemu import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"
ANNA = 101
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN, bot_username="planerka_bot", bot_name="Планёрка")
    await emulator.start()
    emulator.add_user(ANNA, "Анна", username="anna")
    emulator.send(ANNA, ANNA, "/start")
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    session = JsonSession(api=TelegramAPIServer.from_base(emu.api_url))
    tg_bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    yield tg_bot
    await (await tg_bot.session.create_session()).close()


async def test_a_call_goes_as_json(emu: TelegramEmulator, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]]
    )
    method = SendMessage(chat_id=ANNA, text="<b>Вопрос</b> 1", reply_markup=markup)
    assert isinstance(bot.session, JsonSession)
    body = bot.session.json_body(bot, method)
    assert body is not None
    # One JSON object with its types: a form sends "101" and the keyboard dumped on its own.
    assert json.loads(body) == {
        "chat_id": ANNA,
        "text": "<b>Вопрос</b> 1",
        "parse_mode": "HTML",  # the bot's default, filled in
        "reply_markup": {"inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]},
    }
    sent = await bot(method)
    name, params = emu.calls[-1]
    assert (name, params["chat_id"], params["parse_mode"]) == ("sendMessage", ANNA, "HTML")
    assert sent.text == "Вопрос 1"
    assert sent.reply_markup is not None
    button = sent.reply_markup.inline_keyboard[0][0]
    assert (button.text, button.callback_data) == ("Да", "yes")


async def test_an_upload_goes_as_form_data(emu: TelegramEmulator, bot: Bot) -> None:
    upload = SendDocument(
        chat_id=ANNA, document=BufferedInputFile(b"a;b\n1;2\n", filename="report.csv")
    )
    assert isinstance(bot.session, JsonSession)
    assert bot.session.json_body(bot, upload) is None  # a file: aiogram's form data
    await bot(upload)
    name, params = emu.calls[-1]
    assert (name, params["chat_id"]) == ("sendDocument", ANNA)
    key = params["document"].removeprefix("attach://")
    assert params[key] == {"filename": "report.csv", "size": 8}  # the part, uploaded
    album = [InputMediaPhoto(media=BufferedInputFile(PNG, filename=f"{n}.png")) for n in (1, 2)]
    sent = await bot.send_media_group(ANNA, album)
    assert len(sent) == 2 and all(message.photo for message in sent)
