"""(d) The funnel impressions → clicks → leads → sales, with the conversion at each step.

The steps differ by orders of magnitude, so bar widths follow the logarithm of the value
(the note under the title says so) and every bar carries its exact number.
"""

from __future__ import annotations

import math

from matplotlib.patches import FancyArrowPatch

from kpi.charts import style
from kpi.charts.specs import FunnelChart

STEP_IN = 1.25
COLORS = (style.BLUE, style.SKY, style.GREEN, style.ORANGE, style.PURPLE, style.VERMILLION)
# text on a bar: white where the colour is dark enough for it, else ink
TEXT_ON = {style.BLUE: "white", style.VERMILLION: "white"}


def render_funnel(chart: FunnelChart, sheet: style.Sheet | None = None) -> bytes:
    layout = [style.HEADER, style.Row(STEP_IN * max(1, len(chart.steps)), 0.1, 0.2, 0.2)]
    return style.render_png(
        lambda sheet: _draw(sheet, chart, layout), style.figure_height(layout), sheet
    )


def _widths(values: list[float | None]) -> list[float | None]:
    present = [v for v in values if v is not None and v > 0]
    if not present:
        return [None for _ in values]
    top = math.log10(max(present) + 1)
    return [
        None if v is None else (0.0 if v <= 0 else max(0.12, math.log10(v + 1) / top))
        for v in values
    ]


def _draw(sheet: style.Sheet, chart: FunnelChart, layout: list) -> None:
    fig = sheet.figure
    header, body = style.place(fig, layout)
    style.header(fig, header, chart.title, chart.subtitle)
    ax = sheet.axes(body)
    values = [s.value for s in chart.steps]
    if not chart.steps or all(v is None for v in values):
        style.empty_axes(ax, chart.no_data)
        return
    ax.set_axis_off()
    n = len(chart.steps)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-n + 0.3, 0.9)
    for index, (step, width) in enumerate(zip(chart.steps, _widths(values), strict=True)):
        y = -index
        color = COLORS[index % len(COLORS)]
        if width is None:
            ax.barh(y, 1.0, left=-0.5, height=0.55, color="white", edgecolor=style.GREY,
                    linestyle=(0, (4, 3)), linewidth=1.5)  # fmt: skip
            text = f"{step.title}: {chart.no_data}"
            ax.text(0, y, text, ha="center", va="center", fontsize=style.LABEL, color=style.MUTED)
        else:
            half = 0.8 * width
            ax.barh(y, 2 * half, left=-half, height=0.55, color=color)
            ax.text(0, y + 0.4, step.title, ha="center", va="bottom", fontsize=style.SMALL,
                    color=style.INK)  # fmt: skip
            inside = half > 0.16
            ax.text(0, y, step.label, ha="center", va="center", fontsize=style.LABEL + 1,
                    fontweight="bold", color=TEXT_ON.get(color, style.INK) if inside else style.INK,
                    bbox=None if inside else {"facecolor": "white", "edgecolor": "none",
                                              "alpha": 0.85})  # fmt: skip
        if step.conversion and index > 0:
            arrow = FancyArrowPatch(
                (0.93, y + 0.78),
                (0.93, y + 0.28),
                arrowstyle="-|>",
                mutation_scale=18,
                color=style.MUTED,
                linewidth=1.6,
            )
            ax.add_patch(arrow)
            ax.text(0.88, y + 0.53, step.conversion, ha="right", va="center",
                    fontsize=style.SMALL, color=style.INK, fontweight="bold")  # fmt: skip
    ax.text(-1, -n + 0.35, chart.note, ha="left", va="bottom", fontsize=style.SMALL - 1.5,
            color=style.MUTED)  # fmt: skip
