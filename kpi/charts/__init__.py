"""Charts: specs of plain values and labels in, PNG bytes out (matplotlib, Agg).

Pure: no Telegram, database or clock. Call `render(spec)` / `render_album(specs)` in a worker
thread or process; the figure they draw on (a `Sheet`) belongs to the call unless one is passed.
"""

from __future__ import annotations

from kpi.charts.card import render_card
from kpi.charts.channels import render_channels
from kpi.charts.funnel import render_funnel
from kpi.charts.plan_fact import render_plan_fact
from kpi.charts.specs import (
    CardRow,
    ChannelChart,
    ChannelMetric,
    FunnelChart,
    FunnelStage,
    MemberCard,
    PlanFactBar,
    PlanFactChart,
    PlanFactGroup,
    TrendChart,
    TrendPanel,
)
from kpi.charts.style import Sheet
from kpi.charts.trends import render_trends

Spec = TrendChart | PlanFactChart | ChannelChart | FunnelChart | MemberCard

__all__ = [
    "CardRow",
    "ChannelChart",
    "ChannelMetric",
    "FunnelChart",
    "FunnelStage",
    "MemberCard",
    "PlanFactBar",
    "PlanFactChart",
    "PlanFactGroup",
    "Sheet",
    "Spec",
    "TrendChart",
    "TrendPanel",
    "render",
    "render_card",
    "render_channels",
    "render_funnel",
    "render_plan_fact",
    "render_trends",
]


def render(spec: Spec, sheet: Sheet | None = None) -> bytes:
    """The PNG of any chart spec (drawn on `sheet`, a fresh one without)."""
    if isinstance(spec, TrendChart):
        return render_trends(spec, sheet)
    if isinstance(spec, PlanFactChart):
        return render_plan_fact(spec, sheet)
    if isinstance(spec, ChannelChart):
        return render_channels(spec, sheet)
    if isinstance(spec, FunnelChart):
        return render_funnel(spec, sheet)
    if isinstance(spec, MemberCard):
        return render_card(spec, sheet)
    raise TypeError(f"not a chart spec: {type(spec).__name__}")


def render_album(specs: list[Spec], sheet: Sheet | None = None) -> list[tuple[str, bytes]]:
    """The PNGs of the specs, named in album order (blocking: CPU-bound). The charts share one
    `Sheet` (one figure, its axes reused): pass a long-lived one to reuse it across albums too
    (one per worker process, say; one thread at a time)."""
    sheet = sheet or Sheet()
    return [(f"{i}_{spec.name}.png", render(spec, sheet)) for i, spec in enumerate(specs, start=1)]
