"""Debian's Chromium driven by Playwright (Playwright's own browser download isn't available
offline): for the demo's dashboard screenshots and the Mini App's browser tests."""

from __future__ import annotations

import importlib.util
import os
import shutil

CHROMIUM = os.environ.get("PLANERKA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
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
    return os.path.exists(CHROMIUM)


def available() -> bool:
    """Playwright installed (the dev dependencies) and a Chromium to drive."""
    return importlib.util.find_spec("playwright") is not None and chromium_present()


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
