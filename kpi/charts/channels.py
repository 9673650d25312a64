"""(c) Channels side by side: spend, cost per result and return, one panel each."""

from __future__ import annotations

from kpi.charts import style
from kpi.charts.specs import ChannelChart, ChannelMetric

BAR_IN = 0.42
TITLE_IN = 0.6


def _rows(chart: ChannelChart, metrics: tuple[ChannelMetric, ...]) -> list[style.Row]:
    left = 0.45 + style.label_width(chart.channels)
    rows = [style.HEADER]
    rows += [style.Row(BAR_IN * len(chart.channels), TITLE_IN, left=left) for _ in metrics]
    return rows if metrics else [*rows, style.Row(1.4, 0.1)]


def render_channels(chart: ChannelChart, sheet: style.Sheet | None = None) -> bytes:
    metrics = chart.metrics if chart.channels else ()
    rows = _rows(chart, metrics)
    return style.render_png(
        lambda sheet: _draw(sheet, chart, metrics, rows), style.figure_height(rows), sheet
    )


def _draw(
    sheet: style.Sheet, chart: ChannelChart, metrics: tuple[ChannelMetric, ...], rows
) -> None:
    fig = sheet.figure
    rects = style.place(fig, rows)
    style.header(fig, rects[0], chart.title, chart.subtitle)
    if not metrics:
        style.empty_axes(sheet.axes(rects[1]), chart.no_data)
        return
    for rect, metric in zip(rects[1:], metrics, strict=True):
        _panel(sheet.axes(rect), chart, metric)


def _panel(ax, chart: ChannelChart, metric: ChannelMetric) -> None:
    ys = list(range(len(chart.channels)))[::-1]
    present = style.finite(metric.values)
    top = max([abs(v) for v in present] + [abs(metric.reference or 0)] or [1.0]) or 1.0
    low = min([0.0, *present])
    for y, value, label, color in zip(ys, metric.values, metric.labels, style.SERIES, strict=False):
        if value is None:
            ax.text(0, y, f" {chart.no_data}", va="center", ha="left", fontsize=style.SMALL,
                    color=style.MUTED, style="italic")  # fmt: skip
            continue
        ax.barh(y, value, height=0.62, color=color)
        ax.text(max(value, 0) + top * 0.02, y, label, va="center", ha="left",
                fontsize=style.SMALL, color=style.INK, fontweight="bold")  # fmt: skip
    if metric.reference is not None:
        ax.axvline(metric.reference, color=style.INK, linestyle=(0, (5, 3)), linewidth=1.4)
    style.axes_title(ax, metric.title, fontsize=style.LABEL, fontweight="bold", color=style.INK)
    style.tick_labels(ax, "y", ys, chart.channels)
    ax.set_xticks([])
    ax.set_xlim(low * 1.1 if low < 0 else 0, top * 1.55)
    ax.set_ylim(-0.6, len(ys) - 0.4)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(style.GREY)
