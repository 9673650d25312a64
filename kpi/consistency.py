"""Impossible combinations of one member's inputs (more clicks than impressions, …).

The rules come from the formulas' constraints as the catalogue binds them to inputs, so every
ratio that compute() refuses as impossible is reported here under the inputs' names.
Reason texts: `kpi.inconsistency.<code>` in locales/*/kpi.po.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from kpi.definitions import KPI, input_def, is_input, metric, metrics, role
from kpi.formulas import FORMULAS, violations

INCONSISTENCIES: tuple[str, ...] = ("exceeds", "retained_exceeds_start")

# Outcomes a member with several roles reports once, as a total over their channels: compared
# with one channel's denominator only where one of the member's own KPIs makes that comparison.
CROSS_CHANNEL = frozenset({"conversions", "leads", "new_customers"})


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


Binding = tuple[str, dict[str, str]]  # (formula, param → input code)


def _bindings(source: Iterable[KPI]) -> list[Binding]:
    """The bindings of every derived metric among `source` with a constraint on its inputs."""
    out: list[Binding] = []
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for m in source:
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


def _nested(kpis: Iterable[KPI]) -> list[KPI]:
    out: list[KPI] = []
    for k in kpis:
        out.append(k)
        out.extend(_nested(metric(a) for a in k.args if not is_input(a) and a != k.code))
    return out


_BINDINGS = _bindings(metrics())
_UNIVERSAL = [b for b in _BINDINGS if not CROSS_CHANNEL & set(b[1].values())]


def _for_roles(role_codes: Iterable[str]) -> list[Binding]:
    own = _bindings(_nested(k for code in role_codes for k in role(code).kpis))
    return own + [b for b in _UNIVERSAL if b not in own]


def check_consistency(
    inputs: Mapping[str, Decimal], role_codes: Iterable[str] | None = None
) -> list[Inconsistency]:
    """Every impossible pair among the inputs. With `role_codes`, the member's roles: a total
    such as conversions is then compared only where one of their KPIs divides it (an email
    marketer's conversions by unique email clicks, not also by another channel's clicks)."""
    found: dict[tuple[str, str, str], Inconsistency] = {}
    bindings = _BINDINGS if role_codes is None else _for_roles(role_codes)
    for formula, binding in bindings:
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
