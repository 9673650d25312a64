"""A plan applies to exactly whom it was set for (issue 11, finding 3): a role's plan reaches
that role's lines only, a member's plan that member only, a team plan every line; nowhere does
a role plan become a team plan or reach another role's holder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import kpi
from models.tables import Target
from services.common import kpi_data
from services.meeting import agenda
from services.reports import summary as sm
from services.reports.targets import pick
from services.team import rhythm
from tests.support.digest import NOW, WEEK, WEEK_BEFORE, make_team, put_numbers
from views import agenda as agenda_view
from views import meeting as meeting_views
from views.i18n import I18n

PERIOD = kpi.Period(WEEK, date(2026, 11, 22))


async def test_a_role_plan_reaches_that_role_only(session):
    crew = await make_team(session)
    await put_numbers(session, crew)
    team = crew.team
    session.add_all(
        [
            # «/targets smm_manager ctr 1»: nobody here is an SMM manager
            Target(team_id=team.id, role_code="smm_manager", kpi_code="ctr", value=Decimal(1),
                   valid_from=WEEK_BEFORE),
            # the targetologists' leads plan (the demo's)
            Target(team_id=team.id, role_code="targetologist", kpi_code="leads",
                   value=Decimal(100), valid_from=WEEK_BEFORE),
        ]
    )  # fmt: skip
    await session.commit()
    anna = crew.members["anna"]
    # before issue 11 kpi_data.targets (now gone) returned {ctr: 1, leads: 100} for anyone
    rows = await kpi_data.targets_in_force(session, team, PERIOD)
    assert pick(rows, member_id=anna.id, role_code="context_ads_specialist") == {}
    assert pick(rows) == {}
    boris = crew.members["boris"]
    assert pick(rows, member_id=boris.id, role_code="targetologist") == {"leads": Decimal(100)}
    # Анна's speaker card: her CTR has no plan (before: «план выполнен на 200 %», 🟢)
    lines = await meeting_views.member_lines(session, team, anna, PERIOD)
    ctr = next(x for x in lines["context_ads_specialist"] if x.kpi.code == "ctr")
    assert ctr.target is None
    # the agenda's team-wide leads carry no plan (before: «Лиды 80 · план выполнен на 80 %»)
    t = I18n().get("ru")
    cycle = rhythm.cycle_for(team, PERIOD, [])
    data = await agenda.collect(session, team, cycle, NOW)
    leads = next(x for topic in data.summary.topics for x in topic.lines if x.kpi.code == "leads")
    assert leads.target is None
    assert "план" not in next(
        line for line in agenda_view.render(data, team, t).split("\n") if "Лиды:" in line
    )
    # the role's own line in /summary does carry it
    summary = await sm.load(session, team, PERIOD)
    role_leads = next(x for x in sm.role_lines(summary, "targetologist") if x.kpi.code == "leads")
    assert role_leads.target == Decimal(100)
