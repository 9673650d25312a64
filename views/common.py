"""Text pieces several handlers show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.deep_linking import create_deep_link
from aiogram.utils.link import create_telegram_link
from pydantic import Field

import kpi
from models.tables import Member, Team, User
from services.common.errors import UserError
from views.i18n import Html, Translator, escape


class PickTeam(CallbackData, prefix="pt"):
    """A team picked for a private-chat command run by someone in several teams. Only these
    commands unpack (anything else is a stale button); the team is checked on the press."""

    command: Literal["summary", "export", "status"]
    team: int = Field(ge=1)


def team_picker(command: str, options: Sequence[Team], active_id: int | None, t: Translator):
    """«Вы в нескольких командах — о какой /summary?» with a button per team (• the last one
    chosen)."""
    rows = [
        [
            InlineKeyboardButton(
                text=("• " if team.id == active_id else "") + team.title[:64],
                callback_data=PickTeam(command=command, team=team.id).pack(),  # type: ignore[arg-type]
            )
        ]
        for team in options
    ]
    text = t("common.pick_team", command=command)
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def settings_text(team: Team, t: Translator) -> str:
    return t(
        "settings.summary",
        cadence=t(f"settings.cadence.{team.cadence}"),
        weekday=t.weekday(team.meeting_weekday),
        time=team.meeting_time,
        timezone=team.timezone,
        locale=t(f"settings.lang.{team.locale}"),
        currency=team.currency,
    )


def user_name(user: User) -> str:
    return escape(user.full_name or (f"@{user.username}" if user.username else str(user.id)))


def mention(user: User) -> str:
    return Html(f'<a href="tg://user?id={user.id}">{user_name(user)}</a>')


def role_title(code: str, t: Translator) -> str:
    try:
        return kpi.role(code).titles[t.locale]
    except KeyError:
        return code


def roles_text(member: Member, t: Translator) -> str:
    codes = member.role_codes
    return ", ".join(role_title(c, t) for c in codes) if codes else t("members.no_roles")


def reachability(user: User, t: Translator) -> str:
    if user.blocked:
        return t("members.blocked")
    if not user.started:
        return t("members.never_started")
    return t("members.reachable")


def bot_link(username: str, start: str | None = None) -> str:
    """t.me/<bot>, or the deep link that /start's the bot with `start` (aiogram's deep_linking)."""
    if start is None:
        return create_telegram_link(username)
    return create_deep_link(username, "start", start)


MESSAGE_LIMIT = 4096  # Telegram's longest message


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The one splitter of long texts into messages: cut between blocks (blank lines), else
    between lines, and a line longer than `limit` at the limit. Every line is self-contained
    HTML, so a cut between lines never splits a tag."""
    chunks: list[str] = []
    current = ""

    def flush() -> None:
        nonlocal current
        if current.strip():
            chunks.append(current)
        current = ""

    for block in text.split("\n\n"):
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        flush()
        for line in block.split("\n"):
            while len(line) > limit:
                flush()
                chunks.append(line[:limit])
                line = line[limit:]
            candidate = f"{current}\n{line}" if current else line
            if len(candidate) <= limit:
                current = candidate
            else:
                flush()
                current = line
    flush()
    return chunks


def error_text(error: UserError, t: Translator) -> str:
    """A refusal's text: its key with the params written for the reader (dates in the locale,
    with the year when the error says so); t escapes typed text and cuts it (views.i18n's
    one cut), then its hint's line."""
    skeleton = "yMMMd" if error.full_dates else "MMMd"
    params = {
        key: t.date(value, skeleton) if isinstance(value, date) else str(value)
        for key, value in error.params.items()
    }
    text = t(error.key, **params)
    return f"{text}\n\n{t(error.hint)}" if error.hint else text
