"""One number, one wording (issue 11): a fixture team and two weeks, every view rendered, and
each KPI's value, change and status read back from each view and compared; the first
disagreement fails with both readings.

The team: Анна and Вера are contextologists, Борис a targetologist who has half-answered this
week (spend, impressions, clicks; his check-in is still open). Plans: CTR 2 % for the
contextologists (a role plan), CTR 1 % for SMM managers (nobody here: it must reach nobody),
CPA 400 ₽ for Вера alone (a member plan), CPA 600 ₽ for the team, 100 leads for targetologists.

    week 9–15 Nov    spend  impr.   clicks conv. revenue  reach engag. leads
    Анна              8000  40000    1000   25   50000
    Вера              4000  30000     300   12   20000
    Борис             8000  80000    1600   40           40000  2000    64
    week 16–22 Nov
    Анна             10000  50000    1000   40   60000
    Вера              5000  30000     200   10   15000
    Борис             9000  90000    1500   (the rest not yet)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

import kpi
from models.tables import Checkin, Collection, Target
from services.checkins import flow as checkins
from services.meeting import agenda, meetings
from services.reports import monthly
from services.reports import summary as sm
from services.team import rhythm
from tests.support.digest import DEADLINE, NOW, WEEK, WEEK_BEFORE, make_team, put
from views import agenda as agenda_view
from views import checkins as checkin_views
from views import digest as digests
from views import export
from views import kpi_line as kl
from views import meeting as meeting_views
from views import monthly as monthly_view
from views import summary as summary_view
from views.i18n import I18n

PERIOD = kpi.Period(WEEK, date(2026, 11, 22))
BEFORE = kpi.Period(WEEK_BEFORE, date(2026, 11, 15))
PEOPLE = (
    (11, "Анна Котова", "anna", ("context_ads_specialist",)),
    (13, "Вера Пак", "vera", ("context_ads_specialist",)),
    (12, "Борис Орлов", "boris", ("targetologist",)),
)
NUMBERS = {
    WEEK_BEFORE: {
        "anna": {"spend": "8000", "impressions": "40000", "clicks": "1000", "conversions": "25",
                 "revenue": "50000"},
        "vera": {"spend": "4000", "impressions": "30000", "clicks": "300", "conversions": "12",
                 "revenue": "20000"},
        "boris": {"spend": "8000", "impressions": "80000", "clicks": "1600", "conversions": "40",
                  "reach": "40000", "engagements": "2000", "leads": "64"},
    },
    WEEK: {
        "anna": {"spend": "10000", "impressions": "50000", "clicks": "1000", "conversions": "40",
                 "revenue": "60000"},
        "vera": {"spend": "5000", "impressions": "30000", "clicks": "200", "conversions": "10",
                 "revenue": "15000"},
        "boris": {"spend": "9000", "impressions": "90000", "clicks": "1500"},
    },
}  # fmt: skip
MARKS = set(kl.MARKS.values())


@dataclass(frozen=True)
class Reading:
    view: str
    value: str
    change: str | None  # None: the view doesn't show a change
    mark: str | None  # None: the view doesn't show a status mark


def _titles() -> dict[str, str]:
    """Every Russian title a line may carry (a metric's own, a role's wording) → KPI code."""
    out = {m.titles["ru"]: m.code for m in kpi.metrics()}
    for r in kpi.catalog():
        for k in r.kpis:
            out.setdefault(k.titles["ru"], k.code)
    return out


TITLES = _titles()
LINE = re.compile(r"^(?P<mark>\S+) (?P<title>.+?): (?:<b>)?(?P<value>[^<·]+?)(?:</b>)?$")
WHOSE = re.compile(r" \((?:по|у) \d+ из \d+\)$")


def parse(text: str, *, role_suffix: bool = False) -> dict[str, tuple[str, str, str]]:
    """The view's KPI lines: code → (mark, value, change); "" for no change shown."""
    out: dict[str, tuple[str, str, str]] = {}
    for raw in summary_view.plain(text.replace("<b>", "\x01").replace("</b>", "\x02")).split("\n"):
        line = raw.replace("\x01", "<b>").replace("\x02", "</b>").strip()
        if not line or line.split(" ", 1)[0] not in MARKS or ": " not in line:
            continue
        head, *rest = line.split(" · ")
        head = WHOSE.sub("", head)
        match = LINE.match(head)
        if match is None:
            continue
        title = match["title"]
        if role_suffix:
            title = re.sub(r" \([^()]*\)$", "", title)
        code = TITLES.get(title)
        if code is None:
            continue
        change = next((p for p in rest if p[:1] in "▲▼" or p == "без изменений"), "")
        out[code] = (match["mark"], match["value"].strip(), change)
    return out


class Ledger:
    """Readings per scope and KPI; the first disagreement fails."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], Reading] = {}

    def add(self, scope: str, code: str, reading: Reading) -> None:
        key = (scope, code)
        first = self.seen.setdefault(key, reading)
        if first is reading:
            return
        assert reading.value == first.value, f"{scope} {code}: value {first} ≠ {reading}"
        if reading.change is not None and first.change is not None:
            assert reading.change == first.change, f"{scope} {code}: change {first} ≠ {reading}"
        if reading.change is not None and first.change is None:
            self.seen[key] = Reading(first.view, first.value, reading.change, first.mark)
        first = self.seen[key]
        if reading.mark is not None and first.mark is not None:
            assert reading.mark == first.mark, f"{scope} {code}: status {first} ≠ {reading}"
        if reading.mark is not None and first.mark is None:
            self.seen[key] = Reading(first.view, first.value, first.change, reading.mark)

    def add_view(self, view: str, scope: str, text: str, *, role_suffix: bool = False) -> int:
        lines = parse(text, role_suffix=role_suffix)
        for code, (mark, value, change) in lines.items():
            self.add(scope, code, Reading(view, value, change, mark))
        return len(lines)

    def get(self, scope: str, code: str) -> Reading:
        return self.seen[(scope, code)]


@pytest.fixture
async def crew(session):
    crew = await make_team(session, chat_id=-100900, people=PEOPLE)
    for start, rows in NUMBERS.items():
        for who, values in rows.items():
            await put(session, crew.members[who], start, values)
    team = crew.team
    session.add_all(
        [
            Target(team_id=team.id, role_code="context_ads_specialist", kpi_code="ctr",
                   value=Decimal(2), valid_from=WEEK_BEFORE),
            Target(team_id=team.id, role_code="smm_manager", kpi_code="ctr", value=Decimal(1),
                   valid_from=WEEK_BEFORE),
            Target(team_id=team.id, member_id=crew.members["vera"].id, kpi_code="cpa",
                   value=Decimal(400), valid_from=WEEK_BEFORE),
            Target(team_id=team.id, kpi_code="cpa", value=Decimal(600), valid_from=WEEK_BEFORE),
            Target(team_id=team.id, role_code="targetologist", kpi_code="leads",
                   value=Decimal(100), valid_from=WEEK_BEFORE),
            Collection(team_id=team.id, period_start=WEEK, period_end=PERIOD.end,
                       deadline_at=DEADLINE),
        ]
    )  # fmt: skip
    finished = datetime(2026, 11, 21, 10, tzinfo=UTC)
    for who in ("anna", "vera"):
        session.add(Checkin(member_id=crew.members[who].id, period_start=WEEK, state="done",
                            position=5, finished_at=finished))  # fmt: skip
    session.add(Checkin(member_id=crew.members["boris"].id, period_start=WEEK,
                        state="asking", position=3))  # fmt: skip
    await session.commit()
    return crew


async def test_every_view_says_the_same_numbers(session, crew):
    t = I18n().get("ru")
    team = crew.team
    ledger = Ledger()
    anna, vera, boris = (crew.members[n] for n in ("anna", "vera", "boris"))
    # --- a member's own lines: end card, speaker card, /summary in private, export rows
    for member in (anna, vera, boris):
        checkin_id = await session.scalar(select(Checkin.id).where(Checkin.member_id == member.id))
        flow = await checkins.flow_by_id(session, checkin_id)
        text, _ = checkin_views.card_view(flow, await checkins.card(session, flow), t)
        assert ledger.add_view("end card", f"member {member.id}", text) == 5
    data = await sm.load(session, team, PERIOD)
    for member in (anna, vera, boris):
        text = summary_view.member_text(data, member, t)
        assert ledger.add_view("/summary private", f"member {member.id}", text) == 5
    meeting = await meetings.start(session, team, started_by=11, now=NOW, period_start=WEEK)
    for _ in range(3):
        turn = await meetings.turn(session, meeting)
        text, _ = await meeting_views.speaker_card(session, team, turn, t, NOW.date())
        assert ledger.add_view("speaker card", f"member {turn.member.id}", text) == 5
        await meetings.advance(session, meeting, "next", position=meeting.position, now=NOW)
    rows = await export.collect(session, team, [BEFORE, PERIOD], t)
    members_table, team_table = rows.tables[1], rows.tables[2]
    by_name = {m.user.full_name: m for m in (anna, vera, boris)}
    for row in members_table.rows:
        start, _, name, _, _, code, _, value, unit, _, _, status = row
        if start == WEEK:
            mark = kl.mark(next(s for s in kl.MARKS if kl.status_text(s, t) == status))
            reading = Reading("export", kl.value(value, unit, t), None, mark)
            ledger.add(f"member {by_name[name].id}", code, reading)
    # --- a role's lines: /summary for the team, the digest's plans, the plan/fact chart, export
    text = summary_view.team_text(data, t)
    for code in data.role_codes():
        block = text.split(f"<b>{summary_view.role_title(code, t)}</b>")[1].split("\n\n")[0]
        assert ledger.add_view("/summary team", f"role {code}", block) == 5
    digest = await digests.build(session, team, PERIOD, t, now=NOW)
    for role_code, item in digests.targeted_lines(data):
        if item.value is None:
            continue  # the digest lists plans hit and missed, not the ones without a number
        scope = f"role {role_code}" if role_code else "team"
        line = digests.target_line(role_code, item, t, team.currency)
        assert line in digest.text
        assert ledger.add_view("digest plans", scope, line, role_suffix=True) == 1
    plan = next(s for s in digest.specs if isinstance(s, kpi.charts.PlanFactChart))
    titles = {summary_view.role_title(c, t): c for c in data.role_codes()}
    for group in plan.groups:
        role_code = titles.get(group.title)
        for bar in group.bars:
            code = TITLES[bar.title]
            scope = f"role {role_code}" if role_code else "team"
            value = bar.label.split(" при плане ")[0]
            mark = kl.mark(bar.status)
            ledger.add(scope, code, Reading("plan/fact chart", value, None, mark))
    for row in team_table.rows:
        start, _, _, _, role_title, code, _, value, unit, _, _, status = row
        if start == WEEK:
            role_code = titles[role_title]
            mark = kl.mark(next(s for s in kl.MARKS if kl.status_text(s, t) == status))
            ledger.add(f"role {role_code}", code, Reading("export", kl.value(value, unit, t),
                                                          None, mark))  # fmt: skip
    # --- team-wide lines: /summary and digest headlines, the agenda, the trend chart
    headline = text.split("\n\n")[1]
    assert ledger.add_view("/summary headline", "team", headline) >= 4
    digest_headline = digest.text.split("<b>Главное</b>")[1].split("\n\n")[0]
    assert ledger.add_view("digest headline", "team", digest_headline) >= 4
    cycle = rhythm.cycle_for(team, PERIOD, [])
    agenda_text = agenda_view.render(await agenda.collect(session, team, cycle, NOW), team, t)
    assert ledger.add_view("agenda", "team", agenda_text) >= 4
    trends = next(s for s in digest.specs if isinstance(s, kpi.charts.TrendChart))
    for panel in trends.panels:
        ledger.add(
            "team", TITLES[panel.title], Reading("trend chart", panel.last_label, None, None)
        )

    # what they agree on is right (by hand, from the table above)
    pp, pct = "\u00a0п.п.", "\u00a0%"
    # Анна's CTR: 1000/50000 = 2 % on her role's 2 % plan; the SMM plan of 1 % isn't hers
    assert ledger.get(f"member {anna.id}", "ctr") == Reading(
        "end card", f"2{pct}", f"▼ −0,5{pp}", "🟢"
    )
    assert "план 2\u00a0% (100\u00a0%)" in summary_view.member_text(data, anna, t)
    # Вера's CPA 5000/10 = 500 against her own 400 plan: 80 % → off track; Анна's 250 is
    # measured against the team's 600
    assert ledger.get(f"member {vera.id}", "cpa").mark == "🔴"
    assert ledger.get(f"member {anna.id}", "cpa").mark == "🟢"
    # the team's CTR over all three (2700/170000 = 1,59 %), against the same three the week
    # before (2900/150000 = 1,93 %): −0,35 п.п., 17,8 % worse with no team plan (the
    # contextologists' plan is theirs, not the team's): at risk
    assert ledger.get("team", "ctr") == Reading("/summary headline", f"1,6{pct}", f"▼ −0,35{pp}",
                                                "🟡")  # fmt: skip
    # the team's CPA leaves Борис out (no conversions yet) and says so; the change is Анна's
    # and Вера's: 15000/50 = 300 against 12000/37 = 324,32 (−7,5 %), on the team's 600 plan
    cpa = ledger.get("team", "cpa")
    assert (cpa.value, cpa.change, cpa.mark) == ("300\u00a0₽", f"▼ −7,5{pct}", "🟢")
    assert "(по 2 из 3)" in headline.split("CPA, цена конверсии")[1].split("\n")[0]
    # targetologists' leads: Борис hasn't answered it yet — no number, no fall
    assert ledger.get("role targetologist", "leads").value == "н/д"
    assert ledger.get("role targetologist", "leads").mark == "⚪"

    # --- the monthly report says its lines with the same presenter, from the month's sums
    loaded = await monthly.load(session, team, monthly.month_of(WEEK))
    report = monthly_view.report_text(loaded, {"total": 0, "done": 0, "overdue": 0}, t, late=False)
    month = Ledger()
    for code in loaded.data.role_codes():
        for item in sm.role_lines(loaded.data, code):
            assert kl.text(item, t, team.currency) in report
        block = report.split(f"<b>{summary_view.role_title(code, t)}</b>")[1].split("\n\n")[0]
        assert month.add_view("monthly", f"role {code}", block) == 5
    # Анна + Вера, both weeks: clicks 2500 / impressions 150000 = 1,67 %
    assert month.get("role context_ads_specialist", "ctr").value == f"1,7{pct}"
