"""A team for the Mini App's tests: the real bot with its Mini App server on a free port, a
team that joined through the emulator, 13 weeks of numbers and a plan in the database, tasks,
a former member, another team, and initData signed with the bot's token."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import aiohttp
from sqlalchemy import select

import kpi
from bot.app import App
from bot.webapp import auth
from demo.scenario import join_team, register_team
from models.db import session_maker
from models.tables import Meeting, Member, Target, Task, Team
from services.common.clock import team_today
from services.reports import summary as sm
from services.team import rhythm
from tests.support.app import TOKEN, UNPACED, bot_running, make_settings

GROUP, OTHER_GROUP = -100700, -100800
LEAD, ANNA, BORIS, VERA, STRANGER = 1, 11, 12, 13, 99
ROLES = {
    LEAD: ["head_of_internet_marketing"],
    ANNA: ["context_ads_specialist"],
    BORIS: ["context_ads_specialist", "targetologist"],
    VERA: ["smm_manager"],
}
WEBAPP_URL = "https://planerka.example/app/"
REVENUE_PLAN = Decimal(100000)  # the context-ads role's weekly revenue plan
WEEKS = 13


def revenue(user_id: int, week: int) -> Decimal:
    """Анна's and Борис's weekly revenue: together 80 000 + 2 000 × week, so against the plan
    the first five weeks are off track, the next five at risk, the last three on track."""
    return Decimal(30000 + 2000 * week) if user_id == ANNA else Decimal(50000)


def inputs(user_id: int, week: int) -> dict[str, Decimal]:
    values = {
        "spend": Decimal(20000 + 100 * week),
        "impressions": Decimal(100000),
        "clicks": Decimal(2000 + 10 * week),
        "conversions": Decimal(40 + week),
        "revenue": revenue(user_id, week),
    }
    if user_id == BORIS:
        values |= {
            "leads": Decimal(60 + week),
            "reach": Decimal(30000),
            "engagements": Decimal(900),
        }
    return values


@contextlib.asynccontextmanager
async def dashboard_app(emu, database_url: str, clock, **overrides) -> AsyncIterator[App]:
    settings = make_settings(
        emu,
        database_url,
        **UNPACED,
        webapp_url=WEBAPP_URL,
        webapp_port=0,
        webapp_host="127.0.0.1",
        **overrides,
    )
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600) as app:
        yield app


@dataclass
class Fixture:
    app: App
    team_id: int
    other_team_id: int
    periods: list[kpi.Period]
    members: dict[int, int]  # user id → member id
    tasks: dict[str, int]  # name → task id

    @property
    def base(self) -> str:
        assert self.app.webapp is not None
        return self.app.webapp.url


def people(emu) -> None:
    emu.add_user(LEAD, "Ольга", username="olga", language_code="ru")
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.add_user(BORIS, "Борис", username="boris", language_code="ru")
    emu.add_user(VERA, "Вера", username="vera", language_code="ru")
    emu.add_user(STRANGER, "Сергей", username="sergey", language_code="en")
    emu.add_group(GROUP, "Маркетинг", creator=LEAD, members=[ANNA, BORIS, VERA])
    emu.add_group(OTHER_GROUP, "Продажи", creator=STRANGER, members=[])


async def build_team(emu, app: App) -> Fixture:
    people(emu)
    await register_team(emu, GROUP, LEAD)
    for user_id in (LEAD, ANNA, BORIS, VERA):
        await join_team(emu, GROUP, user_id, ROLES[user_id])
    await register_team(emu, OTHER_GROUP, STRANGER)
    await join_team(emu, OTHER_GROUP, STRANGER, ["smm_manager"], locale="en")
    now = app.runtime.now()
    async with session_maker(app.engine)() as s:
        team = await s.scalar(select(Team).where(Team.chat_id == GROUP))
        other = await s.scalar(select(Team).where(Team.chat_id == OTHER_GROUP))
        assert team is not None and other is not None
        rows = list(await s.scalars(select(Member).where(Member.team_id == team.id)))
        members = {m.user_id: m.id for m in rows}
        period = sm.due_period(team, now, set())
        periods = kpi.periods_back(period, WEEKS, rhythm.cadence(team), team.anchor_date)
        from models.tables import Answer

        for week, p in enumerate(periods):
            for user_id in (ANNA, BORIS):
                for code, value in inputs(user_id, week).items():
                    s.add(
                        Answer(
                            member_id=members[user_id],
                            period_start=p.start,
                            input_code=code,
                            value=value,
                        )
                    )
        s.add(
            Target(
                team_id=team.id,
                role_code="context_ads_specialist",
                kpi_code="revenue",
                value=REVENUE_PLAN,
                valid_from=periods[0].start,
            )
        )
        today = team_today(now, team.timezone)
        tasks = {
            "anna": Task(
                team_id=team.id,
                owner_member_id=members[ANNA],
                created_by=LEAD,
                text="Поднять CTR <b>кампании</b>",
                due=today + timedelta(days=3),
            ),
            "boris_overdue": Task(
                team_id=team.id,
                owner_member_id=members[BORIS],
                created_by=LEAD,
                text="Запустить ретаргетинг",
                due=today - timedelta(days=2),
            ),
        }
        s.add_all(tasks.values())
        vera = next(m for m in rows if m.user_id == VERA)
        vera.active = False  # Вера left the group
        s.add(
            Meeting(
                team_id=team.id,
                period_start=period.start,
                status="ended",
                started_at=now - timedelta(days=1),
                ended_at=now - timedelta(days=1) + timedelta(minutes=40),
                minutes="<b>Итоги планёрки</b>\nВыступили: Анна, Борис",
            )
        )
        await s.commit()
        return Fixture(
            app=app,
            team_id=team.id,
            other_team_id=other.id,
            periods=periods,
            members=members,
            tasks={name: task.id for name, task in tasks.items()},
        )


USERS: dict[int, dict[str, Any]] = {
    LEAD: {"id": LEAD, "first_name": "Ольга", "username": "olga", "language_code": "ru"},
    ANNA: {"id": ANNA, "first_name": "Анна", "username": "anna", "language_code": "ru"},
    BORIS: {"id": BORIS, "first_name": "Борис", "username": "boris", "language_code": "ru"},
    VERA: {"id": VERA, "first_name": "Вера", "username": "vera", "language_code": "ru"},
    STRANGER: {"id": STRANGER, "first_name": "Сергей", "language_code": "en"},
}


def init_data(
    user_id: int, now: datetime, *, token: str = TOKEN, start_param: str | None = None
) -> str:
    return auth.sign(USERS[user_id], token, now, start_param=start_param)


async def api(
    fx: Fixture,
    path: str,
    init: str | None,
    *,
    method: str = "GET",
    body: dict | None = None,
) -> tuple[int, Any]:
    headers = {"Authorization": f"tma {init}"} if init is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, fx.base.rstrip("/") + path, headers=headers, json=body) as response,
    ):
        return response.status, await response.json(content_type=None)
