"""The weekly digest: its numbers against hand-computed values (the table in
tests/support/digest.py), its chart specs, and the `planerka digest` preview."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpi import Period, format_period
from models.tables import Target
from services.reports import summary as sm
from tests.support.digest import NOW, WEEK, WEEK_BEFORE, add_tasks, make_team, put_numbers
from tests.support.text import spaces
from views import digest as digests
from views.i18n import I18n

PERIOD = Period(WEEK, date(2026, 11, 22))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def crew(session):
    crew = await make_team(session)
    await put_numbers(session, crew)
    await add_tasks(session, crew)
    team = crew.team
    session.add_all(
        [
            Target(team_id=team.id, kpi_code="cpa", value=Decimal(250), valid_from=WEEK_BEFORE),
            Target(team_id=team.id, kpi_code="conversion_rate", value=Decimal(4), valid_from=WEEK),
            Target(
                team_id=team.id,
                role_code="targetologist",
                kpi_code="leads",
                value=Decimal(100),
                valid_from=WEEK,
            ),
        ]
    )
    await session.commit()
    return crew


def section(text: str, title: str) -> list[str]:
    """The lines of a digest section up to the next blank line."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if title in line)
    out = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        out.append(line)
    return out


async def test_the_digest_text_against_hand_computed_numbers(session, crew):
    digest = await digests.build(session, crew.team, PERIOD, I18n().get("ru"), now=NOW)
    text = spaces(digest.text)
    assert text.startswith("📊 <b>Итоги недели · 16–22 нояб.</b>\nКоманда «Маркетинг»")
    assert "опозданием" not in text
    headline = section(text, "<b>Главное</b>")
    # spend 10000+5000+8000 against the same people's 8000+8000 the week before
    assert "❌ Расход на рекламу: <b>23 000 ₽</b> · ▲ 43,8 %" in headline
    assert "✅ Выручка: <b>75 000 ₽</b> · ▲ 50 %" in headline
    # CPA over the whole team: 23000 / (40+10+50) = 230 against a plan of 250
    assert "✅ CPA, цена конверсии: <b>230 ₽</b> · ▼ 6,6 % · план 250 ₽ (108,7 %)" in headline
    movers = section(text, "Сильнее всего изменились")
    assert movers == [
        # contextologists' conversion: 50/1200 = 4,17 % against Анна's 25/1000 = 2,5 %
        "👍 Конверсия (Контекстолог): 4,2 % · ▲ 1,67 п.п.",
        "👍 Общий объем продаж через контекстную рекламу (Контекстолог): 75 000 ₽ · ▲ 50 %",
        "👍 KPI по вовлеченности (лайки, комментарии, переходы) (Таргетолог): 7,5 % · ▲ 2,5 п.п.",
    ]
    anomalies = section(text, "Колебания конверсий")
    assert anomalies[0].startswith("⚡ Вовлечённость (ER): 7,5 % против 5 % в среднем (+50 %)")
    # 100/3200 = 3,125 % against 65/2600 = 2,5 %: +25 %
    assert anomalies[1].startswith(
        "⚡ Конверсия клика в целевое действие: 3,1 % против 2,5 % в среднем (+25 %)"
    )
    assert not any(line.startswith("⚡ CTR") for line in anomalies)  # −17,9 %: under 20 %
    targets = section(text, "<b>Планы</b>")
    assert targets == [
        "Выполнен 1 план:",
        "✅ Конверсия (Контекстолог): 4,2 % при плане 4 % (104,2 %)",
        "Не выполнены 3 плана:",
        "❌ CPA (cost per acquisition) (Контекстолог): 300 ₽ при плане 250 ₽ (83,3 %)",
        "❌ Конверсия кампании (Таргетолог): 2,5 % при плане 4 % (62,5 %)",
        "❌ Объем генерируемых лидов/продаж (Таргетолог): 80 при плане 100 (80 %)",
    ]
    assert section(text, "<b>Отчитались:</b> 3 из 4") == ["Нет ответа: Глеб Иванов"]
    assert (
        "<b>Задачи:</b> выполнено 2 из 3 со сроком в этом периоде (66,7 %); "
        "сейчас просрочена 1" in text
    )


async def test_late_digest_says_so_and_english_reads_right(session, crew):
    digest = await digests.build(session, crew.team, PERIOD, I18n().get("en"), now=NOW, late=True)
    text = spaces(digest.text)
    period = format_period(date(2026, 11, 16), date(2026, 11, 22), "en")
    assert text.startswith(f"📊 <b>The week in numbers · {period}</b>")
    assert "⏰ <i>Late: the bot was unavailable.</i>" in text
    assert "1 target hit:" in text and "3 targets missed:" in text
    assert "<b>Tasks:</b> 2 of 3 due in this period done (66.7%); 1 overdue now" in text


async def test_chart_specs_carry_the_same_numbers(session, crew):
    data = await sm.load(session, crew.team, PERIOD)
    t = I18n().get("ru")
    trends = digests.trends_spec(data, t)
    codes = [p.title for p in trends.panels]
    # team targets first (CPA, conversion), then the usual key KPIs the team has
    assert codes == ["CPA, цена конверсии", "Конверсия клика в целевое действие", "Лиды",
                     "CPL, цена лида"]  # fmt: skip
    cpa = trends.panels[0]
    assert cpa.values[-2:] == pytest.approx((16000 / 65, 230.0))
    assert cpa.target == 250.0 and all(v is None for v in cpa.values[:-2])
    assert trends.periods[-1] == "16 нояб."
    plan = digests.plan_fact_spec(data, t)
    bars = {(g.title, b.title): b for g in plan.groups for b in g.bars}
    assert bars[("Контекстолог", "CPA (cost per acquisition)")].attainment == pytest.approx(
        250 / 300 * 100
    )
    assert bars[("Таргетолог", "Объем генерируемых лидов/продаж")].status == "off_track"
    channels = digests.channels_spec(data, t)
    assert channels.channels == ("Контекст", "Таргет")
    spend, cost, back = channels.metrics
    assert spend.values == (15000.0, 8000.0)
    assert cost.title == "CPA, цена конверсии" and cost.values == (300.0, 160.0)
    assert back.title == "ROAS" and back.values == (5.0, None)
    funnel = digests.funnel_spec(data, t)
    # Борис reports every step: 100000 → 2000 → 80 → 50
    assert [s.value for s in funnel.steps] == [100000.0, 2000.0, 80.0, 50.0]
    assert [s.conversion for s in funnel.steps][1:] == [
        "CTR 2\xa0%",
        "конверсия 4\xa0%",
        "конверсия 62,5\xa0%",
    ]
    assert funnel.subtitle.startswith("Таргетолог · ")


async def test_charts_render_off_the_loop_as_one_png_each(session, crew):
    digest = await digests.compose(session, crew.team, PERIOD, I18n().get("ru"), now=NOW)
    assert [name for name, _ in digest.images] == [
        "1_trends.png",
        "2_plan_fact.png",
        "3_channels.png",
        "4_funnel.png",
    ]
    assert all(png.startswith(b"\x89PNG") for _, png in digest.images)


async def test_a_team_without_history_gets_text_and_only_the_charts_it_can_draw(session):
    crew = await make_team(session)
    data = await sm.load(session, crew.team, PERIOD)
    t = I18n().get("ru")
    assert digests.plan_fact_spec(data, t) is None
    assert digests.channels_spec(data, t) is None
    assert digests.funnel_spec(data, t) is None
    assert digests.trends_spec(data, t).panels == ()
    digest = await digests.build(session, crew.team, PERIOD, t, now=NOW)
    assert "Никто не прислал цифры за этот период." in digest.text
    assert "Планы не заданы" in digest.text
    assert "со сроком в этом периоде задач не было" in digest.text


async def _cli(*args: str, database_url: str) -> tuple[int, str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "BOT_TOKEN": "", "LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def test_planerka_digest_writes_the_preview_without_telegram(
    session, crew, database_url, tmp_path
):
    out = tmp_path / "preview"
    code, stdout, stderr = await _cli(
        "digest", "--chat", str(crew.team.chat_id), "--out", str(out), "--period", "2026-11-18",
        database_url=database_url,
    )  # fmt: skip
    assert code == 0, stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["1_trends.png", "2_plan_fact.png", "3_channels.png", "4_funnel.png",
                     "digest.txt"]  # fmt: skip
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert text.startswith("📊 Итоги недели · 16–22 нояб.")  # plain text: no tags
    assert "<b>" not in text and "Отчитались: 3 из 4" in text
    assert str(out / "digest.txt") in stdout
    assert (out / "1_trends.png").read_bytes().startswith(b"\x89PNG")


async def test_planerka_digest_for_a_chat_without_a_team_exits_2(database_url, tmp_path):
    out = tmp_path / "preview"
    code, _, stderr = await _cli(
        "digest", "--chat", "-100999", "--out", str(out), database_url=database_url
    )
    assert code == 2
    assert "no team is registered for chat -100999" in stderr
    assert not out.exists()
