"""`planerka digest --chat <group id> --out DIR [--period YYYY-MM-DD]`: the digest previewed
without sending — its text (digest.txt, plain) and chart PNGs written to DIR. Runs against
DATABASE_URL alone: no BOT_TOKEN, no Telegram."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from views import summary as summary_view

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.config import Settings
    from kpi import Period
    from models.tables import Team
    from views.i18n import I18n


class NoTeam(LookupError):
    pass


async def write_preview(
    session: AsyncSession, team: Team, period: Period, i18n: I18n, *, now: datetime, out: Path
) -> list[Path]:
    """digest.txt and the PNGs in `out` (created; PNGs left there from before are removed)."""
    from views import digest as digests

    t = i18n.get(team.locale)
    digest = await digests.compose(session, team, period, t, now=now)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    text = out / "digest.txt"
    text.write_text(summary_view.plain(digest.text) + "\n", encoding="utf-8")
    written = [text]
    for name, png in digest.images:
        path = out / name
        path.write_bytes(png)
        written.append(path)
    return written


async def preview(
    settings: Settings, chat_id: int, out: Path, day: date | None, now: datetime
) -> list[Path]:
    from bot.app import open_database
    from models.db import session_maker
    from services.reports import summary as sm
    from services.team import rhythm, teams
    from views.i18n import I18n

    engine = await open_database(settings)
    try:
        async with session_maker(engine)() as session:
            team = await teams.by_chat(session, chat_id)
            if team is None:
                raise NoTeam(chat_id)
            if day is None:
                period = await sm.due_period_now(session, team, now)
            else:
                period = rhythm.period_of(team, day)
            return await write_preview(
                session, team, period, I18n(settings.default_locale), now=now, out=out
            )
    finally:
        await engine.dispose()


def add_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "digest", help="write a team's digest (text and charts) to a folder without sending it"
    )
    cmd.add_argument("--chat", type=int, required=True, help="the team group's chat id")
    cmd.add_argument("--out", required=True, help="folder for digest.txt and the PNGs")
    cmd.add_argument(
        "--period",
        type=date.fromisoformat,
        help="a day inside the period, YYYY-MM-DD (default: the last closed period)",
    )


def run(settings: Settings, args: argparse.Namespace, fail: Callable[[str], int]) -> int:
    from core.runtime import system_clock

    try:
        written = asyncio.run(
            preview(settings, args.chat, Path(args.out), args.period, system_clock())
        )
    except NoTeam:
        return fail(f"no team is registered for chat {args.chat} (run /setup in that group)")
    for path in written:
        print(path)
    return 0
