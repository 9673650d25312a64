"""The Mini App's browser tests: Debian's Chromium via Playwright (demo/browser.py)."""

from __future__ import annotations

from bot.webapp import auth
from demo.browser import DARK, LIGHT, PHONE, chromium_present, launch

__all__ = ["DARK", "LIGHT", "PHONE", "app_url", "chromium_present", "launch"]


def app_url(base: str, init_data: str, theme: dict[str, str] = LIGHT) -> str:
    """The page as Telegram opens it: initData, version, platform and theme in the hash."""
    return auth.page_link(base, init_data, theme)
