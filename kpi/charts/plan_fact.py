"""(b) Plan against fact per role: each KPI's target attainment as a bar, 100 % = the plan."""

from __future__ import annotations

from kpi.charts import style
from kpi.charts.specs import PlanFactChart

CAP = 130.0  # a bar past the plan by more than 30 % is drawn to here, its label says how far
XMAX = 215.0
ROW_IN = 0.62
GROUP_IN = 0.5
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.5}


def render_plan_fact(chart: PlanFactChart, sheet: style.Sheet | None = None) -> bytes:
    rows = sum(len(g.bars) for g in chart.groups)
    body = ROW_IN * rows + GROUP_IN * len(chart.groups) + 0.9 if rows else 1.4
    layout = [style.HEADER, style.Row(body, 0.1)]
    height = style.figure_height(layout, bottom=1.05)
    return style.render_png(lambda sheet: _draw(sheet, chart, layout), height, sheet)


def _draw(sheet: style.Sheet, chart: PlanFactChart, layout: list) -> None:
    fig = sheet.figure
    header, body = style.place(fig, layout)
    style.header(fig, header, chart.title, chart.subtitle)
    ax = sheet.axes(body)
    if not any(g.bars for g in chart.groups):
        style.empty_axes(ax, chart.no_data)
        return
    y = 0.0
    ticks: list[float] = []
    for group in chart.groups:
        if not group.bars:
            continue
        ax.text(0, y, group.title, fontsize=style.LABEL, fontweight="bold", color=style.INK,
                va="center", ha="left")  # fmt: skip
        y -= GROUP_IN / ROW_IN
        for bar in group.bars:
            color = style.STATUS_COLORS.get(bar.status, style.GREY)
            mark = style.STATUS_MARKS.get(bar.status, "")
            ax.text(0, y + 0.3, bar.title, fontsize=style.SMALL, color=style.INK, va="bottom",
                    ha="left")  # fmt: skip
            if bar.attainment is None:
                ax.barh(y, CAP, height=0.36, color="white", edgecolor=style.GREY, hatch="///",
                        linewidth=1)  # fmt: skip
                ax.text(CAP + 3, y, f"{mark} {bar.label}", fontsize=style.SMALL,
                        color=style.MUTED, va="center", bbox=LABEL_BOX)  # fmt: skip
            else:
                length = max(0.0, min(bar.attainment, CAP))
                ax.barh(y, length, height=0.36, color=color)
                text = f"{mark} {bar.label}"  # the text views' own wording, attainment included
                # a label starting just short of the plan line would be crossed by it
                at = 101.5 if 88 < length < 101.5 else length
                ax.text(at + 3, y, text, fontsize=style.SMALL, color=style.INK,
                        va="center", fontweight="bold" if bar.status == "off_track" else None,
                        bbox=LABEL_BOX)  # fmt: skip
            ticks.append(y)
            y -= 1.0
    ax.axvline(100, color=style.INK, linestyle=(0, (5, 3)), linewidth=1.6, zorder=0)
    ax.text(100, 0.75, chart.plan_label, fontsize=style.SMALL, color=style.INK,
            ha="center", va="bottom", bbox=LABEL_BOX)  # fmt: skip
    ax.set_xlim(0, XMAX)
    ax.set_ylim(y + 0.4, 1.3)
    ax.set_yticks([])
    style.tick_labels(ax, "x", [0, 50, 100], [style.percent(v, chart.locale) for v in (0, 50, 100)])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_bounds(0, CAP)
    ax.spines["bottom"].set_color(style.GREY)
    _legend(ax, chart)


def _legend(ax, chart: PlanFactChart) -> None:
    from matplotlib.patches import Patch

    handles = [
        Patch(
            color=style.STATUS_COLORS[s], label=f"{style.STATUS_MARKS[s]} {chart.status_labels[s]}"
        )
        for s in ("on_track", "at_risk", "off_track")
        if s in chart.status_labels
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncols=3,
              frameon=False, fontsize=style.SMALL, handlelength=1.2, columnspacing=1.0)  # fmt: skip
