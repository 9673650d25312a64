"""Webhook mode: Telegram POSTs each update to WEBHOOK_URL; any number of replicas may serve it
behind a load balancer. The `X-Telegram-Bot-Api-Secret-Token` header is checked (401 without
it). An update is answered only after it was handled and committed, so if a replica dies
mid-update Telegram delivers it again — to a live replica — and the processed-updates table
makes it act once. The answer follows the failure rule (bot/failures.py): 200 for an update
handled, ignored or failed for good (logged), 503 only for a transient failure, and 200 with
one log line for a body that isn't an update at all (it would fail the same way again)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot import webapp
from bot.failures import Redeliver
from core.config import Settings

log = logging.getLogger(__name__)


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or one derived from the token (every replica derives the same)."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    assert settings.bot_token is not None
    seed = f"planerka-webhook:{settings.bot_token.get_secret_value()}"
    return hashlib.sha256(seed.encode()).hexdigest()


def webhook_path(settings: Settings) -> str:
    assert settings.webhook_url
    return urlsplit(settings.webhook_url).path or "/"


class RuleRequestHandler(SimpleRequestHandler):
    """aiogram's handler, answering by the failure rule: 503 only for `Redeliver`."""

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            raw = await request.json(loads=bot.session.json_loads)
            update = Update.model_validate(raw, context={"bot": bot})
        except (ValueError, ValidationError) as error:
            log.warning("webhook: a body that isn't an update, ignored: %s", str(error)[:200])
            return web.json_response({})
        try:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
        except Redeliver:
            return web.json_response({"ok": False}, status=503)
        method = result if isinstance(result, TelegramMethod) else None
        return web.Response(body=self._build_response_writer(bot=bot, result=method))


def build_web_app(dp: Dispatcher, bot: Bot, settings: Settings) -> web.Application:
    app = web.Application()
    handler = RuleRequestHandler(
        dp, bot, handle_in_background=False, secret_token=webhook_secret(settings)
    )
    app.router.add_post(webhook_path(settings), handler.handle)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", health)
    webapp.mount(app, dp["runtime"])  # the Mini App: the same server, under /app/
    return app


@dataclass
class WebhookServer:
    runner: web.AppRunner
    port: int

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve(dp: Dispatcher, bot: Bot, settings: Settings) -> WebhookServer:
    """Listen on WEBHOOK_HOST:WEBHOOK_PORT and register WEBHOOK_URL with Telegram."""
    assert settings.webhook_url
    runner = web.AppRunner(build_web_app(dp, bot, settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    port = runner.addresses[0][1]
    await bot.set_webhook(
        settings.webhook_url,
        secret_token=webhook_secret(settings),
        allowed_updates=dp.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    log.info(
        "webhook: listening on %s:%s for %s", settings.webhook_host, port, settings.webhook_url
    )
    return WebhookServer(runner, port)
