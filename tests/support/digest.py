"""Shared by the summary, digest, targets and export tests: a team written straight into the
database with hand-chosen numbers, and the real bot with outgoing limits off.

The numbers (two weeks; Анна and Вера are contextologists, Борис a targetologist, Глеб an SEO
specialist who never answers):

    week 16–22 Nov   spend  impr.    clicks conv. revenue leads engag. reach
    Анна             10000   50000    1000   40    60000
    Вера              5000   30000     200   10    15000
    Борис             8000  100000    2000   50            80   3000  40000
    week 9–15 Nov
    Анна              8000   40000    1000   25    50000
    Вера             (no answers)
    Борис             8000   80000    1600   40            64   2000  40000
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from demo.scenario import join_team, register_team
from models.tables import Answer, Member, MemberRole, Task, Team, User
from tests.support.checkins import quick_app as quick_app

MSK = ZoneInfo("Europe/Moscow")
WEEK = date(2026, 11, 16)
WEEK_BEFORE = date(2026, 11, 9)
DEADLINE = datetime(2026, 11, 23, 9, 30, tzinfo=MSK)  # Mon: collection of 16–22 Nov closes
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=MSK)

PEOPLE = (
    (11, "Анна Котова", "anna", ("context_ads_specialist",)),
    (12, "Борис Орлов", "boris", ("targetologist",)),
    (13, "Вера Пак", "vera", ("context_ads_specialist",)),
    (14, "Глеб Иванов", "gleb", ("seo_specialist",)),
)
NUMBERS: dict[date, dict[str, dict[str, str]]] = {
    WEEK: {
        "anna": {"spend": "10000", "impressions": "50000", "clicks": "1000",
                 "conversions": "40", "revenue": "60000"},
        "vera": {"spend": "5000", "impressions": "30000", "clicks": "200",
                 "conversions": "10", "revenue": "15000"},
        "boris": {"spend": "8000", "impressions": "100000", "clicks": "2000",
                  "conversions": "50", "leads": "80", "engagements": "3000", "reach": "40000"},
    },
    WEEK_BEFORE: {
        "anna": {"spend": "8000", "impressions": "40000", "clicks": "1000",
                 "conversions": "25", "revenue": "50000"},
        "boris": {"spend": "8000", "impressions": "80000", "clicks": "1600",
                  "conversions": "40", "leads": "64", "engagements": "2000", "reach": "40000"},
    },
}  # fmt: skip


@dataclass
class Crew:
    team: Team
    members: dict[str, Member]  # by username


async def make_team(
    session: AsyncSession, *, chat_id: int = -100600, locale: str = "ru", people=PEOPLE
) -> Crew:
    team = Team(
        chat_id=chat_id,
        title="Маркетинг",
        locale=locale,
        anchor_date=date(2026, 11, 2),
        join_token=f"tok{abs(chat_id)}",
    )
    session.add(team)
    await session.flush()
    members = {}
    for user_id, name, username, roles in people:
        user = await session.get(User, user_id)
        if user is None:
            user = User(id=user_id, full_name=name, username=username, started=True)
            session.add(user)
        member = Member(team_id=team.id, user_id=user_id, is_lead=False, is_admin=False)
        member.roles = [MemberRole(role_code=r) for r in roles]
        session.add(member)
        await session.flush()
        await session.refresh(member, ["user", "roles"])
        members[username] = member
    await session.commit()
    return Crew(team, members)


async def put(session: AsyncSession, member: Member, start: date, values: dict) -> None:
    for code, value in values.items():
        session.add(
            Answer(
                member_id=member.id,
                period_start=start,
                input_code=code,
                value=None if value is None else Decimal(value),
            )
        )
    await session.flush()


async def put_numbers(session: AsyncSession, crew: Crew, numbers=NUMBERS) -> None:
    for start, by_member in numbers.items():
        for username, values in by_member.items():
            await put(session, crew.members[username], start, values)
    await session.commit()


async def add_tasks(session: AsyncSession, crew: Crew) -> None:
    """Due in 16–22 Nov: two done, one open (overdue by the 23rd), one cancelled; one open task
    due later."""
    owner = crew.members["anna"]
    for text, due, status in (
        ("Поднять CTR", date(2026, 11, 18), "done"),
        ("Новые креативы", date(2026, 11, 20), "done"),
        ("Отчёт по SEO", date(2026, 11, 22), "open"),
        ("Отменённая", date(2026, 11, 19), "cancelled"),
        ("На следующей неделе", date(2026, 11, 25), "open"),
    ):
        session.add(
            Task(team_id=crew.team.id, owner_member_id=owner.id, text=text, due=due, status=status)
        )
    await session.commit()


LEAD, ANNA = 1, 11


def lead_and_anna(emu, group: int) -> None:
    """The lead Ольга and Анна, both in the group, in the emulator."""
    emu.add_user(LEAD, "Ольга", username="olga", language_code="ru")
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.add_group(group, "Маркетинг", creator=LEAD, members=[ANNA])


async def onboard_lead_and_anna(emu, group: int) -> None:
    """Ольга registers the team; Анна joins as the PPC specialist."""
    await register_team(emu, group, LEAD)
    await join_team(emu, group, ANNA, ["context_ads_specialist"])


def test_the_fixture_numbers_are_what_the_docstring_says():
    assert NUMBERS[WEEK]["anna"]["clicks"] == "1000"
    assert "vera" not in NUMBERS[WEEK_BEFORE]
    assert WEEK.weekday() == 0 and DEADLINE.weekday() == 0
