"""What the check-ins cost the database, counted with SQLAlchemy events: one stored answer, from
the member's message to the next question, and each member of a collection's opening (the
figures bench_scale and the README report)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event, select

from models.db import session_maker
from models.tables import Member, MemberRole, Team, User
from tests.support.checkins import ANNA, GROUP, OPENS, QUICK, run_tick, say, team_ready

# The goals, on SQLite and PostgreSQL alike.
STATEMENTS_AT_MOST = 8
COMMITS_AT_MOST = 3
OPENING_STATEMENTS_PER_MEMBER_AT_MOST = 5
EXTRA_MEMBERS = 24  # enough that the team-wide reads and writes (about 30) are not the figure


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


@contextlib.contextmanager
def counted(app) -> Iterator[tuple[list[str], list[int]]]:
    statements: list[str] = []
    commits: list[int] = []

    def on_statement(conn, cursor, statement, *args) -> None:
        statements.append(" ".join(statement.split())[:120])

    def on_commit(conn) -> None:
        commits.append(1)

    sync = app.engine.sync_engine
    event.listen(sync, "before_cursor_execute", on_statement)
    event.listen(sync, "commit", on_commit)
    try:
        yield statements, commits
    finally:
        event.remove(sync, "before_cursor_execute", on_statement)
        event.remove(sync, "commit", on_commit)


async def test_one_stored_answer_costs_a_bounded_number_of_statements(emu, app, clock):
    await team_ready(emu)
    clock.set(OPENS)
    await run_tick(app)
    await emu.wait_for(ANNA, predicate=lambda m: bool(m.buttons))
    await emu.wait_idle(quiet=0.3)
    with counted(app) as (statements, commits):
        second = await say(emu, ANNA, "150 000")
        await emu.wait_idle(quiet=0.3)
    assert "Вопрос 2 из 5" in (second.plain or "")
    print(f"\nper stored answer: {len(statements)} statements, {len(commits)} commits")
    assert len(statements) <= STATEMENTS_AT_MOST, statements
    assert len(commits) <= COMMITS_AT_MOST


async def add_members(emu, app, user_ids: list[int]) -> None:
    """People who started the bot and are members with a role, written straight in."""
    async with session_maker(app.engine)() as s:
        team = await s.scalar(select(Team).where(Team.chat_id == GROUP))
        for user_id in user_ids:
            emu.add_user(user_id, f"Сотрудник{user_id}", language_code="ru")
            emu.world.user(user_id).started = True
            s.add(User(id=user_id, full_name=f"Сотрудник{user_id}", started=True, locale="ru"))
        await s.flush()
        members = [Member(team_id=team.id, user_id=u) for u in user_ids]
        s.add_all(members)
        await s.flush()
        s.add_all(MemberRole(member_id=m.id, role_code="context_ads_specialist") for m in members)
        await s.commit()


async def test_the_opening_costs_a_bounded_number_of_statements_per_member(emu, app, clock):
    """The opening tick against the same tick once everything is asked: the difference is
    the opening's own work, divided by the members it asked (intro and first question each)."""
    await team_ready(emu)
    extra = list(range(5001, 5001 + EXTRA_MEMBERS))
    await add_members(emu, app, extra)
    asked = [ANNA, *extra]
    clock.set(OPENS)
    with counted(app) as (opening, _):
        await run_tick(app)
        await emu.wait_idle(quiet=0.3)
    for user_id in asked:  # intro and question 1 each, once
        texts = [m.plain or "" for m in emu.messages(user_id)]
        assert sum("Вопрос 1 из" in text for text in texts) == 1, (user_id, texts)
    with counted(app) as (idle, _):
        await run_tick(app)
        await emu.wait_idle(quiet=0.3)
    per_member = (len(opening) - len(idle)) / len(asked)
    print(f"\nopening: {len(opening)} statements, {len(idle)} when nothing is due; "
          f"{per_member:.1f} per member")  # fmt: skip
    assert per_member <= OPENING_STATEMENTS_PER_MEMBER_AT_MOST, opening
