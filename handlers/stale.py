"""The last callback handler: a button no feature recognises (an old keyboard, or data made up
by hand — an unknown action, a non-number, an id out of range) is answered «кнопка устарела»,
so the press never spins and nothing is stored."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from views.i18n import Translator


async def stale_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t("common.stale_button"), show_alert=True)


def setup() -> Router:
    """The stale-button router, included last."""
    router = Router(name="stale")
    router.callback_query.register(stale_button)
    return router
