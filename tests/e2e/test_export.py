"""/export: the typed range, the CSV and XLSX contents against the answers and hand-computed
KPIs, and the files arriving in the lead's private chat."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from kpi import Period
from models.db import session_maker
from models.tables import Member, Target
from services.common.errors import UserError
from services.reports import export as ex
from tests.support.digest import (
    ANNA,
    LEAD,
    NUMBERS,
    WEEK,
    WEEK_BEFORE,
    lead_and_anna,
    make_team,
    onboard_lead_and_anna,
    put,
    put_numbers,
    quick_app,
)
from tests.support.text import spaces
from views import export as export_view
from views.i18n import I18n

TODAY = date(2026, 11, 23)
PERIODS = [Period(WEEK_BEFORE, date(2026, 11, 15)), Period(WEEK, date(2026, 11, 22))]


def test_ranges_as_people_type_them():
    assert ex.parse_range("01.09–30.11", TODAY) == (date(2026, 9, 1), date(2026, 11, 30))
    assert ex.parse_range("1.9 - 30.11.2026", TODAY) == (date(2026, 9, 1), date(2026, 11, 30))
    assert ex.parse_range("01.12–31.01", date(2027, 2, 10)) == (date(2026, 12, 1),
                                                                date(2027, 1, 31))  # fmt: skip
    assert ex.parse_range("2026-09-01..2026-11-30", TODAY) == (date(2026, 9, 1),
                                                               date(2026, 11, 30))  # fmt: skip
    for text, key in (
        ("вчера", "export.error.date"),
        ("31.02–01.03", "export.error.date"),
        ("30.11.2026–01.09.2026", "export.error.backwards"),
        ("01.12–20.12", "export.error.future"),
        ("01.01.2020–01.01.2026", "export.error.too_long"),
    ):
        with pytest.raises(UserError) as caught:
            ex.parse_range(text, TODAY)
        assert caught.value.key == key, text


async def test_periods_overlapping_a_range(session):
    crew = await make_team(session)
    periods = ex.periods_between(crew.team, date(2026, 11, 11), date(2026, 11, 17))
    assert [p.start for p in periods] == [WEEK_BEFORE, WEEK]


@pytest.fixture
async def export(session):
    crew = await make_team(session)
    await put_numbers(session, crew)
    await put(session, crew.members["gleb"], WEEK, {"sessions": None})  # «нет данных»
    session.add(Target(team_id=crew.team.id, kpi_code="cpa", value=Decimal(250), valid_from=WEEK))
    await session.commit()
    return await export_view.collect(session, crew.team, PERIODS, I18n().get("ru"))


async def test_csv_holds_every_answer_and_the_kpis(export):
    text = export_view.to_csv(export, I18n().get("ru")).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Тип", "Начало периода", "Конец периода", "Участник"]
    inputs = [r for r in body if r[0] == "цифра"]
    answers = sum(len(v) for by_member in NUMBERS.values() for v in by_member.values()) + 1
    assert len(inputs) == answers == 30
    assert ["цифра", "2026-11-16", "2026-11-22", "Анна Котова", "anna", "", "clicks", "Клики",
            "1000", "count", "", "", "", ""] in inputs  # fmt: skip
    no_data = next(r for r in inputs if r[3] == "Глеб Иванов")
    assert no_data[6] == "sessions" and no_data[8] == ""
    team = {(r[1], r[5], r[6]): r for r in body if r[0] == "KPI команды"}
    ctr = team[("2026-11-16", "Контекстолог", "ctr")]
    assert ctr[8] == "1.5"  # (1000 + 200) / (50000 + 30000)
    cpa = team[("2026-11-16", "Контекстолог", "cpa")]
    assert cpa[8:13] == ["300", "money", "250", "83.3", "отстаём"]
    members = {(r[1], r[3], r[6]): r for r in body if r[0] == "KPI участника"}
    assert members[("2026-11-16", "Вера Пак", "ctr")][8] == "0.6667"
    assert ("2026-11-09", "Вера Пак", "ctr") not in members  # she sent nothing that week


async def test_xlsx_has_a_sheet_per_table_with_real_numbers(export):
    book = openpyxl.load_workbook(io.BytesIO(export_view.to_xlsx(export)))
    assert book.sheetnames == ["Цифры", "KPI участников", "KPI команды"]
    team = book["KPI команды"]
    header = [c.value for c in team[1]]
    assert header[:3] == ["Начало периода", "Конец периода", "Участник"]
    rows = [[c.value for c in row] for row in team.iter_rows(min_row=2)]
    cpa = next(r for r in rows if r[5] == "cpa" and r[0].date() == WEEK)
    assert cpa[7] == 300 and cpa[9] == 250 and cpa[10] == pytest.approx(83.3)
    assert len(list(book["Цифры"].iter_rows(min_row=2))) == 30


GROUP = -100900


async def test_export_goes_to_the_lead_in_private(emu, database_url, clock):
    lead_and_anna(emu, GROUP)
    async with quick_app(emu, database_url, clock) as app:
        await onboard_lead_and_anna(emu, GROUP)
        async with session_maker(app.engine)() as s:
            anna = await s.scalar(select(Member).where(Member.user_id == ANNA))
            await put(s, anna, WEEK, NUMBERS[WEEK]["anna"])
            await s.commit()

        async def say(user_id: int, text: str, chat_id: int = GROUP):
            mark = emu.mark()
            emu.send(user_id, chat_id, text)
            return await emu.wait_for(chat_id, after=mark)

        assert "только ведущие" in (await say(ANNA, "/export")).plain
        assert "не диапазон дат" in (await say(LEAD, "/export вчера")).plain
        # Ольга never opened the private chat: the bot can't write there yet
        refusal = await say(LEAD, "/export")
        assert "ещё не запускали бота" in refusal.plain
        assert refusal.buttons[0][0][1] == "https://t.me/planerka_bot"
        await say(LEAD, "/start", chat_id=LEAD)
        mark = emu.mark()
        done = await say(LEAD, "/export")
        assert spaces(done.plain) == "📎 Выгрузка за 31 авг. – 22 нояб. — у вас в личном чате."
        await emu.wait_idle()
        files = [m for m in emu.messages(LEAD) if m.document and m.seq > mark]
        names = [m.document[0] for m in files]
        assert names == [
            "planerka_2026-08-31_2026-11-22.csv",
            "planerka_2026-08-31_2026-11-22.xlsx",
        ]
        assert "Анна" in files[0].document[1].decode("utf-8")
        assert not [m for m in emu.messages(GROUP) if m.document]  # nothing in the group
        assert "За 9–15 нояб. цифр нет" in spaces((await say(LEAD, "/export 09.11–15.11")).plain)
