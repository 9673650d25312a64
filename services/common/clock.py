"""Team-local time from an aware UTC instant (the clock itself is injected, never read here)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def team_now(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def team_today(now: datetime, timezone: str) -> date:
    return team_now(now, timezone).date()
