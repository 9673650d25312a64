"""The ten agenda topics of seed 004 and the metrics that feed each."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpi.definitions import metric, raw_data
from kpi.errors import CatalogError


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    titles: dict[str, str] = field(hash=False)
    kpi_codes: tuple[str, ...]
    seed_text: str = ""


def _load() -> tuple[Topic, ...]:
    topics: list[Topic] = []
    for entry in raw_data().get("topics", ()):
        code = entry.get("code", "")
        codes = tuple(entry.get("metrics", ()))
        for kpi_code in codes:
            try:
                metric(kpi_code)
            except KeyError:
                raise CatalogError(f"topic {code}: unknown metric {kpi_code!r}") from None
        titles = {"ru": entry.get("ru", ""), "en": entry.get("en", "")}
        if not code or not all(titles.values()) or not codes:
            raise CatalogError(f"topic {code!r}: code, titles and metrics are required")
        topics.append(Topic(code, titles, codes, entry.get("seed", "")))
    if len({t.code for t in topics}) != len(topics):
        raise CatalogError("topics: repeated code")
    return tuple(topics)


_TOPICS = _load()


def agenda_topics() -> tuple[Topic, ...]:
    return _TOPICS
