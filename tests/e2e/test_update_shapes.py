"""Every update Telegram sends is handled or ignored cleanly (issue 14): the corpus of real
update shapes through the real webhook and through polling, a poison update, a transient
failure, and the failure rule's log lines."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message, Update
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select

from bot.webhook import webhook_secret
from demo.scenario import register_team
from models.db import session_maker
from models.tables import ProcessedUpdate, Team
from tests.e2e.test_webhook import webhook_settings
from tests.support import corpus as update_corpus
from tests.support.app import UNPACED, bot_running, make_settings
from tests.support.logs import problems
from tests.support.meetings import GROUP, LEAD, people
from tests.support.webhook import SECRET_HEADER, free_port

NEWCOMER = 4242


async def newcomer_gets_an_answer(emu) -> None:
    emu.add_user(NEWCOMER, "Новенький", username="newbie")
    mark = emu.mark()
    emu.send(NEWCOMER, NEWCOMER, "/start")
    answer = await emu.wait_for(NEWCOMER, after=mark, timeout=10)
    assert "Новенький" in answer.plain


async def set_up_team(emu) -> None:
    people(emu)
    await register_team(emu, GROUP, LEAD)
    await emu.wait_idle()


async def team_locale(app) -> str:
    async with session_maker(app.engine)() as s:
        return (await s.scalar(select(Team).where(Team.chat_id == GROUP))).locale


async def test_the_corpus_through_the_webhook_is_answered_2xx_without_a_traceback(
    emu, database_url, clock, caplog
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    settings = webhook_settings(emu, database_url, port, **UNPACED)
    url = f"http://127.0.0.1:{port}/telegram/hook"
    headers = {SECRET_HEADER: webhook_secret(settings)}
    async with (
        bot_running(emu, settings, clock=clock, tick_seconds=3600) as app,
        aiohttp.ClientSession() as http,
    ):

        async def post(body: Any) -> int:
            async with http.post(url, json=body, headers=headers) as response:
                return response.status

        async def push_queued() -> None:  # what people do in the emulator, as Telegram would
            for update in emu.queue.pending():
                assert await post(update) == 200
            emu.queue.drop_pending()

        people(emu)
        mark = emu.mark()
        emu.add_bot_to_group(GROUP, LEAD)
        await push_queued()
        await emu.wait_for(GROUP, "/setup", after=mark)
        emu.send(LEAD, GROUP, "/setup")
        await push_queued()
        await emu.wait_idle()
        caplog.clear()

        statuses = {}
        corpus = update_corpus.build(emu)
        for update_id, (_, kind, payload) in enumerate(corpus, 50_000):
            if kind not in update_corpus.UNKNOWN_TYPES:  # the shapes are what Telegram sends
                Update.model_validate({"update_id": update_id, kind: payload})
        for update_id, (name, kind, payload) in enumerate(corpus, 50_000):
            statuses[name] = await post({"update_id": update_id, kind: payload})
        await emu.wait_idle()
        assert {name: s for name, s in statuses.items() if s != 200} == {}
        assert len(statuses) >= 50
        # Bodies that aren't updates at all would fail the same way again: 200, one line.
        assert await post({"no": "update_id"}) == 200
        assert await post([1, 2, 3]) == 200
        assert problems(caplog) == []
        # The shapes changed nothing they shouldn't: the team's language is still Russian
        # (the settings presses came from inline/inaccessible messages), no meeting started.
        assert await team_locale(app) == "ru"
        assert not any("Планёрка началась" in (m.plain or "") for m in emu.messages(GROUP))
        # The greeting for an unknown group and the /help answers did go out.
        assert any("/setup" in (m.plain or "") for m in emu.messages(update_corpus.FORUM))

        emu.add_user(NEWCOMER, "Новенький", username="newbie")
        mark = emu.mark()
        emu.send(NEWCOMER, NEWCOMER, "/start")
        await push_queued()
        answer = await emu.wait_for(NEWCOMER, after=mark, timeout=10)
        assert "Новенький" in answer.plain
        assert problems(caplog) == []


async def test_the_corpus_through_polling_holds_up_nothing(emu, app, caplog) -> None:
    caplog.set_level(logging.INFO)
    await set_up_team(emu)
    caplog.clear()
    allowed = set(app.dispatcher.resolve_used_update_types())
    delivered = 0
    for _, kind, payload in update_corpus.build(emu):
        emu.queue.put(kind, payload)
        delivered += kind in allowed
    await emu.wait_idle(timeout=30)
    assert delivered >= 45  # the rest Telegram wouldn't send: the bot didn't ask for them
    assert emu.queue.unfetched == 0
    assert problems(caplog) == []
    assert await team_locale(app) == "ru"
    await newcomer_gets_an_answer(emu)
    assert problems(caplog) == []


def poison_router(failures: dict[str, Any]) -> Router:
    """A feature that fails: /poison always (a bug), /flaky with a transient error first."""
    router = Router(name="poison")

    @router.message(Command("poison"))
    async def poison(message: Message) -> None:
        failures["poison"] = failures.get("poison", 0) + 1
        raise RuntimeError("injected failure")

    @router.message(Command("flaky"))
    async def flaky(message: Message) -> None:
        failures["flaky"] = failures.get("flaky", 0) + 1
        if failures["flaky"] == 1:
            raise sa_exc.OperationalError(
                "SELECT 1", {}, ConnectionRefusedError("database unreachable")
            )
        await message.answer("flaky handled")

    return router


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.failures"]


async def test_a_poison_update_is_answered_2xx_logged_once_and_the_next_one_is_handled(
    emu, database_url, clock, caplog
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    settings = webhook_settings(emu, database_url, port)
    url = f"http://127.0.0.1:{port}/telegram/hook"
    headers = {SECRET_HEADER: webhook_secret(settings)}
    failures: dict[str, Any] = {}
    emu.add_user(501, "Ирина", username="irina")
    async with (
        bot_running(emu, settings, clock=clock, tick_seconds=3600) as app,
        aiohttp.ClientSession() as http,
    ):
        app.dispatcher.include_router(poison_router(failures))
        emu.send(501, 501, "/poison")
        emu.send(501, 501, "/help")
        poison, after = emu.queue.pending()[-2:]
        for update in (poison, after):
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        answer = await emu.wait_for(501, timeout=5)
        assert answer.plain
        assert failures == {"poison": 1}
        [line] = [r for r in failure_lines(caplog) if r.levelno == logging.ERROR]
        text = line.getMessage()
        assert f"update {poison['update_id']} " in text
        assert "chat=501" in text and "poison_router.<locals>.poison" in text
        assert "RuntimeError: injected failure" in text and "not delivered again" in text
        assert line.exc_info is not None  # a bug: its traceback, once

        # A transient failure asks Telegram to deliver it again: 503, then handled, once.
        emu.send(501, 501, "/flaky")
        flaky = emu.queue.pending()[-1]
        async with http.post(url, json=flaky, headers=headers) as response:
            assert response.status == 503
        async with http.post(url, json=flaky, headers=headers) as response:
            assert response.status == 200
        await emu.wait_for(501, "flaky handled", timeout=5)
        assert failures["flaky"] == 2
        [warning] = [r for r in failure_lines(caplog) if r.levelno == logging.WARNING]
        assert f"update {flaky['update_id']} " in warning.getMessage()
        assert "deliver it again" in warning.getMessage()
        async with session_maker(app.engine)() as s:
            seen = await s.scalar(
                select(func.count()).where(ProcessedUpdate.update_id == flaky["update_id"])
            )
        assert seen == 1

        # A replica shutting down mid-update: whatever fails now may succeed on a live one.
        app.dispatcher.stopping = True
        emu.send(501, 501, "/poison")
        late = emu.queue.pending()[-1]
        async with http.post(url, json=late, headers=headers) as response:
            assert response.status == 503
        assert failures["poison"] == 2
        app.dispatcher.stopping = False


async def test_polling_drops_a_poison_update_and_retries_a_transient_one(
    emu, database_url, clock, caplog
) -> None:
    caplog.set_level(logging.INFO)
    failures: dict[str, Any] = {}
    emu.add_user(501, "Ирина", username="irina")
    settings = make_settings(emu, database_url)
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as app:
        app.dispatcher.include_router(poison_router(failures))
        app.dispatcher.polling_backoff_s = 0.05
        emu.send(501, 501, "/poison")
        emu.send(501, 501, "/flaky")
        emu.send(501, 501, "/help")
        await emu.wait_for(501, "flaky handled", timeout=5)
        await emu.wait_idle()
        assert failures == {"poison": 1, "flaky": 2}
        assert len(emu.messages(501)) == 2  # the flaky answer and /help's
        errors = [r for r in failure_lines(caplog) if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "injected failure" in errors[0].getMessage()
        assert emu.queue.unfetched == 0
