"""(a) Trends of the key KPIs over the last periods, one panel each, with the target line."""

from __future__ import annotations

from matplotlib.ticker import MaxNLocator

from kpi.charts import style
from kpi.charts.specs import TrendChart, TrendPanel

PANEL_IN = 1.8
TITLE_IN = 0.5  # a panel's title over it
TICKS_IN = 0.35  # the period labels under a panel
EMPTY_IN = 0.3
LEFT_IN = 1.0  # room for «1,5 тыс.»
TITLE_CHARS = 38


def _joint(panel: TrendPanel) -> bool:
    """A long title takes the value to a second line, clear of the target label on the right."""
    return len(panel.title) + len(panel.last_label) + len(panel.target_label) > TITLE_CHARS


def _rows(panels: tuple[TrendPanel, ...]) -> list[style.Row]:
    rows = [style.HEADER]
    after_ticks = False
    for panel in panels:
        above = TITLE_IN + (0.28 if _joint(panel) else 0) + (TICKS_IN if after_ticks else 0.1)
        if style.finite(panel.values):
            rows.append(style.Row(PANEL_IN, above, left=LEFT_IN))
            after_ticks = True
        else:
            rows.append(style.Row(EMPTY_IN, above, left=LEFT_IN))
            after_ticks = False
    if not panels:
        rows.append(style.Row(1.4, 0.1))
    return rows


def render_trends(chart: TrendChart, sheet: style.Sheet | None = None) -> bytes:
    # Panels with data first, the ones without at the end, shorter.
    panels = tuple(sorted(chart.panels, key=lambda p: not style.finite(p.values)))
    rows = _rows(panels)
    bottom = TICKS_IN + 0.15 if panels and style.finite(panels[-1].values) else 0.25
    height = style.figure_height(rows, bottom)
    return style.render_png(lambda sheet: _draw(sheet, chart, panels, rows), height, sheet)


def _draw(sheet: style.Sheet, chart: TrendChart, panels: tuple[TrendPanel, ...], rows) -> None:
    fig = sheet.figure
    rects = style.place(fig, rows)
    style.header(fig, rects[0], chart.title, chart.subtitle)
    if not panels:
        style.empty_axes(sheet.axes(rects[1]), chart.no_data)
        return
    for rect, panel in zip(rects[1:], panels, strict=True):
        _panel(sheet.axes(rect), panel, chart)


def _panel(ax, panel: TrendPanel, chart: TrendChart) -> None:
    xs = list(range(len(chart.periods)))
    values = style.nan_series(panel.values)
    present = style.finite(panel.values)
    style.plain_axes(ax)
    title = (
        f"{panel.title}\n{panel.last_label}"
        if _joint(panel)
        else (f"{panel.title}: {panel.last_label}")
    )
    style.axes_title(ax, title, fontsize=style.LABEL, fontweight="bold", color=style.INK)
    if not present:
        ax.set_axis_off()
        ax.text(0, 0.5, chart.no_data, ha="left", va="center", fontsize=style.SMALL,
                color=style.MUTED, transform=ax.transAxes)  # fmt: skip
        return
    ax.plot(xs, values, color=style.BLUE, linewidth=3.2, marker="o", markersize=7, zorder=3)
    last = next((i for i in reversed(xs) if panel.values[i] is not None), None)
    if last is not None:
        ax.plot([last], [values[last]], marker="o", markersize=12, color=style.BLUE, zorder=4)
    if panel.target is not None:
        ax.axhline(panel.target, color=style.VERMILLION, linestyle=(0, (6, 3)), linewidth=2.4)
        style.axes_title(ax, f"- - {panel.target_label}", loc="right", pad=8,
                         fontsize=style.SMALL, color=style.VERMILLION)  # fmt: skip
    bounds = [*present, *([panel.target] if panel.target is not None else [])]
    low, high = min(bounds), max(bounds)
    span = (high - low) or abs(high) or 1.0
    bottom = 0.0 if low >= 0 and low - 0.25 * span <= 0 else low - 0.15 * span
    top = high + 0.25 * span
    ax.set_ylim(bottom, top)
    ticks = [v for v in MaxNLocator(nbins=4).tick_values(bottom, top) if bottom <= v <= top]
    labels = [style.compact(v, chart.locale) for v in ticks]
    style.tick_labels(ax, "y", ticks, labels, grid=True)
    ax.set_xlim(-0.4, len(xs) - 0.6)
    shown = _shown(len(xs))
    style.tick_labels(ax, "x", shown, [chart.periods[i] for i in shown])


def _shown(count: int) -> list[int]:
    """Which periods get a label: all when few; else every other one, always the last."""
    if count <= 6:
        return list(range(count))
    return sorted(range(count - 1, -1, -2))
