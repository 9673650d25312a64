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
  worse than a previous value of 0 → at_risk; no previous value → on_track;
- a "budget" KPI (ad spend) has no good direction of its own: without a plan it is unrated;
  with one, over the plan → off_track, under 80 % of it (a large underspend) → at_risk, else
  on_track. Its attainment is the share of the plan used (value/target).

The comparison rule (one for every view): a team line's change compares, per KPI, the members
who gave all its inputs in both periods (`compare`); the value is over everyone who gave them
now. So someone still answering, or new, never reads as a rise or a fall.
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
    UNRATED = "unrated"  # a value with no good direction and no plan (ad spend)


UNDERSPEND = Decimal("0.8")  # a budget used below this share is a large underspend


@dataclass(frozen=True, slots=True)
class KpiLine:
    kpi: KPI
    value: Decimal | None
    previous: Decimal | None
    change: Decimal | None  # basis − previous: the same people now and before
    change_pct: Decimal | None  # in percent units, against |previous|
    target: Decimal | None
    attainment: Decimal | None  # a fraction, 1 = 100 %, read in the good direction
    status: Status
    basis: Decimal | None = None  # the value of the people compared (= value for one member)
    members: tuple[int, ...] = ()  # whose inputs the value is over (team lines)
    compared: tuple[int, ...] = ()  # whose inputs the change is over (team lines)
    partial: tuple[int, ...] = ()  # gave some of its inputs, not all: left out of the value


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
    if direction == "budget":
        return None if target <= 0 else value / target
    if direction == "up":
        return None if target <= 0 else value / target
    return None if value <= 0 or target < 0 else target / value


def status(
    value: Decimal | None, previous: Decimal | None, target: Decimal | None, direction: str
) -> Status:
    if value is None:
        return Status.NO_DATA
    if direction == "budget":
        if target is None:
            return Status.UNRATED
        if value > target:
            return Status.OFF_TRACK
        if target > 0 and value < target * UNDERSPEND:
            return Status.AT_RISK
        return Status.ON_TRACK
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
    kpi: KPI,
    value: Decimal | None,
    previous: Decimal | None,
    target: Decimal | None,
    *,
    basis: Decimal | None = None,
    members: tuple[int, ...] = (),
    compared: tuple[int, ...] = (),
    partial: tuple[int, ...] = (),
) -> KpiLine:
    """One KPI's line. `basis` is the value of the people `previous` is for (defaults to
    `value`): the change and the status without a plan compare basis with previous."""
    basis = value if basis is None else basis
    change = change_pct = None
    if value is not None and basis is not None and previous is not None:
        change = basis - previous
        change_pct = None if previous == 0 else change / abs(previous) * HUNDRED
    else:
        previous = None
    return KpiLine(
        kpi=kpi,
        value=value,
        previous=previous,
        change=change,
        change_pct=change_pct,
        target=target,
        attainment=attainment(value, target, kpi.direction),
        status=Status.NO_DATA
        if value is None
        else status(value if target is not None else basis, previous, target, kpi.direction),
        basis=basis,
        members=members,
        compared=compared,
        partial=partial,
    )


def complete(rows: Sequence[MemberInputs], k: KPI) -> list[MemberInputs]:
    """The members who gave all of the KPI's inputs."""
    return [m for m in rows if _has_all(m.inputs, k.inputs)]


def compare(
    k: KPI,
    current: Sequence[MemberInputs],
    previous: Sequence[MemberInputs] | None,
    target: Decimal | None,
) -> KpiLine:
    """THE comparison rule: the KPI over the members who gave all its inputs now (their
    inputs added up, ratios recomputed); its change over those of them who gave all its
    inputs in the previous period too, against the same members then."""
    now = complete(current, k)
    value = team_value(k, [m.inputs for m in now]) if now else None
    basis = before = None
    compared: tuple[int, ...] = ()
    if previous is not None and now:
        ids = {m.member_id for m in now}
        then = [m for m in complete(previous, k) if m.member_id in ids]
        if then:
            paired = {m.member_id for m in then}
            compared = tuple(sorted(paired))
            before = team_value(k, [m.inputs for m in then])
            basis = team_value(k, [m.inputs for m in now if m.member_id in paired])
    return line(
        k,
        value,
        before,
        target,
        basis=basis if before is not None else value,
        members=tuple(m.member_id for m in now),
        compared=compared,
        partial=tuple(
            m.member_id
            for m in current
            if m not in now
            and asked_all(m.role_codes, k)
            and any(m.inputs.get(c) is not None for c in k.inputs)
        ),
    )


def asked_all(role_codes: Sequence[str], k: KPI) -> bool:
    """Whether the roles ask for every input of the KPI: someone asked for only part of them
    (spend, without the conversions of a CPA) is not missing from its value. A code the
    catalogue doesn't know is taken to ask for everything."""
    asked: set[str] = set()
    for code in role_codes:
        try:
            asked.update(role(code).inputs)
        except KeyError:
            return True
    return set(k.inputs) <= asked


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


def team_summary(
    members: Sequence[MemberInputs],
    previous: Sequence[MemberInputs] | None = None,
    targets: Mapping[str, Decimal] | None = None,
    role_targets: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> TeamSummary:
    """By role (members holding it, inputs added up, ratios recomputed) and by agenda topic
    (all members; a KPI only when some member gave all its inputs). `targets` are the team's
    own plans (team-wide lines); `role_targets` role code → plans for that role's lines
    (default: the team's). Changes follow `compare`."""
    targets = targets or {}
    held = {code for m in members for code in m.role_codes}
    by_role: dict[str, list[KpiLine]] = {}
    for r in catalog():
        if r.code not in held:
            continue
        rows = [m for m in members if r.code in m.role_codes]
        prev_rows = None if previous is None else [m for m in previous if r.code in m.role_codes]
        plans = (role_targets or {}).get(r.code, targets)
        by_role[r.code] = [compare(k, rows, prev_rows, plans.get(k.code)) for k in r.kpis]
    topics: list[TopicSummary] = []
    for topic in agenda_topics():
        lines = []
        for code in topic.kpi_codes:
            k = metric(code)
            if complete(members, k):
                lines.append(compare(k, members, previous, targets.get(k.code)))
        topics.append(TopicSummary(topic, lines))
    reported = tuple(m.member_id for m in members if any(v is not None for v in m.inputs.values()))
    return TeamSummary(by_role=by_role, topics=topics, reported=reported)
