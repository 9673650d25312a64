"""The private chat's menu button opens the Mini App when WEBAPP_URL is set."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import MenuButtonWebApp, WebAppInfo

from core.config import Settings
from views.i18n import I18n

log = logging.getLogger(__name__)


async def set_menu_button(bot: Bot, settings: Settings, i18n: I18n) -> None:
    """«📊 Дашборд» as every private chat's menu button; without WEBAPP_URL nothing is set."""
    if not settings.webapp_url:
        return
    t = i18n.get(None)
    button = MenuButtonWebApp(
        text=t("webapp.menu_button"), web_app=WebAppInfo(url=settings.webapp_url)
    )
    try:
        await bot.set_chat_menu_button(menu_button=button)
    except TelegramAPIError as error:  # the bot still works without it
        log.warning("webapp: the menu button wasn't set (%s)", error)
