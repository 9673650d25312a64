"""What the delivery benchmarks share: a team of N members written straight into the
database, emulated people who answer each question as soon as it arrives, and readers of what
was delivered and stored."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from models.db import create_engine, migrate, normalize_database_url, session_maker
from models.tables import Answer, Member, MemberRole, Team, User
from tgemu import Event, TelegramEmulator

MSK = ZoneInfo("Europe/Moscow")
TOKEN = "123456:BENCH-TOKEN-planerka"
GROUP = -100900
WEEK = date(2026, 11, 23)
OPENS = datetime(2026, 11, 27, 15, 1, tzinfo=MSK)  # the week's collection has just opened
ROLE = "context_ads_specialist"
# The role's five questions in order, with values that pass the sanity checks.
VALUES = ["150000", "12000", "600", "30", "450000"]
QUESTION = re.compile(r"Вопрос (\d+) из 5")
INTRO = "Собираю цифры"
DONE = "сохранены"


@contextlib.asynccontextmanager
async def fresh_database(
    workdir: Path, name: str, server: str | None = None, *, driver: str = "sqlite"
) -> AsyncIterator[str]:
    """An empty database: an SQLite file in `workdir` (`driver`: "sqlite" or "sqlite+aiosqlite"),
    or, on the PostgreSQL `server` (default: PLANERKA_BENCH_DATABASE_URL, when set), a new
    database there, dropped afterwards."""
    server = server or os.environ.get("PLANERKA_BENCH_DATABASE_URL")
    if not server:
        yield f"{driver}:///{workdir / name}.sqlite3"
        return
    url = make_url(normalize_database_url(server))
    database = f"planerka_bench_{name}_{os.getpid()}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await admin.dispose()


def backend() -> str:
    return "PostgreSQL" if os.environ.get("PLANERKA_BENCH_DATABASE_URL") else "SQLite"


async def seed_team(database_url: str, user_ids: list[int]) -> None:
    """A migrated database with a registered team whose members all started the bot."""
    engine = create_engine(database_url)
    await migrate(engine)
    async with session_maker(engine)() as s:
        team = Team(chat_id=GROUP, title="Маркетинг", anchor_date=WEEK, join_token="bench")
        s.add(team)
        await s.flush()
        s.add_all(
            User(id=u, full_name=f"Сотрудник{u}", language_code="ru", started=True, locale="ru")
            for u in user_ids
        )
        await s.flush()
        members = [Member(team_id=team.id, user_id=u) for u in user_ids]
        s.add_all(members)
        await s.flush()
        s.add_all(MemberRole(member_id=m.id, role_code=ROLE) for m in members)
        await s.commit()
    await engine.dispose()


def people(emu: TelegramEmulator, user_ids: list[int]) -> None:
    emu.add_user(1, "Ольга")
    for user_id in user_ids:
        emu.add_user(user_id, f"Сотрудник{user_id}", language_code="ru")
        emu.world.user(user_id).started = True
    emu.add_group(GROUP, "Маркетинг", creator=1, members=user_ids, with_bot=True)


@dataclass
class Responders:
    """Emulated members: a bot message in a member's private chat is answered at once — the
    next question with its value, or (`echo` mode) any reply with the next message — until each
    member sent `rounds`; `finished` is set once every member had the bot's last reply."""

    emu: TelegramEmulator
    user_ids: list[int]
    rounds: int = 5
    echo: bool = False
    active: bool = False
    sent: Counter[int] = field(default_factory=Counter)
    replied: Counter[int] = field(default_factory=Counter)
    done: set[int] = field(default_factory=set)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    started_at: float = 0.0
    finished_at: float = 0.0

    def __post_init__(self) -> None:
        self.members = set(self.user_ids)

    def on_event(self, event: Event) -> None:
        if not self.active or event.kind != "bot_message" or event.chat_id not in self.members:
            return
        asyncio.get_running_loop().call_soon(self._react, event.chat_id, event.text)

    def _react(self, user_id: int, text: str) -> None:
        if self.echo:
            self.replied[user_id] += 1
            if self.sent[user_id] < self.rounds:
                self._say(user_id, f"{self.sent[user_id] + 1}")
            elif self.replied[user_id] >= self.rounds:
                self._one_done(user_id)
            return
        found = QUESTION.search(text)
        if found and int(found.group(1)) == self.sent[user_id] + 1:
            self._say(user_id, VALUES[self.sent[user_id]])
        elif DONE in text and self.sent[user_id] >= self.rounds:
            self._one_done(user_id)

    def _say(self, user_id: int, text: str) -> None:
        self.sent[user_id] += 1
        self.emu.send(user_id, user_id, text)

    def _one_done(self, user_id: int) -> None:
        self.done.add(user_id)
        if len(self.done) == len(self.members) and not self.finished.is_set():
            self.finished_at = time.perf_counter()
            self.finished.set()

    def begin(self, first: Callable[[int], str] | None = None) -> None:
        """The clock starts; every member sends `first(member)` now, or waits for a question."""
        self.active = True
        self.started_at = time.perf_counter()
        if first is not None:
            for user_id in self.user_ids:
                self._say(user_id, first(user_id))

    @property
    def seconds(self) -> float:
        return self.finished_at - self.started_at


def delivered(emu: TelegramEmulator, user_ids: list[int]) -> tuple[Counter, Counter]:
    """Per member: intros received, and per (member, question number) how many times."""
    members = set(user_ids)
    intros: Counter[int] = Counter()
    questions: Counter[tuple[int, int]] = Counter()
    for m in emu.sent:
        if m.chat_id not in members:
            continue
        text = m.plain or ""
        intros[m.chat_id] += INTRO in text
        found = QUESTION.search(text)
        if found:
            questions[m.chat_id, int(found.group(1))] += 1
    return intros, questions


async def stored_answers(database_url: str) -> tuple[int, Counter[str]]:
    """How many answer rows, and how many of each value (as text)."""
    engine = create_engine(database_url)
    async with session_maker(engine)() as s:
        count = await s.scalar(select(func.count()).select_from(Answer))
        values = Counter(format(v.normalize(), "f") for v in await s.scalars(select(Answer.value)))
    await engine.dispose()
    return count or 0, values


def line(label: str, value: str) -> None:
    print(f"   {label:<44} {value}", flush=True)
