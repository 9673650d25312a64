"""Team settings a lead can change: each name has a parser that validates a typed value.

A parser returns the value to store or raises UserError with a translation key (and
parameters) saying why the value was refused. Features add their own settings here.

The rhythm's settings (RHYTHM) take effect from the next period: a collection already opened
keeps its period, deadline and reminder (services/team/schedule.py); `effect` says which
collection is kept and when the first one under the new settings opens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import is_currency
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Checkin, Member, Team
from services.common.dates import weekday_index
from services.common.errors import UserError
from services.common.locales import SUPPORTED_LOCALES
from services.team import rhythm
from services.team.schedule import schedule_of

CADENCES = ("weekly", "biweekly", "monthly")
CURRENCY_CHOICES = ("RUB", "USD", "EUR", "KZT", "BYN", "UZS")
CHOICE_ERROR = "settings.error.choice"
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


@dataclass(frozen=True)
class Setting:
    name: str
    column: str
    parse: Callable[[str], Any]


def parse_time(text: str) -> str:
    match = TIME.match(text.strip())
    if not match:
        raise UserError("settings.error.time", value=text)
    return f"{int(match[1]):02d}:{match[2]}"


def parse_weekday(text: str) -> int:
    value = weekday_index(text)
    if value is None:
        if text.strip().isdigit() and 1 <= int(text) <= 7:
            return int(text) - 1
        raise UserError("settings.error.weekday", value=text)
    return value


def parse_timezone(text: str) -> str:
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
        raise UserError("settings.error.timezone", value=name) from exc
    return name


def parse_currency(text: str) -> str:
    code = text.strip().upper()
    if not is_currency(code):
        raise UserError("settings.error.currency", value=text)
    return code


def parse_choice(choices: tuple[str, ...], key: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in choices:
            raise UserError(key, value=text, choices=", ".join(choices))
        return value

    return parse


def parse_minutes(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = text.strip()
        if not value.isdigit() or not low <= int(value) <= high:
            raise UserError("settings.error.range", value=text, low=low, high=high)
        return int(value)

    return parse


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"on", "yes", "да", "вкл", "1", "group", "группа"}:
        return True
    if value in {"off", "no", "нет", "выкл", "0", "leads", "лидам"}:
        return False
    raise UserError("settings.error.bool", value=text)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("cadence", "cadence", parse_choice(CADENCES, CHOICE_ERROR)),
        Setting("day", "meeting_weekday", parse_weekday),
        Setting("time", "meeting_time", parse_time),
        Setting("tz", "timezone", parse_timezone),
        Setting("lang", "locale", parse_choice(SUPPORTED_LOCALES, CHOICE_ERROR)),
        Setting("currency", "currency", parse_currency),
        Setting("open_days", "collect_open_days_before", parse_minutes(0, 27)),
        Setting("open_time", "collect_open_time", parse_time),
        Setting("deadline", "deadline_minutes_before", parse_minutes(0, 24 * 60)),
        Setting("reminder", "reminder_minutes_before", parse_minutes(0, 7 * 24 * 60)),
        Setting("agenda", "agenda_minutes_before", parse_minutes(0, 24 * 60)),
        Setting("speaker", "speaker_seconds", parse_minutes(30, 3600)),
        Setting("holidays", "holiday_policy", parse_choice(("move", "skip"), CHOICE_ERROR)),
        Setting("monthly_group", "monthly_to_group", parse_bool),
    )
}


TOPIC = "topic"  # /settings topic: not a value but where the command is sent


def move_to_topic(team: Team, forum: bool, thread_id: int | None) -> bool:
    """In a forum supergroup, the team lives in the topic `thread_id` from now on (None:
    General); False if it already did. Refused outside a forum."""
    if not forum:
        raise UserError("settings.error.not_forum")
    if team.thread_id == thread_id:
        return False
    team.thread_id = thread_id
    return True


def apply(team: Team, name: str, text: str) -> Any:
    """Validate and store one setting; returns the stored value."""
    setting = SETTINGS.get(name.lower())
    if setting is None:
        raise UserError("settings.error.unknown", value=name, names=", ".join(SETTINGS))
    value = setting.parse(text)
    setattr(team, setting.column, value)
    return value


# Settings that move the rhythm's moments: they take effect from the next period.
RHYTHM = frozenset(
    {"cadence", "day", "time", "tz", "open_days", "open_time", "deadline", "reminder"}
    | {"agenda", "holidays"}
)
ASKED = ("in_progress", "editing")  # check-in states of members told the deadline, not done


def moves_rhythm(name: str) -> bool:
    setting = SETTINGS.get(name.lower())
    return setting is not None and setting.name in RHYTHM


@dataclass(frozen=True)
class Effect:
    """What a rhythm change means now: the open collection kept as it was opened (None when
    no collection is open, or its deadline has passed), and the first collection under the
    new settings."""

    kept: rhythm.Cycle | None
    upcoming: rhythm.Cycle


async def effect(session: AsyncSession, team: Team, now: datetime) -> Effect:
    schedule = await schedule_of(session, team)
    current = schedule.current(now)
    open_now = current in schedule.kept and now < current.deadline_at
    return Effect(current if open_now else None, schedule.upcoming(now))


async def told_deadline(session: AsyncSession, team: Team, cycle: rhythm.Cycle) -> list[Member]:
    """Active members who were told the cycle's deadline and haven't finished answering."""
    rows = await session.scalars(
        select(Member)
        .join(Checkin, Checkin.member_id == Member.id)
        .where(
            Member.team_id == team.id,
            Member.active.is_(True),
            Checkin.period_start == cycle.period.start,
            Checkin.state.in_(ASKED),
        )
        .order_by(Member.id)
    )
    return list(rows)
