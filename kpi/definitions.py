"""The role catalogue (inputs, metrics, departments, roles) from data/catalog.toml, validated."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from kpi.errors import CatalogError
from kpi.formulas import FORMULAS, compute
from kpi.units import AGGREGATIONS, DIRECTIONS, UNITS

LANGS = ("ru", "en")
KPIS_PER_ROLE = 5


@dataclass(frozen=True, slots=True)
class Input:
    """A raw number a specialist is asked for."""

    code: str
    titles: dict[str, str] = field(hash=False)
    unit: str
    hints: dict[str, str] = field(hash=False)
    aggregation: str  # over periods: sum, last (stock measures), first, mean
    direction: str = "up"  # when the input is itself a KPI
    integer: bool = False  # counts must be whole


@dataclass(frozen=True, slots=True)
class KPI:
    code: str  # the metric code
    titles: dict[str, str] = field(hash=False)
    unit: str
    direction: str
    inputs: tuple[str, ...]  # the raw inputs it needs, in question order
    formula: str | None  # a code of kpi.formulas.FORMULAS; None for a raw-input KPI
    measure: dict[str, str] | None = field(hash=False)  # how a qualitative KPI is measured
    seed_text: str
    args: tuple[str, ...] = ()  # the formula's arguments (input or metric codes), in order
    source: str = "000"  # the seed document the KPI comes from
    conversion: bool = False  # watched for anomalies
    topics: tuple[str, ...] = ()  # the agenda topics (seed 004) it is discussed under, in order


@dataclass(frozen=True, slots=True)
class Role:
    code: str
    department: str
    titles: dict[str, str] = field(hash=False)
    kpis: tuple[KPI, ...]
    inputs: tuple[str, ...]
    source: str = "000"


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    titles: dict[str, str] = field(hash=False)
    roles: tuple[Role, ...]


def _titles(entry: Mapping[str, Any], where: str, key: str | None = None) -> dict[str, str]:
    source = entry if key is None else entry.get(key, {})
    titles = {lang: str(source.get(lang, "")).strip() for lang in LANGS}
    if not all(titles.values()):
        raise CatalogError(f"{where}: a title or text is missing in {LANGS}")
    return titles


def seed_title(seed: str) -> str:
    """The Russian title of a seed KPI line: the part before its colon, without the final dot."""
    head = seed.split(":", 1)[0] if ":" in seed else seed
    return head.strip().rstrip(".").strip()


@cache
def raw_data() -> dict[str, Any]:
    text = resources.files("kpi").joinpath("data/catalog.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _load_inputs(data: Mapping[str, Any]) -> dict[str, Input]:
    inputs: dict[str, Input] = {}
    for code, entry in data.items():
        where = f"input {code}"
        unit = entry.get("unit")
        aggregation = entry.get("aggregation")
        direction = entry.get("direction", "up")
        if unit not in UNITS:
            raise CatalogError(f"{where}: unit {unit!r} not in {UNITS}")
        if aggregation not in AGGREGATIONS:
            raise CatalogError(f"{where}: aggregation {aggregation!r} not in {AGGREGATIONS}")
        if direction not in DIRECTIONS:
            raise CatalogError(f"{where}: direction {direction!r}")
        inputs[code] = Input(
            code=code,
            titles=_titles(entry, where),
            unit=unit,
            hints=_titles(entry, where, "hint"),
            aggregation=aggregation,
            direction=direction,
            integer=bool(entry.get("integer", unit == "count")),
        )
    return inputs


def _topics_of(data: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Metric code → the agenda topics listing it ([[topics]]), in the agenda's order: the one
    table both the agenda (kpi.agenda) and the dashboard's grouping read."""
    out: dict[str, tuple[str, ...]] = {}
    for topic in data.get("topics", ()):
        for code in topic.get("metrics", ()):
            out[code] = (*out.get(code, ()), str(topic.get("code", "")))
    return out


def _raw_metric(inp: Input, topics: tuple[str, ...] = ()) -> KPI:
    return KPI(
        code=inp.code,
        titles=dict(inp.titles),
        unit=inp.unit,
        direction=inp.direction,
        inputs=(inp.code,),
        formula=None,
        measure=None,
        seed_text="",
        args=(inp.code,),
        topics=topics,
    )


def _load_metrics(
    data: Mapping[str, Any],
    inputs: Mapping[str, Input],
    topics: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, KPI]:
    topics = topics or {}
    entries = dict(data)
    order = {code: i for i, code in enumerate(inputs)}
    metrics: dict[str, KPI] = {
        code: _raw_metric(inp, topics.get(code, ())) for code, inp in inputs.items()
    }

    def build(code: str, stack: tuple[str, ...]) -> KPI:
        if code in metrics:
            return metrics[code]
        if code in stack:
            raise CatalogError(f"metric {code}: circular definition via {stack}")
        if code not in entries:
            raise CatalogError(f"metric {code}: not defined (neither an input nor a metric)")
        entry = entries[code]
        where = f"metric {code}"
        formula = FORMULAS.get(entry.get("formula", ""))
        if formula is None:
            raise CatalogError(f"{where}: unknown formula {entry.get('formula')!r}")
        args = tuple(entry.get("args", ()))
        if len(args) != len(formula.params):
            raise CatalogError(f"{where}: {formula.code} takes {formula.params}, got {args}")
        unit, direction = entry.get("unit"), entry.get("direction")
        if unit not in UNITS or (formula.unit is not None and formula.unit != unit):
            raise CatalogError(f"{where}: unit {unit!r} does not fit formula {formula.code}")
        if direction not in DIRECTIONS:
            raise CatalogError(f"{where}: direction {direction!r}")
        raw: set[str] = set()
        for arg in args:
            raw.update(build(arg, (*stack, code)).inputs)
        metric = KPI(
            code=code,
            titles=_titles(entry, where),
            unit=unit,
            direction=direction,
            inputs=tuple(sorted(raw, key=order.__getitem__)),
            formula=formula.code,
            measure=_titles(entry, where, "measure") if "measure" in entry else None,
            seed_text="",
            args=args,
            conversion=bool(entry.get("conversion", False)),
            topics=topics.get(code, ()),
        )
        metrics[code] = metric
        return metric

    for code in entries:
        if code in inputs:
            raise CatalogError(f"metric {code}: the code is taken by an input")
        build(code, ())
    return metrics


def _role_kpi(entry: Mapping[str, Any], metric: KPI, source: str, where: str) -> KPI:
    seed = str(entry.get("seed", "")).strip()
    if not seed:
        raise CatalogError(f"{where}: the seed's line is missing")
    titles = {"ru": str(entry.get("ru") or seed_title(seed)), "en": str(entry.get("en", ""))}
    if not titles["en"]:
        raise CatalogError(f"{where}: English title missing")
    measure = _titles(entry, where, "measure") if "measure" in entry else metric.measure
    return KPI(
        code=metric.code,
        titles=titles,
        unit=metric.unit,
        direction=metric.direction,
        inputs=metric.inputs,
        formula=metric.formula,
        measure=dict(measure) if measure else None,
        seed_text=seed,
        args=metric.args,
        source=str(entry.get("source", source)),
        conversion=metric.conversion,
        topics=metric.topics,
    )


def _load_departments(
    data: Iterable[Mapping[str, Any]], metrics: Mapping[str, KPI], inputs: Mapping[str, Input]
) -> tuple[Department, ...]:
    order = {code: i for i, code in enumerate(inputs)}
    departments: list[Department] = []
    seen_roles: set[str] = set()
    for dept in data:
        dcode = dept.get("code", "")
        if not dcode or any(d.code == dcode for d in departments):
            raise CatalogError(f"department {dcode!r}: missing or repeated code")
        roles: list[Role] = []
        for entry in dept.get("roles", ()):
            rcode = entry.get("code", "")
            where = f"role {rcode}"
            if not rcode or rcode in seen_roles:
                raise CatalogError(f"{where}: missing or repeated code")
            seen_roles.add(rcode)
            source = str(entry.get("source", "000"))
            kpis: list[KPI] = []
            for i, item in enumerate(entry.get("kpis", ())):
                code = item.get("metric", "")
                if code not in metrics:
                    raise CatalogError(f"{where}: unknown metric {code!r}")
                kpis.append(_role_kpi(item, metrics[code], source, f"{where} kpi {i + 1}"))
            if len(kpis) != KPIS_PER_ROLE:
                raise CatalogError(f"{where}: {len(kpis)} KPIs, the seed gives {KPIS_PER_ROLE}")
            if len({k.code for k in kpis}) != len(kpis):
                raise CatalogError(f"{where}: two KPIs share a metric code")
            needed = {i for k in kpis for i in k.inputs}
            roles.append(
                Role(
                    code=rcode,
                    department=dcode,
                    titles=_titles(entry, where),
                    kpis=tuple(kpis),
                    inputs=tuple(sorted(needed, key=order.__getitem__)),
                    source=source,
                )
            )
        if not roles:
            raise CatalogError(f"department {dcode}: no roles")
        departments.append(Department(dcode, _titles(dept, f"department {dcode}"), tuple(roles)))
    return tuple(departments)


_DATA = raw_data()
_INPUTS: dict[str, Input] = _load_inputs(_DATA.get("inputs", {}))
_METRICS: dict[str, KPI] = _load_metrics(_DATA.get("metrics", {}), _INPUTS, _topics_of(_DATA))
_DEPARTMENTS: tuple[Department, ...] = _load_departments(
    _DATA.get("departments", ()), _METRICS, _INPUTS
)
_ROLES: dict[str, Role] = {r.code: r for d in _DEPARTMENTS for r in d.roles}
_INPUT_ORDER: dict[str, int] = {code: i for i, code in enumerate(_INPUTS)}


def departments() -> tuple[Department, ...]:
    """The departments in seed order, each with its roles (for a department → role picker)."""
    return _DEPARTMENTS


def catalog() -> tuple[Role, ...]:
    """Every role, department by department."""
    return tuple(_ROLES.values())


def role(code: str) -> Role:
    return _ROLES[code]


def input_def(code: str) -> Input:
    return _INPUTS[code]


def all_inputs() -> tuple[Input, ...]:
    return tuple(_INPUTS.values())


def metric(code: str) -> KPI:
    """A metric as a KPI with its generic titles (no seed line): any input or derived code."""
    return _METRICS[code]


def metrics() -> tuple[KPI, ...]:
    return tuple(_METRICS.values())


def is_input(code: str) -> bool:
    return code in _INPUTS


def inputs_for_roles(role_codes: Iterable[str]) -> tuple[Input, ...]:
    """The inputs the roles need, each once, in the catalogue's question order."""
    needed = {code for rc in role_codes for code in _ROLES[rc].inputs}
    return tuple(_INPUTS[c] for c in sorted(needed, key=_INPUT_ORDER.__getitem__))


def evaluate(kpi: KPI | str, inputs: Mapping[str, Decimal]) -> Decimal | None:
    """The KPI's value from raw inputs: the input itself, or its formula over its arguments."""
    if isinstance(kpi, str):
        kpi = _METRICS[kpi]
    if kpi.formula is None:
        value = inputs.get(kpi.args[0])
        return None if value is None else Decimal(value)
    params = FORMULAS[kpi.formula].params
    values: dict[str, Decimal | None] = {}
    for param, arg in zip(params, kpi.args, strict=True):
        value = inputs.get(arg) if arg in _INPUTS else evaluate(_METRICS[arg], inputs)
        if value is None:
            return None
        values[param] = value
    return compute(kpi.formula, values)  # type: ignore[arg-type]
