"""Charts: specs of plain values and labels in, PNG bytes out (matplotlib, Agg).

Pure: no Telegram, database or clock. Call `render(spec)` in a worker thread
(`await asyncio.to_thread(render, spec)`); every figure is released when its PNG is written.
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


def render(spec: Spec) -> bytes:
    """The PNG of any chart spec."""
    if isinstance(spec, TrendChart):
        return render_trends(spec)
    if isinstance(spec, PlanFactChart):
        return render_plan_fact(spec)
    if isinstance(spec, ChannelChart):
        return render_channels(spec)
    if isinstance(spec, FunnelChart):
        return render_funnel(spec)
    if isinstance(spec, MemberCard):
        return render_card(spec)
    raise TypeError(f"not a chart spec: {type(spec).__name__}")


def render_album(specs: list[Spec]) -> list[tuple[str, bytes]]:
    """The PNGs of the specs, named in album order (blocking: CPU-bound)."""
    return [(f"{i}_{spec.name}.png", render(spec)) for i, spec in enumerate(specs, start=1)]
