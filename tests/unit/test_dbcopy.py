"""`planerka db copy`: the embedded SQLite database into another SQLite file and into the
machine's real PostgreSQL, verified table by table; refusals exit 2 with the reason."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.cli import main
from models.db import create_engine, migrate, session_maker
from models.dbcopy import CopyError, copy_database, tables, verify
from models.tables import (
    Answer,
    Away,
    Checkin,
    Collection,
    Holiday,
    Meeting,
    MeetingSpeaker,
    Member,
    MemberRole,
    PostLog,
    ProcessedUpdate,
    Target,
    Task,
    Team,
    User,
)
from tests.support.app import PG_URL

ROOT = Path(__file__).resolve().parents[2]
MONDAY = date(2026, 11, 23)
AT = datetime(2026, 11, 20, 12, 0, 0, 123456, tzinfo=UTC)


def needs_postgresql() -> None:
    if PG_URL:
        return
    if os.environ.get("PLANERKA_REQUIRE_SERVERS") == "1":
        pytest.fail("PLANERKA_TEST_DATABASE_URL is required (PLANERKA_REQUIRE_SERVERS=1)")
    pytest.skip("PLANERKA_TEST_DATABASE_URL is not set")


async def fill(url: str, members: int = 12, weeks: int = 12) -> None:
    """A migrated database with a team's history in every table."""
    engine = create_engine(url)
    await migrate(engine)
    async with session_maker(engine)() as s:
        team = Team(chat_id=-1001, title="Маркетинг", anchor_date=MONDAY, join_token="tok")
        s.add(team)
        await s.flush()
        rows = []
        for i in range(members):
            user = User(id=100 + i, full_name=f"Сотрудник {i}", started=i % 3 != 0, blocked=i == 5)
            user.active_team_id = team.id
            member = Member(team_id=team.id, user_id=user.id, is_lead=i == 0, joined_at=AT)
            s.add_all([user, member])
            await s.flush()
            s.add(MemberRole(member_id=member.id, role_code="targetologist"))
            for week in range(weeks):
                start = MONDAY - timedelta(weeks=week + 1)
                s.add(Checkin(member_id=member.id, period_start=start, state="done", position=9))
                for n, code in enumerate(("impressions", "clicks", "spend", "leads")):
                    value = (
                        None if (i + week + n) % 7 == 0 else Decimal(f"{i * 1000 + n}.{week:02d}")
                    )
                    rows.append(
                        Answer(
                            member_id=member.id,
                            period_start=start,
                            input_code=code,
                            value=value,
                            late=week == 1,
                            answered_at=AT,
                        )
                    )
            s.add(Away(member_id=member.id, start=MONDAY, end=MONDAY + timedelta(days=4)))
            s.add(
                Target(
                    team_id=team.id,
                    member_id=member.id,
                    kpi_code="cpl",
                    value=Decimal("350.50"),
                    valid_from=MONDAY,
                )
            )
        s.add_all(rows)
        s.add(
            Collection(
                team_id=team.id,
                period_start=MONDAY,
                period_end=MONDAY + timedelta(6),
                deadline_at=AT + timedelta(days=3),
            )
        )
        s.add(Holiday(team_id=team.id, day=date(2026, 12, 31)))
        meeting = Meeting(team_id=team.id, period_start=MONDAY, status="done", minutes="Итоги")
        s.add(meeting)
        await s.flush()
        first = await s.scalar(select(Member.id).order_by(Member.id))
        s.add(MeetingSpeaker(meeting_id=meeting.id, member_id=first, position=0, status="done"))
        s.add(
            Task(
                team_id=team.id,
                meeting_id=meeting.id,
                owner_member_id=first,
                text="Снизить CPL до 350 ₽",
                due=MONDAY + timedelta(days=7),
            )
        )
        s.add(PostLog(team_id=team.id, kind="digest", period_key="2026-W47", message_id=77))
        s.add(ProcessedUpdate(update_id=123456789))
        await s.commit()
    await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
                for t in tables()
            }
    finally:
        await engine.dispose()


async def test_sqlite_to_sqlite_copies_and_verifies_every_table(tmp_path) -> None:
    source = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    target = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    await fill(source)
    lines: list[str] = []
    checks = await copy_database(source, target, say=lines.append)

    expected = await counts(source)
    assert {c.table: c.rows for c in checks} == expected == await counts(target)
    assert all(expected.values()), "the fixture must fill every table"
    assert expected["answers"] > 400 and len(lines) == len(tables())
    engine = create_engine(target)
    async with session_maker(engine)() as s:
        answer = await s.scalar(
            select(Answer).where(Answer.value.is_not(None)).order_by(Answer.id.desc())
        )
        assert isinstance(answer.value, Decimal) and answer.answered_at == AT
        blocked = await s.scalar(select(User).where(User.blocked.is_(True)))
        assert blocked.id == 105
        s.add(Team(chat_id=-2002, title="Новая", anchor_date=MONDAY, join_token="tok2"))
        await s.commit()
    await engine.dispose()


async def test_sqlite_to_postgresql_keeps_everything_and_new_ids_follow(
    tmp_path, database_url: str
) -> None:
    needs_postgresql()
    source = f"sqlite:///{tmp_path / 'planerka.sqlite3'}"
    await fill(source, members=20, weeks=15)  # 1200 answers: more than one batch
    checks = await copy_database(source, database_url)
    assert {c.table: c.rows for c in checks} == await counts(source) == await counts(database_url)

    engine = create_engine(database_url)
    async with session_maker(engine)() as s:
        team = Team(chat_id=-3003, title="После переезда", anchor_date=MONDAY, join_token="t3")
        s.add(team)
        await s.flush()
        member = Member(team_id=team.id, user_id=100)
        s.add(member)
        await s.flush()
        s.add(
            Answer(
                member_id=member.id, period_start=MONDAY, input_code="spend", value=Decimal("1.5")
            )
        )
        await s.commit()
        assert team.id == 2 and member.id == 21
    await engine.dispose()


async def test_refuses_a_target_with_data_and_leaves_it_alone(tmp_path) -> None:
    source = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    target = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    await fill(source, members=2, weeks=1)
    await fill(target, members=3, weeks=1)
    before = await counts(target)
    with pytest.raises(CopyError, match=r"target database is not empty \(.*members: 3"):
        await copy_database(source, target)
    assert await counts(target) == before


async def test_refuses_a_missing_or_unmigrated_source(tmp_path) -> None:
    target = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    with pytest.raises(CopyError, match="no such SQLite file"):
        await copy_database(f"sqlite:///{tmp_path / 'missing.sqlite3'}", target)
    bare = tmp_path / "bare.sqlite3"
    engine = create_engine(f"sqlite:///{bare}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    await engine.dispose()
    with pytest.raises(CopyError, match=r"schema is at revision none.*planerka migrate"):
        await copy_database(f"sqlite:///{bare}", target)
    with pytest.raises(CopyError, match="same database"):
        await copy_database(target, target.replace("sqlite://", "sqlite+aiosqlite://"))


async def test_verification_sees_a_changed_row(tmp_path) -> None:
    source = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    target = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    await fill(source, members=2, weeks=2)
    await copy_database(source, target)
    engine_t = create_engine(target)
    async with engine_t.begin() as conn:
        await conn.execute(text("UPDATE answers SET value = '0' WHERE id = 3"))
    engine_s = create_engine(source)
    with pytest.raises(CopyError, match="verification failed for answers"):
        await verify(engine_s, engine_t)
    await engine_s.dispose()
    await engine_t.dispose()


async def test_the_cli_copies_and_exits_2_on_refusal(tmp_path) -> None:
    source = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    target = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    await fill(source, members=2, weeks=1)
    argv = ["db", "copy", "--from", source, "--to", target]
    assert await asyncio.to_thread(main, argv) == 0
    env = {**os.environ, "BOT_TOKEN": ""}
    again = subprocess.run(
        [sys.executable, "-m", "bot", *argv], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert again.returncode == 2
    assert again.stderr.startswith("planerka: db copy: --to: the target database is not empty")


def test_the_copy_knows_every_table_on_its_own() -> None:
    """Imported alone (as `planerka db copy` may), it still sees the whole schema."""
    code = "from models.dbcopy import tables; print(' '.join(t.name for t in tables()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names = out.stdout.split()
    assert len(names) == 15
    assert names.index("teams") < names.index("members") < names.index("answers")
