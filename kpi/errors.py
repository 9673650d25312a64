"""Errors with translatable reasons (keys `kpi.error.<reason>` in locales/*/kpi.po)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

REASONS: tuple[str, ...] = (
    "empty",
    "not_a_number",
    "negative",
    "percent_over_100",
    "out_of_range",
    "not_whole",
    "too_large",
)


class InputError(ValueError):
    """A typed answer that can't be taken; `reason` is one of REASONS, `params` fill its text."""

    def __init__(self, reason: str, **params: Any) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(reason, params)
        self.reason = reason
        self.params: dict[str, Any] = params

    @property
    def key(self) -> str:
        return f"kpi.error.{self.reason}"

    def message_params(self, locale: str = "ru") -> dict[str, str]:
        """Params as display strings for `str.format` (numbers formatted for the locale)."""
        from kpi.formatting import format_number

        out: dict[str, str] = {}
        for name, value in self.params.items():
            if isinstance(value, Decimal):
                out[name] = format_number(value, str(self.params.get("unit", "count")), locale)
            else:
                out[name] = str(value)
        return out

    def __str__(self) -> str:
        return f"{self.reason}: {self.params}" if self.params else self.reason


class CatalogError(RuntimeError):
    """The catalogue data file is inconsistent."""
