"""The Mini App's entry points in chats: a web_app button in private chat (under /summary and
the check-in's end card), a direct t.me/<bot>/<app>?startapp=<team> link in the group (under
the digest, the agenda and the minutes), because web_app buttons work only in private chats.
Nothing when WEBAPP_URL isn't set."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from views.i18n import Translator


def direct_link(bot_username: str, app_name: str, team_id: int) -> str:
    """The Mini App's direct link; Telegram opens it with start_param = the team's id."""
    return f"https://t.me/{bot_username}/{app_name}?startapp={team_id}"


def private_button(webapp_url: str | None, t: Translator) -> InlineKeyboardButton | None:
    if not webapp_url:
        return None
    return InlineKeyboardButton(text=t("webapp.button"), web_app=WebAppInfo(url=webapp_url))


def with_private_button(
    markup: InlineKeyboardMarkup | None, webapp_url: str | None, t: Translator
) -> InlineKeyboardMarkup | None:
    """The keyboard with «📊 Дашборд» as its last row (or that button alone)."""
    button = private_button(webapp_url, t)
    if button is None:
        return markup
    rows = list(markup.inline_keyboard) if markup is not None else []
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [button]])


def group_link(
    webapp_url: str | None, app_name: str, bot_username: str, team_id: int, t: Translator
) -> InlineKeyboardMarkup | None:
    if not webapp_url or not bot_username:
        return None
    url = direct_link(bot_username, app_name, team_id)
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t("webapp.link"), url=url)]]
    )
