"""The demo's last stage: Ольга opens the Mini App from the digest's link. The page is served
by the bot itself; a headless Chromium (if Playwright and Chromium are installed) plays her
phone: the scorecard (by role and by the agenda's topics), a cell's breakdown, a member's card,
a task closed (the bot tells the group) and the dark theme, saved as demo-output/dashboard*.png.
Without a browser the same calls go to the API and the screenshots are skipped with a note.
With --serve the dashboard keeps being served and a link signed for Ольга is printed."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.webapp import auth
from demo import browser

if TYPE_CHECKING:
    from demo.run import Demo


def digest_link(demo: Demo) -> str | None:
    """The Mini App's direct link under the digest in the group."""
    from demo.digest import DIGEST_TITLE
    from demo.run import GROUP

    messages = demo.emu.messages(GROUP)
    start = next((m.seq for m in messages if m.plain and DIGEST_TITLE in m.plain), None)
    for message in messages:
        if start is None or message.seq < start:
            continue
        for row in (message.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if "startapp=" in button.get("url", ""):
                    return button["url"]
    return None


def signed_link(demo: Demo, team: str) -> str:
    """What Telegram opens for Ольга: the page, with her initData signed by the bot's token."""
    first, last = demo.lead.name.split(" ", 1)
    user = {
        "id": demo.lead.user_id,
        "first_name": first,
        "last_name": last,
        "username": demo.lead.username,
        "language_code": "ru",
    }
    token = demo.app.runtime.settings.bot_token
    assert token is not None and demo.app.webapp is not None
    init = auth.sign(user, token.get_secret_value(), demo.app.runtime.now(), start_param=team)
    return auth.page_link(demo.app.webapp.url, init, browser.LIGHT)


async def dashboard(demo: Demo) -> None:
    link = digest_link(demo)
    if link is None or demo.app.webapp is None:
        demo.say("No dashboard link under the digest (WEBAPP_URL unset): the Mini App is skipped")
        return
    team = parse_qs(urlsplit(link).query)["startapp"][0]
    demo.say(f"Ольга taps «📊 Открыть дашборд» under the digest: {link}")
    page = signed_link(demo, team)
    if browser.available():
        try:
            await _in_browser(demo, page)
        except Exception as error:  # the demo goes on without pictures
            demo.say(f"Screenshots skipped: the browser failed ({error})")
            await _through_api(demo, page)
    else:
        await _through_api(demo, page)
        demo.say(
            "Screenshots skipped: Playwright and Chromium aren't installed "
            "(python3 dev.py test installs Playwright; apt-get install chromium)"
        )
    if demo.serve:
        demo.say("Serving the dashboard; open this link in a browser (Ctrl+C stops):")
        print(page, flush=True)
        await asyncio.Event().wait()


async def _in_browser(demo: Demo, url: str) -> None:
    from playwright.async_api import async_playwright

    from demo.run import GROUP

    out = demo.out
    async with async_playwright() as playwright:
        chromium = await browser.launch(playwright)
        try:
            page = await chromium.new_page(viewport=browser.PHONE, device_scale_factor=2)
            await page.goto(url)
            await page.wait_for_selector("[data-testid=scorecard]")
            await page.screenshot(path=out / "dashboard.png")
            cells = page.locator("td.cell:not(.no_data)")
            count = await cells.count()
            rows = await page.locator("[data-testid=scorecard] tbody tr").count()
            demo.say(f"The scorecard: {rows} KPIs × 13 weeks, {count} cells with numbers")
            await page.click("[data-testid=group-topic]")  # by the agenda's ten topics
            await page.wait_for_selector("[data-testid=scorecard][data-by=topic]")
            await page.screenshot(path=out / "dashboard-topics.png")
            topics = await page.locator("[data-testid=group] h2").count()
            demo.say(f"By the agenda's topics: {topics} groups")
            await page.click("[data-testid=group-role]")
            await page.wait_for_selector("[data-testid=scorecard][data-by=role]")
            if count:
                cell = page.locator("tbody tr:has(td.cell:not(.no_data))").first
                await cell.locator("td.cell").last.click()
                await page.wait_for_selector("[data-testid=breakdown]")
                await page.screenshot(path=out / "dashboard-cell.png")
                await page.click("[data-testid=sheet-close]")
            await page.click("[data-testid=tab-members]")
            anna = demo.team[0]
            await page.click(f"[data-testid=members] li.clickable:has-text('{anna.name}')")
            await page.wait_for_selector("[data-testid=member-card]")
            await page.screenshot(path=out / "dashboard-member.png")
            await page.click("[data-testid=tab-tasks]")
            await page.wait_for_selector("[data-testid=tasks]")
            done = page.locator("[data-testid=task-done]")
            if await done.count():
                text = await page.locator("[data-testid=task]").first.locator(".text").inner_text()
                mark = demo.emu.mark()
                await done.first.click()
                await demo.emu.wait_for(GROUP, "Задача выполнена", after=mark, timeout=30)
                await page.wait_for_selector("[data-testid=task-message]:has-text('✅')")
                demo.say(f"Ольга closes «{text}» on the board; the bot tells the group")
            await page.screenshot(path=out / "dashboard-tasks.png")
            await page.click("[data-testid=tab-scorecard]")
            await page.evaluate(
                "theme => Telegram.WebView.receiveEvent('theme_changed', {theme_params: theme})",
                browser.DARK,
            )
            await page.wait_for_selector("[data-testid=scorecard]")
            await page.screenshot(path=out / "dashboard-dark.png")
        finally:
            await chromium.close()
    files = sorted(p.name for p in out.glob("dashboard*.png"))
    demo.say(f"The dashboard at phone size (390×844) is saved to {out}: " + ", ".join(files))


async def _through_api(demo: Demo, url: str) -> None:
    """The page's own calls, without a browser: the scorecard, and a task closed."""
    from demo.run import GROUP

    init = parse_qs(urlsplit(url).fragment)["tgWebAppData"][0]
    headers = {"Authorization": f"tma {init}"}
    api = url.split("#", 1)[0] + "api"
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{api}/me") as response:
            me = await response.json()
        team = me["team_id"]
        async with http.get(f"{api}/teams/{team}/scorecard") as response:
            card = await response.json()
        rows = sum(len(g["rows"]) for g in card["groups"])
        demo.say(f"The scorecard (API): {rows} KPIs × {len(card['periods'])} weeks")
        async with http.get(f"{api}/teams/{team}/tasks") as response:
            tasks = [t for t in (await response.json())["tasks"] if t["can_edit"]]
        if tasks:
            mark = demo.emu.mark()
            async with http.post(f"{api}/teams/{team}/tasks/{tasks[0]['id']}/done") as response:
                response.raise_for_status()
            await demo.emu.wait_for(GROUP, "Задача выполнена", after=mark, timeout=30)
            demo.say(f"Ольга closes «{tasks[0]['text']}»; the bot tells the group")
