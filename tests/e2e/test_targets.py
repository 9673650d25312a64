"""/targets: reading the command, storing plans (team, role, member; one period or from now
on), precedence, refusals with reasons — and through the bot, leads only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from kpi import Period
from models.db import session_maker
from models.tables import Target, Team
from services.common import kpi_data
from services.common.errors import UserError
from services.reports import targets as tg
from tests.support.digest import (
    ANNA,
    LEAD,
    WEEK,
    lead_and_anna,
    make_team,
    onboard_lead_and_anna,
    quick_app,
)
from tests.support.text import spaces

PERIOD = Period(WEEK, date(2026, 11, 22))
NEXT = Period(date(2026, 11, 23), date(2026, 11, 29))


async def read(session, crew, text: str, **kw) -> tg.TargetCommand:
    return await tg.read_command(session, crew.team, text, locale="ru", **kw)


async def test_commands_are_read_by_code_title_role_member_and_period(session):
    crew = await make_team(session)
    cmd = await read(session, crew, "cpa 450")
    assert (cmd.kpi.code, cmd.value, cmd.member, cmd.role_code, cmd.one_period) == (
        "cpa", Decimal(450), None, None, False,
    )  # fmt: skip
    cmd = await read(session, crew, "CPA, цена конверсии 1 200,50 ₽ период")
    assert (cmd.kpi.code, cmd.value, cmd.one_period) == ("cpa", Decimal("1200.50"), True)
    cmd = await read(session, crew, "ctr (click-through rate) 2")
    assert cmd.kpi.code == "ctr"
    cmd = await read(session, crew, "Конверсия кампании 3,5 %")
    assert (cmd.kpi.code, cmd.value) == ("conversion_rate", Decimal("3.5"))
    cmd = await read(session, crew, "targetologist leads 190")
    assert (cmd.role_code, cmd.kpi.code, cmd.value) == ("targetologist", "leads", Decimal(190))
    cmd = await read(session, crew, "@anna ctr 2 period")
    assert cmd.member.id == crew.members["anna"].id and cmd.one_period
    cmd = await read(session, crew, "ctr 1.5", reply_user_id=13)
    assert cmd.member.id == crew.members["vera"].id
    cmd = await read(session, crew, "cpa off")
    assert cmd.value is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("cpa", "targets.error.usage"),
        ("бюджет 100", "targets.error.unknown_kpi"),
        ("nps 40", "targets.error.not_tracked"),  # no role of this team tracks NPS
        ("cpa много", "kpi.error.not_a_number"),
        ("cpa -5", "targets.error.negative"),
        ("@nobody cpa 5", "targets.error.not_member"),
        ("@anna leads 5", "targets.error.not_tracked"),  # Анна is a contextologist
    ],
)
async def test_bad_commands_are_refused_with_a_reason(session, text, key):
    crew = await make_team(session)
    with pytest.raises(UserError) as caught:
        await read(session, crew, text)
    assert caught.value.key == key


async def test_from_now_on_ends_the_old_plan_and_one_period_beats_it(session):
    crew = await make_team(session)
    team = crew.team
    await tg.apply(session, team, await read(session, crew, "cpa 450"), PERIOD)
    await tg.apply(session, team, await read(session, crew, "cpa 400"), NEXT)
    await tg.apply(session, team, await read(session, crew, "cpa 300 период"), NEXT)
    await session.commit()
    assert tg.pick(await kpi_data.targets_in_force(session, team, PERIOD)) == {"cpa": Decimal(450)}
    assert tg.pick(await kpi_data.targets_in_force(session, team, NEXT)) == {"cpa": Decimal(300)}
    later = Period(date(2026, 11, 30), date(2026, 12, 6))
    assert tg.pick(await kpi_data.targets_in_force(session, team, later)) == {"cpa": Decimal(400)}
    rows = list(await session.scalars(select(Target).order_by(Target.id)))
    assert [(r.value, r.valid_from, r.valid_to) for r in rows] == [
        (Decimal(450), WEEK, WEEK + timedelta(days=6)),  # ended, not rewritten
        (Decimal(400), NEXT.start, None),
        (Decimal(300), NEXT.start, NEXT.end),
    ]
    await tg.apply(session, team, await read(session, crew, "cpa off"), later)
    await session.commit()
    assert tg.pick(await kpi_data.targets_in_force(session, team, later)) == {}
    assert tg.pick(await kpi_data.targets_in_force(session, team, NEXT)) == {"cpa": Decimal(300)}


async def test_a_member_beats_a_role_beats_the_team(session):
    crew = await make_team(session)
    team = crew.team
    for text in (
        "conversion_rate 3",
        "targetologist conversion_rate 2",
        "@boris conversion_rate 1",
    ):
        await tg.apply(session, team, await read(session, crew, text), PERIOD)
    await session.commit()
    rows = await kpi_data.targets_in_force(session, team, PERIOD)
    boris = crew.members["boris"].id
    assert tg.pick(rows)["conversion_rate"] == Decimal(3)
    assert tg.pick(rows, role_code="targetologist")["conversion_rate"] == Decimal(2)
    assert tg.pick(rows, role_code="context_ads_specialist")["conversion_rate"] == Decimal(3)
    assert tg.pick(rows, member_id=boris, role_code="targetologist")["conversion_rate"] == 1


GROUP = -100800


async def test_leads_set_targets_in_the_group_and_others_are_refused(emu, database_url, clock):
    lead_and_anna(emu, GROUP)
    async with quick_app(emu, database_url, clock) as app:
        await onboard_lead_and_anna(emu, GROUP)

        async def say(user_id: int, text: str, chat_id: int = GROUP) -> str:
            mark = emu.mark()
            emu.send(user_id, chat_id, text)
            return spaces((await emu.wait_for(chat_id, after=mark)).plain)

        assert "только ведущие" in await say(ANNA, "/targets cpa 100")
        saved = await say(LEAD, "/targets cpa 450")
        assert saved == "🎯 План сохранён: вся команда — CPA, цена конверсии: 450 ₽, с 23 нояб."
        saved = await say(LEAD, "/targets @anna ctr 2,5 период")
        assert "Анна — CTR: 2,5 %, только на 23–29 нояб." in saved
        assert "Не похоже на число" in await say(LEAD, "/targets cpa сто")
        assert "Не знаю KPI «бюджет»" in await say(LEAD, "/targets бюджет 5")
        listing = await say(LEAD, "/targets")
        assert "Планы по KPI · 23–29 нояб." in listing
        assert "• CPA, цена конверсии (cpa): 450 ₽ — с 23 нояб." in listing
        assert "• CTR (ctr): 2,5 % — только на 23–29 нояб." in listing
        assert "Коды KPI ролей команды: ctr, cpa, roas, conversion_rate, revenue" in listing
        assert "в группе команды" in await say(LEAD, "/targets cpa 1", chat_id=LEAD)
        async with session_maker(app.engine)() as s:
            team = await s.scalar(select(Team).where(Team.chat_id == GROUP))
            rows = list(await s.scalars(select(Target).where(Target.team_id == team.id)))
        assert sorted((r.kpi_code, r.value, r.member_id is not None) for r in rows) == [
            ("cpa", Decimal(450), False),
            ("ctr", Decimal("2.5"), True),
        ]
