"""The Mini App's API against the real bot, its aiohttp server and a real database: initData
checked as Telegram documents it, and every call authorised by the bot's own rules."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from sqlalchemy import select

from bot.webapp import auth
from models.db import session_maker
from models.tables import Task
from tests.support.app import TOKEN
from tests.support.webapp import (
    ANNA,
    BORIS,
    GROUP,
    LEAD,
    REVENUE_PLAN,
    STRANGER,
    VERA,
    api,
    build_team,
    dashboard_app,
    init_data,
)


@pytest.fixture
async def fx(emu, database_url, clock):
    async with dashboard_app(emu, database_url, clock) as app:
        yield await build_team(emu, app)


def test_init_data_is_checked_as_telegram_documents():
    now = auth.datetime(2026, 11, 23, 5, 0, tzinfo=auth.UTC)
    good = init_data(ANNA, now, start_param="7")
    user = auth.validate(good, TOKEN, now)
    assert (user.id, user.first_name, user.start_param) == (ANNA, "Анна", "7")
    fields = dict(parse_qsl(good))
    # the documented construction, spelled out independently of the module
    import hashlib
    import hmac

    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash")
    assert fields["hash"] == hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()

    def refused(text: str, at=now) -> str:
        with pytest.raises(auth.InitDataError) as caught:
            auth.validate(text, TOKEN, at)
        return caught.value.reason

    assert refused(init_data(ANNA, now, token="654321:OTHER-TOKEN-xyz")) == "bad hash"
    tampered = dict(fields, user=fields["user"].replace(str(ANNA), str(LEAD)))
    assert refused(urlencode(tampered)) == "bad hash"
    assert refused(init_data(ANNA, now - timedelta(hours=24, seconds=1))) == "expired"
    assert auth.validate(init_data(ANNA, now - timedelta(hours=23)), TOKEN, now).id == ANNA
    assert refused(init_data(ANNA, now + timedelta(hours=1))) == "from the future"
    assert refused("") == "missing"
    assert refused(good + "&hash=00") == "repeated field"
    assert auth.from_header(f"tma {good}") == good
    assert auth.from_header(f"Bearer {good}") == ""


async def test_me_needs_valid_init_data_and_lists_teams_with_roles(fx, clock):
    now = clock()
    assert (await api(fx, "/api/me", None))[0] == 401
    status, body = await api(fx, "/api/me", init_data(ANNA, now, token="654321:OTHER-TOKEN-xyz"))
    assert status == 401 and "Telegram" in body["error"]
    expired = init_data(ANNA, now - timedelta(hours=25))
    assert (await api(fx, "/api/me", expired))[0] == 401

    status, body = await api(fx, "/api/me", init_data(ANNA, now))
    assert status == 200
    assert body["teams"] == [
        {"id": fx.team_id, "title": "Маркетинг", "role": "member", "member_id": fx.members[ANNA]}
    ]
    assert body["locale"] == "ru" and body["texts"]["webapp.tab.tasks"] == "Задачи"
    status, body = await api(fx, "/api/me", init_data(LEAD, now, start_param=str(fx.team_id)))
    assert [(x["id"], x["role"]) for x in body["teams"]] == [(fx.team_id, "lead")]
    assert body["team_id"] == fx.team_id
    status, body = await api(fx, "/api/me", init_data(STRANGER, now))
    assert [x["id"] for x in body["teams"]] == [fx.other_team_id]
    assert body["texts"]["webapp.tab.tasks"] == "Tasks"  # Сергей's Telegram speaks English
    status, body = await api(fx, "/api/me", init_data(VERA, now))
    assert body["teams"] == []  # a former member


async def test_the_scorecard_has_13_weeks_with_the_bots_numbers(fx, clock, emu):
    status, body = await api(fx, f"/api/teams/{fx.team_id}/scorecard", init_data(ANNA, clock()))
    assert status == 200
    assert [p["key"] for p in body["periods"]] == [p.start.isoformat() for p in fx.periods]
    ads = next(g for g in body["groups"] if g["role"] == "context_ads_specialist")
    assert [o["name"] for o in ads["owners"]] == ["Анна", "Борис"]
    row = next(r for r in ads["rows"] if r["kpi"] == "revenue")
    statuses = [c["status"] for c in row["cells"]]
    assert statuses == ["off_track"] * 5 + ["at_risk"] * 5 + ["on_track"] * 3
    assert (row["cells"][0]["mark"], row["cells"][-1]["mark"]) == ("🔴", "🟢")
    assert row["cells"][-1]["raw"] == 104000 and row["cells"][-1]["plan_raw"] == REVENUE_PLAN
    assert row["total"].replace("\xa0", " ").startswith("1 196 000")  # 13 weeks summed
    ctr = next(r for r in ads["rows"] if r["kpi"] == "ctr")
    assert ctr["total"] == ""  # a ratio doesn't add up
    # the same line as the bot's /summary in the group
    mark = emu.mark()
    emu.send(BORIS, GROUP, "/summary")
    answer = await emu.wait_for(GROUP, "Выручка", after=mark)
    assert row["cells"][-1]["text"] in answer.plain


async def test_every_kpi_string_of_the_dashboard_is_the_bots_own(fx, clock, emu):
    """Issue 13: the dashboard writes no number of its own. Every row's latest cell is, word
    for word, the line the bot's /summary writes for the same period and role: value, change,
    «(по N из M)», plan and attainment, and its mark."""
    status, body = await api(fx, f"/api/teams/{fx.team_id}/scorecard", init_data(LEAD, clock()))
    assert status == 200
    mark = emu.mark()
    emu.send(LEAD, GROUP, "/summary")
    answer = (await emu.wait_for(GROUP, "Выручка", after=mark)).plain
    blocks = {}  # role title → its part of the summary
    for group in body["groups"]:
        start = answer.index(group["title"])
        blocks[group["role"]] = answer[start:]
    checked = 0
    for group in body["groups"]:
        for row in group["rows"]:
            cell = row["cells"][-1]
            if cell["status"] == "no_data":  # the bot says it once for the role
                assert cell["value"] == "н/д" and cell["mark"] == "⚪"
                assert blocks[group["role"]].split("\n")[1] == "⚪ нет данных за период"
                continue
            assert cell["text"] in blocks[group["role"]], (group["role"], cell["text"])
            assert cell["text"].startswith(cell["mark"])
            assert cell["value"] in cell["text"] and cell["change"] in cell["text"]
            checked += 1
    assert checked == 10  # two roles with numbers, five KPIs each


async def test_the_scorecard_grouped_by_the_agendas_topics(fx, clock, emu):
    """Issue 13: rows by the ten agenda topics, in the agenda's order and under the topics the
    agenda lists them (the catalogue's KPI.topics); each row names its role."""
    path = f"/api/teams/{fx.team_id}/scorecard"
    status, by_role = await api(fx, path, init_data(LEAD, clock()))
    status, body = await api(fx, path + "?by=topic", init_data(LEAD, clock()))
    assert status == 200 and body["by"] == "topic" and by_role["by"] == "role"
    assert [g["title"] for g in body["groups"]] == [
        "Конверсии", "CAC и LTV", "ROI", "Рекламный бюджет", "Социальные медиа",
        "Аналитика и отчетность",
    ]  # fmt: skip
    roi = next(g for g in body["groups"] if g["topic"] == "roi")
    assert [(r["role_title"], r["kpi"]) for r in roi["rows"]] == [
        ("Контекстолог", "roas"),
        ("Контекстолог", "revenue"),
        ("Руководитель интернет-маркетинга", "revenue"),
        ("Руководитель интернет-маркетинга", "drr"),
    ]
    # the same rows as by role, only regrouped: every (role, KPI) once, with the same cells
    rows = {(r["role"], r["kpi"]): r for g in by_role["groups"] for r in g["rows"]}
    regrouped = {(r["role"], r["kpi"]): r for g in body["groups"] for r in g["rows"]}
    assert regrouped == rows
    # the agenda's topics hold the same KPIs
    mark = emu.mark()
    emu.send(LEAD, GROUP, "/agenda")
    agenda = (await emu.wait_for(GROUP, "ROI", after=mark)).plain
    assert agenda.index("Конверсии") < agenda.index("CAC и LTV") < agenda.index("ROI")
    # a grouping the page doesn't know is refused with the reason
    status, body = await api(fx, path + "?by=mood", init_data(LEAD, clock()))
    assert status == 400 and "«mood»" in body["error"] and "topic" in body["error"]


async def test_a_cell_shows_who_gave_what_everyone_only_to_leads(fx, clock):
    last = fx.periods[-1].start.isoformat()
    path = f"/api/teams/{fx.team_id}/cell?role=context_ads_specialist&kpi=revenue&period={last}"
    status, body = await api(fx, path, init_data(LEAD, clock()))
    assert status == 200
    people = {p["name"]: p["value"].replace("\xa0", " ") for p in body["people"]}
    assert people == {"Анна": "54 000 ₽", "Борис": "50 000 ₽"} and body["hidden"] == 0
    status, body = await api(fx, path, init_data(ANNA, clock()))
    assert [p["name"] for p in body["people"]] == ["Анна"] and body["hidden"] == 1


async def test_other_teams_former_members_and_other_peoples_numbers_are_refused(fx, clock):
    now = clock()
    team = f"/api/teams/{fx.team_id}"
    status, body = await api(fx, f"{team}/scorecard", init_data(STRANGER, now))
    assert status == 403 and body["error"] == "You are not a member of this team."
    assert (await api(fx, f"{team}/tasks", init_data(STRANGER, now)))[0] == 403
    assert (await api(fx, f"{team}/scorecard", init_data(VERA, now)))[0] == 403
    status, body = await api(fx, f"{team}/members/{fx.members[BORIS]}", init_data(ANNA, now))
    assert status == 403 and body["error"] == "Чужие цифры видят только ведущие."
    status, body = await api(fx, f"{team}/members/{fx.members[ANNA]}", init_data(ANNA, now))
    assert status == 200 and body["name"] == "Анна"
    status, body = await api(fx, f"{team}/members/{fx.members[BORIS]}", init_data(LEAD, now))
    assert status == 200 and {g["role"] for g in body["groups"]} == {
        "context_ads_specialist",
        "targetologist",
    }
    other = f"/api/teams/{fx.other_team_id}/scorecard"
    assert (await api(fx, other, init_data(ANNA, now)))[0] == 403
    assert (await api(fx, "/api/teams/abc/scorecard", init_data(ANNA, now)))[0] == 403


async def test_tasks_done_by_whom_the_bot_allows_and_the_group_is_told(fx, clock, emu):
    now = clock()
    team = f"/api/teams/{fx.team_id}"
    status, body = await api(fx, f"{team}/tasks", init_data(ANNA, now))
    states = {t["text"]: (t["state"], t["can_edit"]) for t in body["tasks"]}
    assert states == {
        "Поднять CTR <b>кампании</b>": ("open", True),
        "Запустить ретаргетинг": ("overdue", False),
    }
    boris_task = f"{team}/tasks/{fx.tasks['boris_overdue']}"
    status, body = await api(fx, f"{boris_task}/done", init_data(ANNA, now), method="POST")
    assert status == 403
    assert body["error"] == "Это может только ответственный за задачу или ведущий."
    status, body = await api(
        fx, f"{boris_task}/due", init_data(LEAD, now), method="POST", body={"due": "вчера"}
    )
    assert status == 400
    status, body = await api(
        fx, f"{boris_task}/due", init_data(LEAD, now), method="POST", body={"due": "2026-12-04"}
    )
    assert status == 200
    mark = emu.mark()
    anna_task = f"{team}/tasks/{fx.tasks['anna']}"
    status, body = await api(fx, f"{anna_task}/done", init_data(ANNA, now), method="POST")
    assert status == 200
    posted = await emu.wait_for(GROUP, "Задача выполнена", after=mark)
    assert "Поднять CTR <b>кампании</b>" in posted.plain  # as text, not markup
    assert (await api(fx, f"{anna_task}/done", init_data(ANNA, now), method="POST"))[0] == 409
    async with session_maker(fx.app.engine)() as s:
        tasks = {t.id: t for t in await s.scalars(select(Task))}
    assert tasks[fx.tasks["anna"]].status == "done"
    assert tasks[fx.tasks["boris_overdue"]].due.isoformat() == "2026-12-04"


async def test_minutes_archive_and_menu_button(fx, clock, emu):
    status, body = await api(fx, f"/api/teams/{fx.team_id}/meetings", init_data(BORIS, clock()))
    assert status == 200 and body["meetings"][0]["text"].startswith("Итоги планёрки")
    calls = [params for method, params in emu.calls if method == "setChatMenuButton"]
    assert calls and "https://planerka.example/app/" in str(calls[-1])


async def test_entry_points_a_web_app_button_in_private_a_direct_link_in_the_group(fx, emu):
    mark = emu.mark()
    emu.send(ANNA, ANNA, "/summary")
    card = await emu.wait_for(ANNA, after=mark, predicate=lambda m: bool(m.photos))
    rows = card.reply_markup["inline_keyboard"]
    assert rows[-1][0]["text"] == "📊 Дашборд"
    assert rows[-1][0]["web_app"] == {"url": "https://planerka.example/app/"}
    mark = emu.mark()
    emu.send(BORIS, GROUP, "/agenda")
    agenda = await emu.wait_for(GROUP, after=mark)
    await emu.wait_idle()
    last = emu.messages(GROUP)[-1]
    button = last.reply_markup["inline_keyboard"][0][0]
    assert button["url"] == f"https://t.me/planerka_bot/dashboard?startapp={fx.team_id}"
    assert "web_app" not in button  # web_app buttons work only in private chats
    assert agenda.seq <= last.seq


async def test_in_webhook_mode_the_mini_app_is_served_by_the_webhooks_server(
    emu, database_url, clock
):
    from tests.support.app import bot_running, make_settings
    from tests.support.webhook import free_port

    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    port = free_port()
    settings = make_settings(
        emu,
        database_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_host="127.0.0.1",
        webhook_port=port,
        webapp_url=f"http://127.0.0.1:{port}/app/",
    )
    async with (
        bot_running(emu, settings, clock=clock, tick_seconds=3600) as app,
        aiohttp.ClientSession() as http,
    ):
        assert app.webapp is None  # no second server: the webhook's serves /app/
        async with http.get(f"http://127.0.0.1:{port}/app/") as page:
            assert page.status == 200 and "telegram-web-app.js" in await page.text()
        async with http.get(f"http://127.0.0.1:{port}/app/static/telegram-web-app.js") as js:
            assert js.status == 200 and "Telegram" in await js.text()
        async with http.get(f"http://127.0.0.1:{port}/app/api/me") as refused:
            assert refused.status == 401
        headers = {"Authorization": f"tma {init_data(ANNA, clock())}"}
        async with http.get(f"http://127.0.0.1:{port}/app/api/me", headers=headers) as me:
            assert me.status == 200 and (await me.json())["teams"] == []
