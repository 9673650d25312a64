"""Debian's Chromium driven by Playwright (its own browser download isn't available here)."""

from __future__ import annotations

import json
import os
import shutil
from urllib.parse import quote

CHROMIUM = os.environ.get("PLANERKA_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
DARK = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
}


def chromium_present() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


def app_url(base: str, init_data: str, theme: dict[str, str] = LIGHT) -> str:
    """The page as Telegram opens it: initData, version, platform and theme in the hash."""
    fields = {
        "tgWebAppData": init_data,
        "tgWebAppVersion": "8.0",
        "tgWebAppPlatform": "web",
        "tgWebAppThemeParams": json.dumps(theme, separators=(",", ":")),
    }
    return base + "#" + "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items())


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
