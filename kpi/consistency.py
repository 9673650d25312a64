"""Impossible combinations of one member's inputs (more clicks than impressions, …).

The rules come from the formulas' constraints as the catalogue binds them to inputs, so every
ratio that compute() refuses as impossible is reported here under the inputs' names.
Reason texts: `kpi.inconsistency.<code>` in locales/*/kpi.po.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from kpi.definitions import input_def, is_input, metrics
from kpi.formulas import FORMULAS, violations

INCONSISTENCIES: tuple[str, ...] = ("exceeds", "retained_exceeds_start")


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """`inputs` = (left, right): left can't be more than right. params: left, right values."""

    code: str
    inputs: tuple[str, str]
    params: dict[str, Decimal] = field(hash=False)

    @property
    def key(self) -> str:
        return f"kpi.inconsistency.{self.code}"

    def message_params(self, locale: str = "ru") -> dict[str, str]:
        from kpi.formatting import format_number

        lang = locale.split("_")[0].split("-")[0]
        left, right = (input_def(c) for c in self.inputs)
        return {
            "left": format_number(self.params["left"], left.unit, locale),
            "right": format_number(self.params["right"], right.unit, locale),
            "left_title": left.titles.get(lang, left.titles["en"]),
            "right_title": right.titles.get(lang, right.titles["en"]),
        }


def _bindings() -> list[tuple[str, dict[str, str]]]:
    """(formula, param → input code) for every derived metric with a constraint on its inputs."""
    out: list[tuple[str, dict[str, str]]] = []
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for m in metrics():
        if m.formula is None:
            continue
        formula = FORMULAS[m.formula]
        if not formula.at_most and m.formula != "retention_rate":
            continue
        binding = {p: a for p, a in zip(formula.params, m.args, strict=True) if is_input(a)}
        key = (m.formula, tuple(sorted(binding.items())))
        if key not in seen:
            seen.add(key)
            out.append((m.formula, binding))
    return out


_BINDINGS = _bindings()


def check_consistency(inputs: Mapping[str, Decimal]) -> list[Inconsistency]:
    found: dict[tuple[str, str, str], Inconsistency] = {}
    for formula, binding in _BINDINGS:
        values = {p: Decimal(inputs[a]) for p, a in binding.items() if inputs.get(a) is not None}
        for kind, (pa, pb) in violations(formula, values):
            a, b = binding[pa], binding[pb]
            if kind == "retained_exceeds_start":
                left = values[pa] - values["customers_new"]
            else:
                left = values[pa]
            key = (kind, a, b)
            if key not in found:
                found[key] = Inconsistency(kind, (a, b), {"left": left, "right": values[pb]})
    return list(found.values())
