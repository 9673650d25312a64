"""The Mini App in a real browser (Debian's Chromium via Playwright) against the real bot, its
server and a real database: a phone-size page signed in with initData made with the bot's
token, the fixture's numbers, plans and colours, a cell's breakdown, the KPI trend, a member's
card, a task marked done (the bot tells the group), and the dark theme."""

from __future__ import annotations

import os

import pytest

from tests.support.browser import DARK, PHONE, app_url, chromium_present, launch
from tests.support.webapp import ANNA, BORIS, GROUP, LEAD, build_team, dashboard_app, init_data


@pytest.fixture
async def fx(emu, database_url, clock):
    async with dashboard_app(emu, database_url, clock) as app:
        yield await build_team(emu, app)


@pytest.fixture
async def browser():
    if not chromium_present():
        if os.environ.get("PLANERKA_REQUIRE_SERVERS") == "1":
            pytest.fail(
                "Chromium is required (PLANERKA_REQUIRE_SERVERS=1): apt-get install chromium"
            )
        pytest.skip("Chromium isn't installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await launch(playwright)
        yield chromium
        await chromium.close()


async def open_page(browser, fx, user_id: int, **sign):
    page = await browser.new_page(viewport=PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    url = app_url(fx.base, init_data(user_id, fx.app.runtime.now(), **sign))
    await page.goto(url)
    return page, errors


def spaced(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def test_the_lead_sees_13_weeks_with_plans_and_colours_and_a_cells_breakdown(
    browser, fx, emu
):
    page, errors = await open_page(browser, fx, LEAD, start_param=str(fx.team_id))
    await page.wait_for_selector("[data-testid=scorecard]")
    assert await page.text_content("[data-testid=team-title]") == "Маркетинг"
    row = page.locator("tr[data-role=context_ads_specialist][data-kpi=revenue]")
    cells = row.locator("td.cell")
    assert await cells.count() == 13
    statuses = [await cells.nth(i).get_attribute("data-status") for i in range(13)]
    assert statuses == ["off_track"] * 5 + ["at_risk"] * 5 + ["on_track"] * 3
    last, first = cells.nth(12), cells.nth(0)
    assert spaced(await last.inner_text()) == "🟢104 000 ₽"
    assert spaced(await first.inner_text()) == "🔴80 000 ₽"
    assert "План: 100 000 ₽" in spaced(await row.locator("td.kpi").inner_text())
    colour = "el => getComputedStyle(el).backgroundColor"
    on, off, risk = (
        await last.evaluate(colour),
        await first.evaluate(colour),
        await cells.nth(7).evaluate(colour),
    )
    assert len({on, off, risk}) == 3 and "rgba(0, 0, 0, 0)" not in {on, off, risk}
    assert spaced(await row.locator("[data-col=total]").inner_text()) == "1 196 000 ₽"

    # a phone shows the latest four weeks; the older ones are a scroll away
    box = row.locator("xpath=ancestor::div[contains(@class,'scroll')]")
    frame = await box.bounding_box()
    visible = 0
    for i in range(13):
        cell = await cells.nth(i).bounding_box()
        if (
            cell["x"] >= frame["x"] + 99
            and cell["x"] + cell["width"] <= frame["x"] + frame["width"] + 1
        ):
            visible += 1
    assert visible >= 4
    assert await box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert await last.is_visible()

    # the same line as the bot's /summary
    mark = emu.mark()
    emu.send(BORIS, GROUP, "/summary")
    answer = await emu.wait_for(GROUP, "Выручка", after=mark)
    assert (await last.get_attribute("title")) in answer.plain

    await last.click()
    sheet = page.locator("[data-testid=breakdown]")
    await sheet.wait_for()
    people = [
        spaced(x) for x in await sheet.locator("[data-testid=contribution]").all_inner_texts()
    ]
    assert people[0].startswith("Анна — 54 000 ₽") and people[1].startswith("Борис — 50 000 ₽")
    await page.click("[data-testid=sheet-close]")
    await sheet.wait_for(state="hidden")

    await page.click(
        "tr[data-role=context_ads_specialist][data-kpi=revenue] [data-testid=kpi-link]"
    )
    trend = page.locator("[data-testid=trend]")
    await trend.wait_for()
    assert await trend.locator("circle").count() == 13
    assert await trend.locator("[data-testid=plan-line]").count() == 1
    assert errors == []


async def test_the_lead_switches_the_scorecard_to_the_agendas_topics_and_back(browser, fx):
    page, errors = await open_page(browser, fx, LEAD, start_param=str(fx.team_id))
    await page.wait_for_selector("[data-testid=scorecard][data-by=role]")
    toggle = page.locator("[data-testid=grouping] button")
    assert await toggle.all_inner_texts() == ["По ролям", "По темам планёрки"]
    assert await page.get_attribute("[data-testid=group-role]", "aria-pressed") == "true"
    roles = await page.locator("[data-testid=group] h2").all_inner_texts()
    assert roles == ["Контекстолог", "Руководитель интернет-маркетинга", "Таргетолог"]

    await page.click("[data-testid=group-topic]")
    await page.wait_for_selector("[data-testid=scorecard][data-by=topic]")
    topics = await page.locator("[data-testid=group] h2").all_inner_texts()
    assert topics == [
        "Конверсии", "CAC и LTV", "ROI", "Рекламный бюджет", "Социальные медиа",
        "Аналитика и отчетность",
    ]  # fmt: skip
    assert "by=topic" in page.url  # remembered in the page's URL
    roi = page.locator("[data-testid=group][data-group=roi] + div.scroll")
    row = roi.locator("tr[data-role=context_ads_specialist][data-kpi=revenue]")
    assert await row.locator("[data-testid=row-role]").inner_text() == "Контекстолог"
    cells = row.locator("td.cell")
    assert await cells.count() == 13
    assert spaced(await cells.nth(12).inner_text()) == "🟢104 000 ₽"
    assert await cells.nth(0).get_attribute("data-status") == "off_track"
    # a tap still shows who gave what, for the row's own role
    await cells.nth(12).click()
    sheet = page.locator("[data-testid=breakdown]")
    await sheet.wait_for()
    assert "Контекстолог" in await sheet.inner_text()
    await page.click("[data-testid=sheet-close]")

    await page.reload()  # the grouping stays
    await page.wait_for_selector("[data-testid=scorecard][data-by=topic]")
    assert await page.get_attribute("[data-testid=group-topic]", "aria-pressed") == "true"
    await page.click("[data-testid=group-role]")
    await page.wait_for_selector("[data-testid=scorecard][data-by=role]")
    assert "by=topic" not in page.url
    assert errors == []


async def test_a_member_card_a_task_done_and_the_dark_theme(browser, fx, emu):
    page, errors = await open_page(browser, fx, ANNA)
    await page.wait_for_selector("[data-testid=scorecard]")
    await page.click("[data-testid=tab-members]")
    await page.click(f"[data-member='{fx.members[ANNA]}']")
    card = page.locator("[data-testid=member-card]")
    await card.wait_for()
    assert "Анна" in await card.locator("h2").first.inner_text()
    own = card.locator("tr[data-kpi=revenue] td.cell")
    # her own 54 000 against the role's plan of 100 000, as her /summary in private says it
    assert spaced(await own.nth(12).inner_text()) == "🔴54 000 ₽"
    # Борис's numbers are for leads: his row isn't clickable for Анна
    assert await page.locator(f"[data-member='{fx.members[BORIS]}'].clickable").count() == 0

    await page.click("[data-testid=tab-tasks]")
    task = page.locator("[data-testid=task]", has_text="Поднять CTR")
    await task.wait_for()
    assert await task.locator(".text").inner_text() == "Поднять CTR <b>кампании</b>"
    overdue = page.locator("[data-testid=task].overdue")
    assert await overdue.locator("[data-testid=task-done]").count() == 0  # Борис's, not hers
    mark = emu.mark()
    await task.locator("[data-testid=task-done]").click()
    posted = await emu.wait_for(GROUP, "Задача выполнена", after=mark)
    assert "Поднять CTR <b>кампании</b> — Анна" in posted.plain
    await page.wait_for_selector("[data-testid=task-message]:has-text('✅')")
    await page.click("[data-filter=done]")
    assert await page.locator("[data-testid=task].done", has_text="Поднять CTR").count() == 1

    light = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    await page.evaluate(
        "theme => Telegram.WebView.receiveEvent('theme_changed', {theme_params: theme})", DARK
    )
    await page.wait_for_function("document.documentElement.dataset.scheme === 'dark'")
    dark = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (light, dark) == ("rgb(255, 255, 255)", "rgb(23, 33, 43)")
    assert errors == []


async def test_a_page_signed_with_another_token_shows_the_reason(browser, fx):
    page, _ = await open_page(browser, fx, ANNA, token="654321:OTHER-TOKEN-xyz")
    error = page.locator("[data-testid=error]")
    await error.wait_for()
    assert "Telegram" in await error.inner_text()
