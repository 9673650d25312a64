"""(a) Trends of the key KPIs over the last periods, one panel each, with the target line."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kpi.charts import style
from kpi.charts.specs import TrendChart, TrendPanel

PANEL_IN = 2.5
TITLE_CHARS = 38
EMPTY_IN = 0.9


def _height(panel: TrendPanel) -> float:
    return PANEL_IN if style.finite(panel.values) else EMPTY_IN


def render_trends(chart: TrendChart) -> bytes:
    # Panels with data first, the ones without at the end, each shorter.
    panels = tuple(sorted(chart.panels, key=lambda p: not style.finite(p.values)))
    body = sum(_height(p) for p in panels) if panels else 1.6
    height = style.HEADER_IN + body + 0.2
    return style.render_png(lambda fig: _draw(fig, chart, panels), height)


def _draw(fig: Figure, chart: TrendChart, panels: tuple[TrendPanel, ...]) -> None:
    heights = [_height(p) for p in panels] or [1.6]
    grid = fig.add_gridspec(len(heights) + 1, 1, height_ratios=[style.HEADER_IN, *heights])
    style.header(fig.add_subplot(grid[0]), chart.title, chart.subtitle)
    if not panels:
        style.empty_axes(fig.add_subplot(grid[1]), chart.no_data)
        return
    for index, panel in enumerate(panels):
        _panel(fig.add_subplot(grid[index + 1]), panel, chart)


def _panel(ax, panel: TrendPanel, chart: TrendChart) -> None:
    xs = list(range(len(chart.periods)))
    values = style.nan_series(panel.values)
    present = style.finite(panel.values)
    style.plain_axes(ax)
    # the value goes under a long title, so the target label on the right never runs into it
    joint = len(panel.title) + len(panel.last_label) + len(panel.target_label) > TITLE_CHARS
    title = f"{panel.title}\n{panel.last_label}" if joint else f"{panel.title}: {panel.last_label}"
    ax.set_title(title, loc="left", fontsize=style.LABEL, fontweight="bold", color=style.INK, pad=6)
    if not present:
        ax.set_axis_off()
        ax.text(0, 0.3, chart.no_data, ha="left", va="center", fontsize=style.SMALL,
                color=style.MUTED, transform=ax.transAxes)  # fmt: skip
        return
    ax.plot(xs, values, color=style.BLUE, linewidth=3.2, marker="o", markersize=7, zorder=3)
    last = next((i for i in reversed(xs) if panel.values[i] is not None), None)
    if last is not None:
        ax.plot([last], [values[last]], marker="o", markersize=12, color=style.BLUE, zorder=4)
    if panel.target is not None:
        ax.axhline(panel.target, color=style.VERMILLION, linestyle=(0, (6, 3)), linewidth=2.4)
        ax.set_title(f"- - {panel.target_label}", loc="right", fontsize=style.SMALL,
                     color=style.VERMILLION, pad=8)  # fmt: skip
    low = min([*present, *([panel.target] if panel.target is not None else [])])
    high = max([*present, *([panel.target] if panel.target is not None else [])])
    span = (high - low) or abs(high) or 1.0
    bottom = 0.0 if low >= 0 and low - 0.25 * span <= 0 else low - 0.15 * span
    ax.set_ylim(bottom, high + 0.25 * span)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_formatter(lambda v, _pos: style.compact(v, chart.locale))
    ax.set_xlim(-0.4, len(xs) - 0.6)
    ax.set_xticks(xs)
    ax.set_xticklabels(_thin(chart.periods), fontsize=style.TICK)


def _thin(labels: tuple[str, ...]) -> list[str]:
    """Every label when few; else every other one, always keeping the last."""
    if len(labels) <= 6:
        return list(labels)
    keep = {i for i in range(len(labels) - 1, -1, -2)}
    return [label if i in keep else "" for i, label in enumerate(labels)]
