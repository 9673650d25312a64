"""Issue 12, finding 15: a person in several teams who runs a team command in private gets a
team picker (validated on the press) instead of a guess or a refusal; a group admin who never
joined gets told where the command works for them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from demo.scenario import join_team, register_team
from models.db import session_maker
from models.tables import Answer, Member, Team
from tests.support.checkins import (
    ANNA,
    GROUP,
    LEAD,
    ROLES,
    buttons,
    people,
    plain,
    quick_app,
    say,
    tap,
)

OTHER = -100401  # a second team: «Продажи»


@pytest.fixture
async def app(emu, database_url, clock):
    async with quick_app(emu, database_url, clock) as running_app:
        yield running_app


async def two_teams(emu) -> None:
    people(emu)
    emu.add_group(OTHER, "Продажи", creator=LEAD, members=[ANNA])
    for group in (GROUP, OTHER):
        await register_team(emu, group, LEAD)
        await join_team(emu, group, ANNA, ROLES[ANNA])


async def test_summary_in_private_lets_a_member_of_two_teams_pick(emu, app):
    await two_teams(emu)
    pick = await say(emu, ANNA, "/summary")
    assert "Вы в нескольких командах" in plain(pick) and "/summary" in plain(pick)
    assert sorted(b.lstrip("• ") for b in buttons(pick)) == ["Маркетинг", "Продажи"]
    summary = await tap(emu, ANNA, pick, "Продажи")
    assert "Продажи" in plain(summary)
    # The press chose the team: the mark shows it next time, the picker is still asked.
    await emu.wait_idle()
    again = await say(emu, ANNA, "/summary", contains="нескольких")
    assert "• Продажи" in buttons(again)


async def test_a_lead_of_two_teams_picks_for_export_and_status(emu, app):
    await two_teams(emu)
    await say(emu, LEAD, "/start")
    # Never joined either team: told where the commands work.
    assert "/export в группе команды" in plain(await say(emu, LEAD, "/export"))
    assert "/status в группе команды" in plain(await say(emu, LEAD, "/status"))
    for group in (GROUP, OTHER):
        await join_team(emu, group, LEAD, ROLES[LEAD])

    pick = await say(emu, LEAD, "/status")
    assert sorted(b.lstrip("• ") for b in buttons(pick)) == ["Маркетинг", "Продажи"]
    status = await tap(emu, LEAD, pick, "Маркетинг")
    assert "Сбор цифр за" in plain(status) or "откроется" in plain(status), plain(status)

    async with session_maker(app.engine)() as s:  # numbers in «Продажи» only
        anna = await s.scalar(
            select(Member.id)
            .join(Team, Team.id == Member.team_id)
            .where(Team.chat_id == OTHER, Member.user_id == ANNA)
        )
        s.add(
            Answer(
                member_id=anna,
                period_start=date(2026, 11, 16),
                input_code="spend",
                value=Decimal(700),
            )
        )
        await s.commit()
    pick = await say(emu, LEAD, "/export")
    nothing = await tap(emu, LEAD, pick, "Маркетинг")
    assert "выгружать нечего" in plain(nothing)
    pick = await say(emu, LEAD, "/export")
    mark = emu.mark()
    emu.press(LEAD, pick, "Продажи")
    await emu.wait_idle()
    sent = [m for m in emu.messages(LEAD) if m.seq > mark]
    assert any("Продажи" in (m.plain or "") for m in sent), [m.plain for m in sent]


async def test_a_crafted_pick_is_refused_and_changes_nothing(emu, app):
    await two_teams(emu)
    pick = await say(emu, ANNA, "/summary")
    team_ids = [data.split(":")[-1] for row in pick.buttons for _, data in row]
    # Анна is no lead: an export or a status of her team pressed by hand is refused.
    for data in (f"pt:export:{team_ids[0]}", f"pt:status:{team_ids[0]}", "pt:summary:999999"):
        mark = emu.mark()
        query_id = emu.press(ANNA, pick, data, crafted=True)
        answer = await emu.wait_answer(query_id)
        assert answer["show_alert"] and "недоступна" in answer["text"], (data, answer)
        await emu.wait_idle()
        assert [m for m in emu.messages(ANNA) if m.seq > mark and not m.edits] == []
    mark = emu.mark()
    query_id = emu.press(ANNA, pick, "pt:bogus:1", crafted=True)
    assert (await emu.wait_answer(query_id))["show_alert"]
