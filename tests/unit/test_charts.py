"""kpi/charts: every chart renders to a phone-wide PNG with its Cyrillic text in the font,
copes with missing data, and leaves no figure behind."""

from __future__ import annotations

import struct
import warnings
from io import BytesIO

import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from kpi import charts as ch
from kpi.charts import style

PERIODS = tuple(f"{d} нояб." for d in (2, 9, 16, 23))
NO = "нет данных"


def size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def specs() -> list[ch.Spec]:
    return [
        ch.TrendChart(
            "Динамика ключевых KPI", "Маркетинг · 4 недели", PERIODS,
            (
                ch.TrendPanel("Лиды", (310, None, 350, 402), "402", 400, "план 400"),
                ch.TrendPanel("CPL, цена лида", (820, 790, 760, 745.5), "745,50 ₽",
                              direction="down"),
                ch.TrendPanel("ROMI", (None, None, None, None), "н/д"),
            ),
            NO,
        ),
        ch.PlanFactChart(
            "План и факт", "16–22 нояб.",
            (
                ch.PlanFactGroup("Контекстолог", (
                    ch.PlanFactBar("CPA", 110.2, "771 ₽ при плане 850 ₽", "on_track"),
                    ch.PlanFactBar("CTR", 73.3, "1,5 % из 2 %", "off_track"),
                    ch.PlanFactBar("ROAS", 95.0, "4,3 из 4,5", "at_risk"),
                    ch.PlanFactBar("Выручка", None, "нет данных", "no_data"),
                    ch.PlanFactBar("Конверсия", 260.0, "13 % из 5 %", "on_track"),
                )),
            ),
            {"on_track": "в плане", "at_risk": "под угрозой", "off_track": "отстаём"},
            "план", NO,
        ),
        ch.ChannelChart(
            "Каналы", "16–22 нояб.", ("Контекст", "Таргет", "SMM"),
            (
                ch.ChannelMetric("Расход", (88000, 99000, None), ("88 тыс. ₽", "99 тыс. ₽", "н/д")),
                ch.ChannelMetric("CPA", (771, 842, None), ("771 ₽", "842 ₽", "н/д"), "down"),
                ch.ChannelMetric("ROI", (120, -20, None), ("120 %", "−20 %", "н/д"),
                                 reference=0),
            ),
            "н/д",
        ),
        ch.FunnelChart(
            "Воронка", "Таргетолог · 16–22 нояб.",
            (
                ch.FunnelStage("Показы", 572307, "572 307"),
                ch.FunnelStage("Клики", 8170, "8 170", "CTR 1,4 %"),
                ch.FunnelStage("Лиды", None, "н/д"),
                ch.FunnelStage("Продажи", 0, "0"),
            ),
            "Ширина полос — в логарифмическом масштабе", NO,
        ),
        ch.MemberCard(
            "Анна Котова", "Контекстолог · 16–22 нояб.",
            (
                ch.CardRow("CPA", "771 ₽", "▼ 10 %", True, "план 850 ₽", "on_track",
                           (850, None, 800, 771)),
                ch.CardRow("Выручка", "н/д"),
            ),
            {}, NO, footer="Открытых задач: 2", sections=((0, "Контекстолог"),),
        ),
    ]  # fmt: skip


@pytest.mark.parametrize("spec", specs(), ids=lambda s: s.name)
def test_each_chart_is_a_1080_px_png_with_every_glyph_in_the_font(spec):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # «Glyph … missing from font» would fail here
        png = ch.render(spec)
    width, height = size(png)
    assert width == 1080
    assert 500 <= height <= 2600  # readable in a Telegram album, within its photo limits


@pytest.mark.parametrize(
    "spec",
    [
        ch.TrendChart("Тренды", "", PERIODS, (), NO),
        ch.PlanFactChart("План", "", (), {}, "план", NO),
        ch.ChannelChart("Каналы", "", (), (), NO),
        ch.FunnelChart("Воронка", "", (ch.FunnelStage("Показы", None, "н/д"),), "", NO),
        ch.MemberCard("Анна", "", (), {}, NO),
    ],
    ids=lambda s: s.name,
)
def test_charts_without_data_still_render(spec):
    width, _ = size(ch.render(spec))
    assert width == 1080


def test_no_figure_is_left_behind():
    before = plt.get_fignums()
    for spec in specs():
        ch.render(spec)
    assert plt.get_fignums() == before == []


def test_a_chart_differs_with_its_data():
    trend = specs()[0]
    panels = (ch.TrendPanel("Лиды", (1, 2, 3, 4), "4"), *trend.panels[1:])
    other = ch.TrendChart(trend.title, trend.subtitle, trend.periods, panels, NO)
    assert ch.render(trend) != ch.render(other)
    assert ch.render(trend) == ch.render(trend)  # deterministic


def test_palette_is_colour_blind_safe_and_status_has_a_sign_too():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}  # fmt: skip
    assert set(style.SERIES) <= okabe_ito
    assert {style.STATUS_COLORS[s] for s in ("on_track", "at_risk", "off_track")} <= okabe_ito
    assert len(set(style.STATUS_MARKS.values())) == len(style.STATUS_MARKS)


def test_render_refuses_what_is_not_a_chart():
    with pytest.raises(TypeError):
        ch.render("trends")  # type: ignore[arg-type]


def test_a_reused_sheet_leaves_nothing_of_the_previous_chart():
    """Team A's charts, team B's, team A's again on one sheet: the first and the third are the
    same bytes, and each equals its chart drawn on a fresh sheet."""
    team_a = specs()
    trend = team_a[0]
    team_b = [
        ch.TrendChart("Тренды Б", "", PERIODS[:2],
                      (ch.TrendPanel("Лиды", (1, 2), "2", 5, "план 5"),), NO),
        ch.PlanFactChart("План Б", "", (), {}, "план", NO),
        ch.ChannelChart("Каналы Б", "", ("Почта",),
                        (ch.ChannelMetric("ROI", (-5,), ("−5 %",)),), NO),
        ch.FunnelChart("Воронка Б", "", (ch.FunnelStage("Показы", 10, "10"),), "", NO),
        ch.MemberCard("Борис", "", (), {}, NO),
        trend,
    ]  # fmt: skip
    sheet = ch.Sheet()
    first = ch.render_album(team_a, sheet)
    between = ch.render_album(team_b, sheet)
    third = ch.render_album(team_a, sheet)
    assert first == third
    assert first == ch.render_album(team_a)  # a fresh sheet per album
    assert between == [
        (name, ch.render(spec)) for (name, _), spec in zip(between, team_b, strict=True)
    ]
    assert between[-1][1] == first[0][1]  # the same trend chart after five others


def test_the_sheets_text_and_png_are_matplotlibs_pixels():
    """The text loop (per string, glyphs from its cache) draws what matplotlib's Agg renderer
    draws, and the PNG holds exactly the canvas' pixels."""
    for spec in specs():
        stock = ch.Sheet()
        stock.canvas = FigureCanvasAgg(stock.figure)  # matplotlib's own renderer
        expected = ch.render(spec, stock)
        sheet = ch.Sheet()
        assert ch.render(spec, sheet) == expected
        measured = dict(sheet._glyphs.measures)
        assert measured  # the strings' measures are kept…
        assert ch.render(spec, sheet) == expected  # layouts, measures and glyphs from the cache now
        assert sheet._glyphs.measures == measured  # …and the second drawing measured nothing new
        decoded = Image.open(BytesIO(expected))
        assert decoded.mode == "RGBA"
        assert decoded.tobytes() == bytes(stock.canvas.buffer_rgba())


def test_a_chart_that_fails_leaves_its_sheet_clean():
    sheet = ch.Sheet()

    def broken(on: style.Sheet) -> None:
        on.axes((0.1, 0.1, 0.8, 0.8)).plot([1, 2, 3], color=style.BLUE)
        on.figure.text(0.5, 0.5, "остаток")
        raise ValueError("broken")

    with pytest.raises(ValueError):
        style.render_png(broken, 4.0, sheet)
    assert not sheet.figure.axes and not sheet.figure.texts
    for spec in specs():
        assert ch.render(spec, sheet) == ch.render(spec)


def test_a_sheet_used_from_another_thread_draws_the_same():
    import threading

    sheet = ch.Sheet()
    here = ch.render_album(specs(), sheet)
    there: list = []
    worker = threading.Thread(target=lambda: there.extend(ch.render_album(specs(), sheet)))
    worker.start()
    worker.join()
    assert there == here
