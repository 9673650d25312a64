"""Assembling and running the bot: engine, Bot, Dispatcher, middlewares, planner."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import set_commands_in_background
from bot.failures import RuleDispatcher
from bot.middlewares import (
    ContextMiddleware,
    DbSessionMiddleware,
    InFlightMiddleware,
    PerSenderOrderMiddleware,
)
from bot.webapp import WebAppServer
from bot.webapp import serve as serve_webapp
from bot.webapp.menu import set_menu_button
from bot.webhook import WebhookServer
from bot.webhook import serve as serve_webhook
from core.charts import ChartRenderer
from core.config import OFFICIAL_API_URL, Settings
from core.delivery import install as install_delivery
from core.runtime import Runtime, system_clock
from handlers import get_routers
from handlers.common.guards import TeamGuard
from handlers.common.senders import (
    AnonymousAdminGuard,
    PressedMessageMiddleware,
    SenderMiddleware,
)
from jobs import periodic_jobs
from jobs.engine import Engine, make_broker
from jobs.loop import Planner
from models.db import create_engine, migrate, session_maker
from views.i18n import I18n

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """A setting that makes the bot unable to start; the message names it."""


def build_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise StartupError("BOT_TOKEN is not set")
    api = settings.telegram_api_url.rstrip("/")
    timeout = settings.delivery_timeout_s
    if api == OFFICIAL_API_URL:
        session = AiohttpSession(timeout=timeout)
    else:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api), timeout=timeout)
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def build_dispatcher(runtime: Runtime, storage: BaseStorage) -> RuleDispatcher:
    dp = RuleDispatcher(
        storage=storage,
        runtime=runtime,
        i18n=runtime.i18n,
        settings=runtime.settings,
        redeliver=bool(runtime.settings.webhook_url),
    )
    dp.update.outer_middleware(InFlightMiddleware())
    dp.update.outer_middleware(PerSenderOrderMiddleware())
    dp.update.outer_middleware(DbSessionMiddleware(runtime.sessionmaker))
    dp.update.outer_middleware(ContextMiddleware(runtime.i18n))
    dp.message.outer_middleware(SenderMiddleware())
    dp.message.middleware(AnonymousAdminGuard())
    dp.callback_query.outer_middleware(PressedMessageMiddleware())
    guard = TeamGuard()
    dp.message.middleware(guard)
    dp.callback_query.middleware(guard)
    dp.include_routers(*get_routers())
    return dp


async def open_database(settings: Settings) -> AsyncEngine:
    try:
        engine = create_engine(settings.database_url)
        await migrate(engine)
    except Exception as error:
        raise StartupError(f"DATABASE_URL: the database can't be opened ({error})") from error
    return engine


@dataclass
class App:
    runtime: Runtime
    dispatcher: RuleDispatcher
    engine: AsyncEngine
    planner: Planner
    webhook: WebhookServer | None = None
    # Start-up's extras, set in the background and cancelled on stop: the command menu, then
    # the Mini App's menu button (bot.commands.set_commands_in_background).
    extras: asyncio.Task | None = None
    webapp: WebAppServer | None = None  # polling mode's Mini App server (WEBAPP_PORT)

    def busy(self) -> bool:
        """Whether an update is being handled right now."""
        middlewares = self.dispatcher.update.outer_middleware
        return any(m.count for m in middlewares if isinstance(m, InFlightMiddleware))


@contextlib.asynccontextmanager
async def running(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = system_clock,
    tick_seconds: float = 30,
    polling: bool = True,
) -> AsyncIterator[App]:
    """The whole bot, started; stopped cleanly on exit."""
    engine = await open_database(settings)
    bot = build_bot(settings)
    delivery = install_delivery(bot, settings, session_maker(engine))
    try:
        try:
            me = await bot.get_me()
        except Exception as error:
            raise StartupError(f"BOT_TOKEN: Telegram did not accept the token ({error})") from error
        i18n = I18n(settings.default_locale)
        runtime = Runtime(
            bot=bot,
            sessionmaker=session_maker(engine),
            i18n=i18n,
            settings=settings,
            bot_username=me.username or "",
            clock=clock,
        )
        storage = build_storage(settings)
        dp = build_dispatcher(runtime, storage)
        # Start-up never waits on extras: the command menu and the Mini App's menu button.
        extras = set_commands_in_background(
            bot, i18n, functools.partial(set_menu_button, bot, settings, i18n)
        )
        if settings.broker_url:
            runtime.engine = await start_engine(runtime, settings)
        planner = Planner(runtime, periodic_jobs(), interval=tick_seconds)
        planner.start()
        app = App(runtime=runtime, dispatcher=dp, engine=engine, planner=planner, extras=extras)
        task = None
        if settings.webhook_url:
            app.webhook = await serve_webhook(dp, bot, settings)
        elif settings.webapp_port is not None:
            app.webapp = await serve_webapp(runtime, settings.webapp_host, settings.webapp_port)
        if not settings.webhook_url and polling:
            await bot.delete_webhook(drop_pending_updates=False)
            task = asyncio.create_task(
                dp.start_polling(bot, handle_signals=False, close_bot_session=False)
            )
        try:
            yield app
        finally:
            dp.stopping = True  # what fails from now on may succeed on a live replica
            extras.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await extras
            planner.shutdown()
            if runtime.engine is not None:
                await runtime.engine.stop()
            runtime.charts.close()
            if app.webhook is not None:
                await app.webhook.stop()
            if app.webapp is not None:
                await app.webapp.stop()
            if task is not None:
                try:
                    await dp.stop_polling()
                except RuntimeError:  # stopped before polling began: nothing to drain
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await storage.close()
    finally:
        await delivery.flush()
        await bot.session.close()
        await engine.dispose()


async def start_engine(runtime: Runtime, settings: Settings) -> Engine:
    """The task engine on the configured broker, taking tasks in this process too."""
    broker = make_broker(
        settings.broker_url, idle_seconds=settings.broker_idle_seconds, queue=settings.broker_queue
    )
    engine = Engine(runtime, broker, concurrency=settings.worker_tasks)
    await engine.start(work=True)
    return engine


@contextlib.asynccontextmanager
async def working(
    settings: Settings, *, clock: Callable[[], datetime] = system_clock
) -> AsyncIterator[Runtime]:
    """A worker: takes due work from the broker (no updates, no planner tick)."""
    if not settings.broker_url:
        raise StartupError("BROKER_URL is not set: a worker takes its tasks from a broker")
    engine = await open_database(settings)
    bot = build_bot(settings)
    delivery = install_delivery(bot, settings, session_maker(engine))
    runtime = Runtime(
        bot=bot,
        sessionmaker=session_maker(engine),
        i18n=I18n(settings.default_locale),
        settings=settings,
        clock=clock,
        charts=ChartRenderer(0),  # no updates here: charts in a thread, one worker one core
    )
    try:
        runtime.engine = await start_engine(runtime, settings)
        try:
            yield runtime
        finally:
            await runtime.engine.stop()
            runtime.charts.close()
    finally:
        await delivery.flush()
        await bot.session.close()
        await engine.dispose()


async def until_stopped() -> None:
    """Until SIGTERM or SIGINT: the caller's `async with` then closes everything in order (the
    tasks in hand finish or go back to the broker, sends are flushed, chart processes end)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    log.info("stopping")


async def work_forever(settings: Settings) -> None:
    async with working(settings):
        log.info("planerka worker is taking tasks from %s", settings.broker_queue)
        await until_stopped()


async def run_forever(settings: Settings) -> None:
    async with running(settings) as app:
        log.info("planerka is running as @%s", app.runtime.bot_username)
        await until_stopped()
