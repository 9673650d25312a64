"""The team's scorecard as a Telegram Mini App, served by the bot's own aiohttp server."""

from bot.webapp.server import WebAppServer, mount, serve

__all__ = ["WebAppServer", "mount", "serve"]
