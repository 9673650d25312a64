"""The one error handler: a UserError raised anywhere under a handler is told to the person
(its translated reason; as an alert for a button), and nothing else happens."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from services.common.errors import UserError
from views.common import error_text
from views.i18n import Translator


async def refuse(event: ErrorEvent, t: Translator) -> bool:
    error = event.exception
    assert isinstance(error, UserError)
    text = error_text(error, t)
    if event.update.callback_query is not None:
        await event.update.callback_query.answer(text, show_alert=True)
    elif event.update.message is not None:
        await event.update.message.answer(text)
    return True


def setup() -> Router:
    """The error router (included first, so its handler sees every feature's refusals)."""
    router = Router(name="errors")
    router.errors.register(refuse, ExceptionTypeFilter(UserError))
    return router
