"""Period summaries for a member and for the team: value, previous value, change, target,
attainment and status, read in each KPI's good direction (a falling CPA is good).

Status rule:
- no value → no_data;
- with a target: attainment ≥ 1 → on_track, ≥ 0.9 → at_risk, below → off_track. Attainment is
  value/target for "up" KPIs and target/value for "down" ones; where that ratio means nothing
  (a target ≤ 0, or a "down" value ≤ 0 that misses its target) the miss is measured against
  |target|: within 10 % → at_risk, else off_track;
- without a target, against the previous period in the good direction: better, or worse by
  at most 5 % → on_track; worse by 5–20 % → at_risk; worse by more than 20 % → off_track;
  worse than a previous value of 0 → at_risk; no previous value → on_track.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from kpi.agenda import Topic, agenda_topics
from kpi.aggregation import combine_members
from kpi.definitions import KPI, catalog, evaluate, metric, role

HUNDRED = Decimal(100)
AT_RISK_ATTAINMENT = Decimal("0.9")
TARGET_TOLERANCE = Decimal("0.1")
STABLE = Decimal("0.05")
SLIPPING = Decimal("0.20")


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class KpiLine:
    kpi: KPI
    value: Decimal | None
    previous: Decimal | None
    change: Decimal | None  # value − previous
    change_pct: Decimal | None  # in percent units, against |previous|
    target: Decimal | None
    attainment: Decimal | None  # a fraction, 1 = 100 %, read in the good direction
    status: Status


@dataclass(frozen=True, slots=True)
class MemberInputs:
    member_id: int
    role_codes: tuple[str, ...]
    inputs: Mapping[str, Decimal] = field(hash=False)


@dataclass(frozen=True, slots=True)
class TopicSummary:
    topic: Topic
    lines: list[KpiLine] = field(hash=False)


@dataclass(frozen=True, slots=True)
class TeamSummary:
    by_role: dict[str, list[KpiLine]] = field(hash=False)
    topics: list[TopicSummary] = field(hash=False)
    reported: tuple[int, ...]


def attainment(value: Decimal | None, target: Decimal | None, direction: str) -> Decimal | None:
    if value is None or target is None:
        return None
    if direction == "up":
        return None if target <= 0 else value / target
    return None if value <= 0 or target < 0 else target / value


def status(
    value: Decimal | None, previous: Decimal | None, target: Decimal | None, direction: str
) -> Status:
    if value is None:
        return Status.NO_DATA
    up = direction == "up"
    if target is not None:
        if (value >= target) if up else (value <= target):
            return Status.ON_TRACK
        reached = attainment(value, target, direction)
        if reached is not None:
            return Status.AT_RISK if reached >= AT_RISK_ATTAINMENT else Status.OFF_TRACK
        if target != 0 and abs(value - target) / abs(target) <= TARGET_TOLERANCE:
            return Status.AT_RISK
        return Status.OFF_TRACK
    if previous is None:
        return Status.ON_TRACK
    better = value - previous if up else previous - value
    if better >= 0:
        return Status.ON_TRACK
    if previous == 0:
        return Status.AT_RISK
    worse = -better / abs(previous)
    if worse <= STABLE:
        return Status.ON_TRACK
    return Status.AT_RISK if worse <= SLIPPING else Status.OFF_TRACK


def line(
    kpi: KPI, value: Decimal | None, previous: Decimal | None, target: Decimal | None
) -> KpiLine:
    change = change_pct = None
    if value is not None and previous is not None:
        change = value - previous
        change_pct = None if previous == 0 else change / abs(previous) * HUNDRED
    return KpiLine(
        kpi=kpi,
        value=value,
        previous=previous,
        change=change,
        change_pct=change_pct,
        target=target,
        attainment=attainment(value, target, kpi.direction),
        status=status(value, previous, target, kpi.direction),
    )


def summarize(
    kpis: Sequence[KPI],
    current: Mapping[str, Decimal],
    previous: Mapping[str, Decimal] | None,
    targets: Mapping[str, Decimal] | None = None,
) -> list[KpiLine]:
    """One member's lines (inputs already aggregated over the period); targets by KPI code."""
    targets = targets or {}
    return [
        line(
            k,
            evaluate(k, current),
            None if previous is None else evaluate(k, previous),
            targets.get(k.code),
        )
        for k in kpis
    ]


def member_summary(
    member: MemberInputs,
    previous: Mapping[str, Decimal] | None = None,
    targets: Mapping[str, Decimal] | None = None,
) -> dict[str, list[KpiLine]]:
    """A member's lines for each role they hold."""
    return {
        code: summarize(role(code).kpis, member.inputs, previous, targets)
        for code in member.role_codes
    }


def _has_all(inputs: Mapping[str, Decimal], codes: Sequence[str]) -> bool:
    return all(inputs.get(c) is not None for c in codes)


def team_value(kpi: KPI, rows: Sequence[Mapping[str, Decimal]]) -> Decimal | None:
    """The KPI over the members who gave all its inputs, their inputs added up."""
    complete = [r for r in rows if _has_all(r, kpi.inputs)]
    return evaluate(kpi, combine_members(complete)) if complete else None


def _team_line(
    kpi: KPI,
    rows: Sequence[Mapping[str, Decimal]],
    previous_rows: Sequence[Mapping[str, Decimal]] | None,
    targets: Mapping[str, Decimal],
) -> KpiLine:
    previous = None if previous_rows is None else team_value(kpi, previous_rows)
    return line(kpi, team_value(kpi, rows), previous, targets.get(kpi.code))


def team_summary(
    members: Sequence[MemberInputs],
    previous: Sequence[MemberInputs] | None = None,
    targets: Mapping[str, Decimal] | None = None,
) -> TeamSummary:
    """By role (members holding it, inputs added up, ratios recomputed) and by agenda topic
    (all members; a KPI only when some member gave all its inputs)."""
    targets = targets or {}
    held = {code for m in members for code in m.role_codes}
    by_role: dict[str, list[KpiLine]] = {}
    for r in catalog():
        if r.code not in held:
            continue
        rows = [m.inputs for m in members if r.code in m.role_codes]
        prev_rows = (
            None if previous is None else [m.inputs for m in previous if r.code in m.role_codes]
        )
        by_role[r.code] = [_team_line(k, rows, prev_rows, targets) for k in r.kpis]
    rows = [m.inputs for m in members]
    prev_rows = None if previous is None else [m.inputs for m in previous]
    topics: list[TopicSummary] = []
    for topic in agenda_topics():
        lines = []
        for code in topic.kpi_codes:
            k = metric(code)
            if any(_has_all(r, k.inputs) for r in rows):
                lines.append(_team_line(k, rows, prev_rows, targets))
        topics.append(TopicSummary(topic, lines))
    reported = tuple(m.member_id for m in members if any(v is not None for v in m.inputs.values()))
    return TeamSummary(by_role=by_role, topics=topics, reported=reported)
