"""Due moments: registered teams and changed settings ask for a refresh; the pass is one
statement whatever the number of teams; what is due is leased to one taker; the next moment
of each kind follows the team's rhythm, a running meeting or the open tasks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select

from models.db import migrate, session_maker
from models.due import EPOCH, MEETING, REFRESH, TASKS
from models.tables import DueMoment, Holiday, Meeting, MeetingSpeaker, Member, Task, Team, User
from services.schedule import moments

MSK = ZoneInfo("Europe/Moscow")
ROWS = (MEETING, TASKS)
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=MSK)


def team() -> Team:
    return Team(
        chat_id=-7, title="T", anchor_date=date(2026, 11, 2), join_token="t", cadence="weekly",
        timezone="Europe/Moscow", meeting_weekday=0, meeting_time="10:00",
        collect_open_days_before=3, collect_open_time="15:00", deadline_minutes_before=30,
        reminder_minutes_before=120, agenda_minutes_before=15, holiday_policy="move",
    )  # fmt: skip


def test_each_kind_is_due_at_its_next_moment_of_the_rhythm():
    t, catch_up = team(), timedelta(hours=12)

    def at(kind: str, now: datetime = WEDNESDAY, after_run: bool = True) -> datetime:
        return moments.next_moment(kind, t, now, set(), catch_up, after_run=after_run)

    assert at(moments.COLLECTION) == datetime(2026, 11, 27, 15, 0, tzinfo=MSK)  # Friday 15:00
    assert at(moments.DIGEST) == datetime(2026, 11, 30, 9, 30, tzinfo=MSK)  # the deadline
    assert at(moments.AGENDA) == datetime(2026, 11, 30, 9, 45, tzinfo=MSK)
    assert at(moments.MONTHLY) == datetime(2026, 12, 1, 9, 0, tzinfo=MSK)
    # while collection is open: the reminder, and a sweep a minute after each run
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=MSK)
    assert at(moments.COLLECTION, friday) == friday + moments.SWEEP
    # a refresh inside an open window: due now; after the run, the next week's
    monday = datetime(2026, 11, 30, 9, 31, tzinfo=MSK)
    assert at(moments.DIGEST, monday, after_run=False) == monday
    assert at(moments.DIGEST, monday) == datetime(2026, 12, 7, 9, 30, tzinfo=MSK)
    # a holiday on the meeting day moves it, and the digest's deadline with it
    moved = moments.next_moment(
        moments.DIGEST, t, WEDNESDAY, {date(2026, 11, 30)}, catch_up, after_run=True
    )
    assert moved == datetime(2026, 12, 1, 9, 30, tzinfo=MSK)


async def refresh_row(maker) -> DueMoment | None:
    async with maker() as s:
        return await s.get(DueMoment, (1, REFRESH))


async def test_changes_ask_for_a_refresh_and_the_pass_leases_what_is_due(engine):
    await migrate(engine)
    maker = session_maker(engine)
    async with maker() as s:
        s.add(team())
        await s.commit()
    row = await refresh_row(maker)
    assert row is not None and row.due_at == EPOCH  # registered: computed by the next pass

    async with maker() as s:
        first = await moments.take_due(s, WEDNESDAY)
    async with maker() as s:
        second = await moments.take_due(s, WEDNESDAY)
    assert first == {1: [REFRESH]} and second == {}  # leased: taken once
    async with maker() as s:
        later = await moments.take_due(s, WEDNESDAY + moments.LEASE + timedelta(seconds=1))
    assert later == {1: [REFRESH]}  # a taker that died: taken again after the lease

    async with maker() as s:
        stored = await moments.recompute(s, 1, WEDNESDAY, timedelta(hours=12), refresh=True)
    assert set(stored) == set(moments.RHYTHM_KINDS) and await refresh_row(maker) is None
    async with maker() as s:
        s.add(Holiday(team_id=1, day=date(2026, 11, 30)))
        await s.commit()
    assert await refresh_row(maker) is not None  # a holiday: computed again
    async with maker() as s:
        (await s.get(Team, 1)).meeting_time = "11:00"
        await s.commit()
    async with maker() as s:
        assert await moments.take_due(s, WEDNESDAY) == {1: [REFRESH]}


async def test_an_idle_pass_is_one_statement_at_any_number_of_teams(engine):
    await migrate(engine)
    maker = session_maker(engine)
    counts = []
    for n in (5, 500):
        async with maker() as s:
            start = await s.scalar(select(Team.id).order_by(Team.id.desc()).limit(1)) or 0
            await s.execute(
                insert(Team),
                [{"chat_id": -(start + i + 1), "title": "T", "anchor_date": date(2026, 11, 2),
                  "join_token": f"t{start + i}"} for i in range(n)],
            )  # fmt: skip
            ids = list(await s.scalars(select(Team.id).where(Team.id > start)))
            ahead = WEDNESDAY + timedelta(days=1)
            await s.execute(
                insert(DueMoment), [{"team_id": i, "kind": "digest", "due_at": ahead} for i in ids]
            )
            await s.commit()
        statements: list[str] = []

        def count(conn, cursor, statement, *args, seen: list[str] = statements) -> None:
            seen.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        async with maker() as s:
            assert await moments.take_due(s, WEDNESDAY) == {}
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts == [1, 1]


async def kinds_due(maker, at: datetime, kinds=(REFRESH, *ROWS)) -> dict[int, list[str]]:
    """What the pass takes at `at`, of `kinds` (the rhythm's kinds are left out)."""
    async with maker() as s:
        due = await moments.take_due(s, at)
    due = {team: [k for k in ks if k in kinds] for team, ks in due.items()}
    return {team: ks for team, ks in due.items() if ks}


async def test_a_running_meeting_and_open_tasks_have_their_moments(engine):
    """Starting, advancing or ending a meeting and setting, closing or re-dating a task make
    the kind due at once; recomputed, it is the speaker's nudge or the 23:59 close, and the
    09:00 of the next day a task is due a reminder; none is kept when there is nothing."""
    await migrate(engine)
    maker = session_maker(engine)
    catch_up = timedelta(hours=12)
    async with maker() as s:
        s.add(team())
        await s.flush()
        s.add(User(id=11, full_name="A"))
        await s.flush()
        member = Member(team_id=1, user_id=11)
        s.add(member)
        await s.flush()
        await s.commit()
    assert await kinds_due(maker, WEDNESDAY) == {1: [REFRESH]}
    async with maker() as s:
        await moments.recompute(s, 1, WEDNESDAY, catch_up, refresh=True)
    assert await kinds_due(maker, WEDNESDAY) == {}  # no meeting, no task: nothing of theirs

    started = datetime(2026, 11, 30, 10, 0, tzinfo=MSK)
    async with maker() as s:
        meeting = Meeting(team_id=1, running_team_id=1, period_start=date(2026, 11, 23),
                          started_at=started, position=0)  # fmt: skip
        s.add(meeting)
        await s.flush()
        s.add(MeetingSpeaker(meeting_id=meeting.id, member_id=member.id, position=0,
                             status="current", started_at=started))  # fmt: skip
        s.add(Task(team_id=1, owner_member_id=member.id, text="x", due=date(2026, 12, 2),
                   last_reminded=date(2026, 11, 30)))  # fmt: skip
        await s.commit()
    assert await kinds_due(maker, started) == {1: [MEETING, TASKS]}  # both due at once
    async with maker() as s:
        stored = await moments.recompute(s, 1, started, catch_up, ran=[MEETING, TASKS])
    assert stored == {
        MEETING: started + timedelta(seconds=180),  # the speaker's time box
        TASKS: datetime(2026, 12, 2, 9, 0, tzinfo=MSK),  # the due date's morning
    }
    async with maker() as s:
        (await s.scalar(select(MeetingSpeaker))).nudged = True
        task = await s.scalar(select(Task))
        task.last_reminded = date(2026, 12, 2)  # a reminder sent: no mark, its job recomputes
        await s.commit()
    assert await kinds_due(maker, started) == {}
    async with maker() as s:
        stored = await moments.recompute(s, 1, started, catch_up, ran=[MEETING, TASKS])
    assert stored[MEETING] == datetime(2026, 11, 30, 23, 59, tzinfo=MSK)  # nudged: the close
    assert stored[TASKS] == datetime(2026, 12, 3, 9, 0, tzinfo=MSK)  # overdue: the next day

    async with maker() as s:
        (await s.scalar(select(Meeting))).status = "ended"
        (await s.scalar(select(Meeting))).running_team_id = None
        (await s.scalar(select(Task))).status = "done"
        await s.commit()
    assert await kinds_due(maker, started) == {1: [MEETING, TASKS]}
    async with maker() as s:
        # a change made while the job runs (its moment leased) stays due after the run
        (await s.scalar(select(Task))).status = "open"
        await s.commit()
        stored = await moments.recompute(s, 1, started, catch_up, ran=[MEETING, TASKS])
    assert MEETING not in stored
    assert await kinds_due(maker, started) == {1: [TASKS]}
    async with maker() as s:
        (await s.scalar(select(Task))).status = "done"
        await s.commit()
    assert await kinds_due(maker, started) == {1: [TASKS]}
    async with maker() as s:
        stored = await moments.recompute(s, 1, started, catch_up, ran=[MEETING, TASKS])
        left = list(await s.scalars(select(DueMoment.kind).where(DueMoment.kind.in_(ROWS))))
    assert stored == {} and left == []  # nothing running, nothing open: no rows kept


async def test_the_idle_pass_stays_one_statement_with_meetings_and_tasks_ahead(engine):
    await migrate(engine)
    maker = session_maker(engine)
    async with maker() as s:
        await s.execute(
            insert(Team),
            [{"chat_id": -(i + 1), "title": "T", "anchor_date": date(2026, 11, 2),
              "join_token": f"t{i}"} for i in range(300)],
        )  # fmt: skip
        ids = list(await s.scalars(select(Team.id)))
        ahead = WEDNESDAY + timedelta(hours=1)
        await s.execute(
            insert(DueMoment),
            [{"team_id": i, "kind": k, "due_at": ahead} for i in ids for k in (*ROWS, "digest")],
        )
        await s.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    assert await kinds_due(maker, WEDNESDAY) == {}
    event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "due_at <=" in statements[0]
