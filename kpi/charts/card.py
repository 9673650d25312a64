"""(e) A member's card for the planerka: each KPI's value, change, plan, status and trend."""

from __future__ import annotations

from kpi.charts import style
from kpi.charts.specs import CardRow, MemberCard

ROW_IN = 1.0
SECTION_IN = 0.5


SPARK = 0.28  # the share of a row's width the trend takes


def render_card(card: MemberCard, sheet: style.Sheet | None = None) -> bytes:
    items = _items(card)
    rows = [style.HEADER]
    rows += [style.Row(SECTION_IN if kind == "section" else ROW_IN, 0.05) for kind, _ in items]
    if not items:
        rows.append(style.Row(1.2, 0.1))
    if card.footer:
        rows.append(style.Row(0.4, 0.05))
    return style.render_png(
        lambda sheet: _draw(sheet, card, items, rows), style.figure_height(rows, 0.2), sheet
    )


def _items(card: MemberCard) -> list[tuple[str, object]]:
    sections = dict(card.sections)
    items: list[tuple[str, object]] = []
    for index, row in enumerate(card.rows):
        if index in sections:
            items.append(("section", sections[index]))
        items.append(("row", row))
    return items


def _draw(sheet: style.Sheet, card: MemberCard, items: list, rows: list) -> None:
    fig = sheet.figure
    rects = style.place(fig, rows)
    style.header(fig, rects[0], card.title, card.subtitle)
    if not items:
        style.empty_axes(sheet.axes(rects[1]), card.no_data)
    for rect, (kind, item) in zip(rects[1:], items, strict=False):
        if kind == "section":
            ax = sheet.axes(rect)
            ax.set_axis_off()
            ax.text(0, 0.2, str(item), fontsize=style.LABEL, fontweight="bold",
                    color=style.MUTED, transform=ax.transAxes)  # fmt: skip
            continue
        assert isinstance(item, CardRow)
        x, y, w, h = rect
        gap = 0.03
        _row(sheet.axes((x, y, w * (1 - SPARK) - gap, h)), item, card)
        _spark(sheet.axes((x + w * (1 - SPARK), y + h * 0.08, w * SPARK, h * 0.84)), item)
    if card.footer:
        ax = sheet.axes(rects[-1])
        ax.set_axis_off()
        ax.text(0, 0.5, card.footer, fontsize=style.SMALL, color=style.MUTED, va="center",
                transform=ax.transAxes)  # fmt: skip


def _row(ax, row: CardRow, card: MemberCard) -> None:
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    color = style.STATUS_COLORS.get(row.status, style.GREY)
    ax.plot([0.035], [0.5], marker="o", markersize=27, color=color, transform=ax.transAxes,
            clip_on=False)  # fmt: skip
    ax.text(0.035, 0.5, style.STATUS_MARKS.get(row.status, ""), ha="center", va="center",
            fontsize=style.LABEL, color="white", fontweight="bold")  # fmt: skip
    ax.text(0.09, 0.93, style.wrap(row.title, 44), fontsize=style.SMALL, color=style.INK,
            va="top", ha="left")  # fmt: skip
    value = ax.text(0.09, 0.08, row.value, fontsize=style.LABEL + 4, fontweight="bold",
                    color=style.INK, va="bottom", ha="left")  # fmt: skip
    if row.change:
        tone = {True: style.GREEN, False: style.VERMILLION}.get(row.change_good, style.MUTED)  # type: ignore[arg-type]
        ax.annotate(row.change, xy=(1, 0), xycoords=value, xytext=(10, 0),
                    textcoords="offset points", fontsize=style.SMALL + 0.5, color=tone,
                    fontweight="bold", va="bottom")  # fmt: skip
    ax.axhline(0, color=style.LIGHT, linewidth=1)


def _spark(ax, row: CardRow) -> None:
    """The KPI's trend, and its plan under it (a column of its own: nothing runs into it)."""
    ax.set_axis_off()
    if row.target:
        ax.text(1.0, 0.0, row.target, fontsize=style.SMALL, color=style.MUTED, ha="right",
                va="bottom", transform=ax.transAxes)  # fmt: skip
    values = style.nan_series(row.history)
    if not style.finite(row.history):
        return
    xs = list(range(len(values)))
    ax.plot(xs, values, color=style.BLUE, linewidth=2.4)
    last = next((i for i in reversed(xs) if row.history[i] is not None), None)
    if last is not None:
        ax.plot([last], [values[last]], marker="o", markersize=7, color=style.BLUE)
    low, high = min(style.finite(row.history)), max(style.finite(row.history))
    span = (high - low) or abs(high) or 1.0
    # the line keeps to the upper part, the plan's label to the lower
    ax.set_ylim(low - (0.9 if row.target else 0.25) * span, high + 0.2 * span)
    ax.set_xlim(-0.5, len(values) - 0.5)
