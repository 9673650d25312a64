"""What one stored check-in answer costs the database, counted with SQLAlchemy events from the
member's message to the next question (the figure bench_scale and the README report)."""

from __future__ import annotations

from sqlalchemy import event

from tests.support.checkins import ANNA, OPENS, QUICK, run_tick, say, team_ready

# Measured on this branch (SQLite and PostgreSQL alike); the goal is 8 and 3.
STATEMENTS_AT_MOST = 21
COMMITS_AT_MOST = 4


BOT_SETTINGS = QUICK  # the app fixture (tests/e2e/conftest.py), flood limits off


async def test_one_stored_answer_costs_a_bounded_number_of_statements(emu, app, clock):
    await team_ready(emu)
    clock.set(OPENS)
    await run_tick(app)
    await emu.wait_for(ANNA, predicate=lambda m: bool(m.buttons))
    await emu.wait_idle(quiet=0.3)
    statements: list[str] = []
    commits: list[int] = []

    def on_statement(conn, cursor, statement, *args) -> None:
        statements.append(statement.split()[0].upper())

    def on_commit(conn) -> None:
        commits.append(1)

    sync = app.engine.sync_engine
    event.listen(sync, "before_cursor_execute", on_statement)
    event.listen(sync, "commit", on_commit)
    try:
        second = await say(emu, ANNA, "150 000")
        await emu.wait_idle(quiet=0.3)
    finally:
        event.remove(sync, "before_cursor_execute", on_statement)
        event.remove(sync, "commit", on_commit)
    assert "Вопрос 2 из 5" in (second.plain or "")
    print(f"\nper stored answer: {len(statements)} statements, {len(commits)} commits")
    assert len(statements) <= STATEMENTS_AT_MOST, statements
    assert len(commits) <= COMMITS_AT_MOST
