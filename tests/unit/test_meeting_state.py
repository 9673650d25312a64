"""The meeting's state machine against a real database: speaking order, next / skip / back,
stale presses, attendance, the time box and the end of the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.tables import Away, Meeting, MeetingSpeaker, Member, MemberRole, Team, User
from services.meeting import meetings

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
PERIOD = date(2026, 11, 16)


async def make_team(session, people: list[tuple[str, bool, bool]]) -> Team:
    """people: (name, is_lead, has_role), joined in this order."""
    team = Team(chat_id=-1, title="T", join_token="t", anchor_date=date(2026, 11, 2))
    session.add(team)
    await session.flush()
    for number, (name, lead, has_role) in enumerate(people, start=1):
        session.add(User(id=number, full_name=name))
        await session.flush()
        member = Member(team_id=team.id, user_id=number, is_lead=lead)
        session.add(member)
        await session.flush()
        if has_role:
            session.add(MemberRole(member_id=member.id, role_code="smm_manager"))
    await session.commit()
    return team


async def names(session, meeting: Meeting) -> list[tuple[str, str]]:
    speakers = await meetings.speakers_of(session, meeting)
    out = []
    for s in speakers:
        member = await session.get(Member, s.member_id)
        out.append((member.user.full_name, s.status))
    return out


async def test_order_is_specialists_then_leads_and_roleless_members_do_not_speak(session):
    team = await make_team(
        session,
        [
            ("Ольга", True, True),
            ("Анна", False, True),
            ("Гость", False, False),
            ("Борис", False, True),
        ],
    )
    meeting = await meetings.start(session, team, started_by=1, now=NOW, period_start=PERIOD)
    assert await names(session, meeting) == [
        ("Анна", "current"),
        ("Борис", "pending"),
        ("Ольга", "pending"),
    ]
    first = await meetings.speakers_of(session, meeting)
    assert first[0].started_at == NOW and meeting.position == 0


async def test_next_skip_back_and_stale_presses(session):
    team = await make_team(session, [("А", False, True), ("Б", False, True), ("В", False, True)])
    meeting = await meetings.start(session, team, started_by=1, now=NOW, period_start=PERIOD)
    with pytest.raises(meetings.StaleAction):
        await meetings.advance(session, meeting, "back", position=0, now=NOW)  # nobody before
    turn = await meetings.advance(session, meeting, "next", position=0, now=NOW)
    assert turn.member.user.full_name == "Б"
    with pytest.raises(meetings.StaleAction):  # the same press again
        await meetings.advance(session, meeting, "next", position=0, now=NOW)
    turn = await meetings.advance(session, meeting, "skip", position=1, now=NOW)
    assert turn.member.user.full_name == "В"
    later = NOW + timedelta(minutes=5)
    turn = await meetings.advance(session, meeting, "back", position=2, now=later)
    assert turn.member.user.full_name == "Б" and turn.speaker.started_at == later
    assert await names(session, meeting) == [("А", "spoke"), ("Б", "current"), ("В", "pending")]
    await meetings.advance(session, meeting, "next", position=1, now=later)
    turn = await meetings.advance(session, meeting, "next", position=2, now=later)
    assert turn.speaker is None and meeting.position == 3
    with pytest.raises(meetings.StaleAction):
        await meetings.advance(session, meeting, "next", position=3, now=later)
    turn = await meetings.advance(session, meeting, "back", position=3, now=later)
    assert turn.member.user.full_name == "В"  # back from «everyone has spoken»
    came = await meetings.attendance(session, meeting)
    assert [m.user.full_name for m in came.spoke] == ["А", "Б", "В"]


async def test_away_members_are_passed_over_by_next_and_back(session):
    team = await make_team(session, [("А", False, True), ("Б", False, True), ("В", False, True)])
    b = await session.scalar(select(Member).where(Member.user_id == 2))
    session.add(Away(member_id=b.id, start=date(2026, 11, 23), end=date(2026, 11, 23)))
    await session.commit()
    meeting = await meetings.start(session, team, started_by=1, now=NOW, period_start=PERIOD)
    turn = await meetings.advance(session, meeting, "next", position=0, now=NOW)
    assert turn.member.user.full_name == "В"
    turn = await meetings.advance(session, meeting, "back", position=2, now=NOW)
    assert turn.member.user.full_name == "А"
    await meetings.advance(session, meeting, "skip", position=0, now=NOW)
    await meetings.finish(session, meeting, now=NOW, minutes="…")
    await session.commit()
    came = await meetings.attendance(session, meeting)
    assert [m.user.full_name for m in came.spoke] == ["В"]
    assert [m.user.full_name for m in came.absent] == ["А"]
    assert [m.user.full_name for m in came.away] == ["Б"]
    assert meeting.running_team_id is None and meeting.status == "ended"
    assert await meetings.running(session, team) is None
    # the next one can start
    again = await meetings.start(session, team, started_by=1, now=NOW, period_start=PERIOD)
    assert again.id != meeting.id


async def test_a_second_start_is_refused_with_the_running_meeting(session):
    team = await make_team(session, [("А", False, True)])
    meeting = await meetings.start(session, team, started_by=1, now=NOW, period_start=PERIOD)
    with pytest.raises(meetings.AlreadyRunning) as refused:
        await meetings.start(session, team, started_by=1, now=NOW, period_start=PERIOD)
    assert refused.value.meeting.id == meeting.id
    count = len(list(await session.scalars(select(MeetingSpeaker))))
    assert count == 1


async def test_time_box_and_end_of_day(session):
    team = await make_team(session, [("А", False, True)])
    team.speaker_seconds = 120
    meeting = await meetings.start(session, team, started_by=1, now=NOW, period_start=PERIOD)
    turn = await meetings.turn(session, meeting)
    assert not meetings.speaker_overdue(turn.speaker, team, NOW + timedelta(seconds=119))
    assert meetings.speaker_overdue(turn.speaker, team, NOW + timedelta(seconds=120))
    turn.speaker.nudged = True
    assert not meetings.speaker_overdue(turn.speaker, team, NOW + timedelta(hours=1))
    # 23:59 Moscow is 20:59 UTC
    assert not meetings.left_running(meeting, team, datetime(2026, 11, 23, 20, 58, tzinfo=UTC))
    assert meetings.left_running(meeting, team, datetime(2026, 11, 23, 20, 59, tzinfo=UTC))
    team.timezone = "Asia/Novosibirsk"  # UTC+7: the meeting began at 14:00 there
    assert meetings.left_running(meeting, team, datetime(2026, 11, 23, 16, 59, tzinfo=UTC))
