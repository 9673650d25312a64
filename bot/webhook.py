"""Webhook mode: Telegram POSTs each update to WEBHOOK_URL; any number of replicas may serve it
behind a load balancer. The `X-Telegram-Bot-Api-Secret-Token` header is checked (401 without
it). An update is answered only after it was handled and committed, so if a replica dies
mid-update Telegram delivers it again — to a live replica — and the processed-updates table
makes it act once."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot import webapp
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


def build_web_app(dp: Dispatcher, bot: Bot, settings: Settings) -> web.Application:
    app = web.Application()
    handler = SimpleRequestHandler(
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
