"""What a chart shows: plain values and already translated, already formatted labels.

A spec holds floats (None where a value is undefined) for geometry and strings for every text
the picture carries, so the renderers know nothing of locales, currencies or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TrendPanel:
    """One KPI over the periods: a line, its target, the latest value spelled out."""

    title: str
    values: tuple[float | None, ...]
    last_label: str
    target: float | None = None
    target_label: str = ""
    direction: str = "up"


@dataclass(frozen=True)
class TrendChart:
    title: str
    subtitle: str
    periods: tuple[str, ...]
    panels: tuple[TrendPanel, ...]
    no_data: str
    locale: str = "ru"
    name: str = "trends"


@dataclass(frozen=True)
class PlanFactBar:
    """A KPI against its plan: attainment in percent (100 = on plan, direction applied)."""

    title: str
    attainment: float | None
    label: str
    status: str = "no_data"


@dataclass(frozen=True)
class PlanFactGroup:
    title: str
    bars: tuple[PlanFactBar, ...]


@dataclass(frozen=True)
class PlanFactChart:
    title: str
    subtitle: str
    groups: tuple[PlanFactGroup, ...]
    status_labels: dict[str, str]
    plan_label: str
    no_data: str
    locale: str = "ru"
    name: str = "plan_fact"


@dataclass(frozen=True)
class ChannelMetric:
    """One measure across the channels (spend, cost per result, return), a value per channel."""

    title: str
    values: tuple[float | None, ...]
    labels: tuple[str, ...]
    direction: str = "up"
    reference: float | None = None
    reference_label: str = ""


@dataclass(frozen=True)
class ChannelChart:
    title: str
    subtitle: str
    channels: tuple[str, ...]
    metrics: tuple[ChannelMetric, ...]
    no_data: str
    name: str = "channels"


@dataclass(frozen=True)
class FunnelStage:
    title: str
    value: float | None
    label: str
    conversion: str | None = None


@dataclass(frozen=True)
class FunnelChart:
    title: str
    subtitle: str
    steps: tuple[FunnelStage, ...]
    note: str
    no_data: str
    name: str = "funnel"


@dataclass(frozen=True)
class CardRow:
    """One KPI on a member's card."""

    title: str
    value: str
    change: str = ""
    change_good: bool | None = None
    target: str = ""
    status: str = "no_data"
    history: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class MemberCard:
    title: str
    subtitle: str
    rows: tuple[CardRow, ...]
    status_labels: dict[str, str]
    no_data: str
    footer: str = ""
    name: str = "card"
    sections: tuple[tuple[int, str], ...] = field(default=())
