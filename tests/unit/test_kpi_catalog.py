"""The role catalogue against the seeds: every department, role and KPI, made measurable."""

from __future__ import annotations

import dataclasses
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

import kpi
from kpi import definitions as catalog_module
from kpi.errors import CatalogError
from kpi.formulas import FORMULAS

SEEDS = Path(
    os.environ.get("PLANERKA_SEEDS", Path(__file__).resolve().parents[3] / "shared" / "seeds")
)
SEED_FILES = {"000": "000_*.txt", "002": "002_*.txt", "003": "003_*.txt", "004": "004_*.txt"}

CONTRACT_ROLES = {
    "context_ads_specialist": "context_ads",
    "targetologist": "social_targeting",
    "smm_manager": "social_targeting",
    "seo_specialist": "seo",
    "email_marketer": "email",
    "head_of_internet_marketing": "internet_marketing",
    "cro_specialist": "ux",
    "analytics_specialist": "analytics",
}

SAMPLE_BY_UNIT = {
    "count": Decimal(100),
    "money": Decimal(1000),
    "percent": Decimal(30),
    "ratio": Decimal(2),
    "years": Decimal(3),
    "seconds": Decimal(500),
    "days": Decimal(10),
    "score": Decimal(70),
    "points": Decimal(10),
}


def seed_text(source: str) -> str:
    matches = sorted(SEEDS.glob(SEED_FILES[source]))
    if not matches:
        pytest.skip(f"seed {source} not found under {SEEDS}")
    return matches[0].read_text(encoding="utf-8")


def parse_seed_000(text: str) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """[(department title, [(role title, [KPI lines])])] in the seed's order."""
    departments: list[tuple[str, list[tuple[str, list[str]]]]] = []
    in_kpis = False
    for raw in text.splitlines():
        line = raw.strip()
        if m := re.fullmatch(r"\d+\. (Отдел .+)", line):
            departments.append((m.group(1), []))
            in_kpis = False
        elif m := re.fullmatch(r"• (.+?) :", line):
            departments[-1][1].append((m.group(1), []))
            in_kpis = False
        elif line == "KPI :":
            in_kpis = True
        elif in_kpis and line.startswith("• "):
            departments[-1][1][-1][1].append(line[2:])
        elif line and not line.startswith("• "):
            in_kpis = False
    return departments


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_seed_000_has_every_department_role_and_kpi_in_order() -> None:
    seed = parse_seed_000(seed_text("000"))
    assert len(seed) == 28
    assert sum(len(roles) for _, roles in seed) == 32
    built = kpi.departments()
    assert [d.titles["ru"] for d in built] == [title for title, _ in seed]
    for dept, (_, seed_roles) in zip(built, seed, strict=True):
        own = [r for r in dept.roles if r.source == "000"]
        assert [r.titles["ru"] for r in own] == [title for title, _ in seed_roles]
        for role, (_, lines) in zip(own, seed_roles, strict=True):
            assert len(lines) == 5, role.code
            assert [k.seed_text for k in role.kpis] == lines, role.code


def test_roles_from_seeds_002_003_004_quote_their_seed() -> None:
    extra = [r for r in kpi.catalog() if r.source != "000"]
    assert {r.code for r in extra} == {
        "head_of_internet_marketing",
        "cro_specialist",
        "analytics_specialist",
    }
    for r in extra:
        for k in r.kpis:
            assert flat(k.seed_text) in flat(seed_text(k.source)), (r.code, k.code)


def test_agenda_topics_quote_seed_004() -> None:
    text = flat(seed_text("004"))
    for topic in kpi.agenda_topics():
        assert topic.titles["ru"] in text
        assert flat(topic.seed_text) in text


def test_counts_and_contract_role_codes() -> None:
    assert len(kpi.departments()) == 28
    roles = kpi.catalog()
    assert len([r for r in roles if r.source == "000"]) == 32
    assert len(roles) == 35
    assert all(len(r.kpis) == 5 for r in roles)
    for code, dept in CONTRACT_ROLES.items():
        assert kpi.role(code).department == dept
    assert [r.code for d in kpi.departments() for r in d.roles] == [r.code for r in roles]
    assert kpi.departments()[0].code == "context_ads"
    assert kpi.departments()[-1].code == "mobile"


def test_every_role_and_kpi_has_titles_unit_and_direction() -> None:
    for r in kpi.catalog():
        assert r.titles["ru"] and r.titles["en"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", r.code)
        assert len({k.code for k in r.kpis}) == 5
        for k in r.kpis:
            assert k.titles["ru"] and k.titles["en"], (r.code, k.code)
            assert k.unit in kpi.UNITS
            assert k.direction in kpi.DIRECTIONS
            assert k.inputs and all(kpi.is_input(i) for i in k.inputs)
            if k.formula is None:
                assert k.inputs == (k.code,) == k.args
            else:
                assert k.formula in FORMULAS
                assert len(k.args) == len(FORMULAS[k.formula].params)


def test_ru_title_is_the_seed_lines_head() -> None:
    ctr = kpi.role("context_ads_specialist").kpis[0]
    assert ctr.titles["ru"] == "CTR (click-through rate)"
    assert ctr.seed_text == "CTR (click-through rate): процент кликов относительно показов."
    total = kpi.role("context_ads_specialist").kpis[4]
    assert total.titles["ru"] == "Общий объем продаж через контекстную рекламу"
    assert total.code == "revenue" and total.formula is None


def sample_inputs() -> dict[str, Decimal]:
    return {i.code: SAMPLE_BY_UNIT[i.unit] for i in kpi.all_inputs()}


def test_every_kpi_is_computable_from_its_inputs_and_none_without_one() -> None:
    full = sample_inputs()
    for r in kpi.catalog():
        for k in r.kpis:
            value = kpi.evaluate(k, {c: full[c] for c in k.inputs})
            assert value is not None, (r.code, k.code)
            for missing in k.inputs:
                partial = {c: full[c] for c in k.inputs if c != missing}
                assert kpi.evaluate(k, partial) is None, (r.code, k.code, missing)


def test_qualitative_kpis_are_made_measurable() -> None:
    tone = next(k for k in kpi.role("pr_manager").kpis if k.seed_text.startswith("Тон"))
    assert tone.code == "positive_share"
    assert tone.inputs == ("positive_mentions", "neutral_mentions", "negative_mentions")
    assert tone.measure and "положительн" in tone.measure["ru"]
    value = kpi.evaluate(
        tone,
        {
            "positive_mentions": Decimal(30),
            "neutral_mentions": Decimal(15),
            "negative_mentions": Decimal(5),
        },
    )
    assert value == Decimal(60)
    style = next(k for k in kpi.role("content_manager").kpis if "стилю бренда" in k.seed_text)
    assert style.code == "first_review_approval"
    assert style.measure and "с первого раза" in style.measure["ru"]
    assert style.inputs == ("materials_reviewed", "approved_first_review")


def test_derived_measures_beyond_standard_formulas_are_documented() -> None:
    plain = {"share", "per_unit", "positive_share", "uplift", "forecast_accuracy"}
    explained = {"top10_share", "repeat_purchase_rate", "time_on_task"}
    for r in kpi.catalog():
        for k in r.kpis:
            if k.formula in plain and k.code not in explained:
                assert k.measure, (r.code, k.code)
            if k.measure:
                assert k.measure["ru"] and k.measure["en"]


def test_role_inputs_are_the_union_of_its_kpis_inputs_each_once() -> None:
    for r in kpi.catalog():
        union = {i for k in r.kpis for i in k.inputs}
        assert set(r.inputs) == union
        assert len(r.inputs) == len(union)
        assert tuple(i.code for i in kpi.inputs_for_roles([r.code])) == r.inputs


def test_inputs_for_several_roles_are_asked_once_in_question_order() -> None:
    both = kpi.inputs_for_roles(["context_ads_specialist", "targetologist"])
    codes = [i.code for i in both]
    assert len(codes) == len(set(codes))
    assert codes.count("spend") == 1 and codes.count("clicks") == 1
    assert set(codes) == set(kpi.role("context_ads_specialist").inputs) | set(
        kpi.role("targetologist").inputs
    )
    order = [i.code for i in kpi.all_inputs()]
    assert codes == sorted(codes, key=order.index)
    assert codes.index("spend") < codes.index("impressions") < codes.index("clicks")
    assert kpi.inputs_for_roles(["targetologist", "context_ads_specialist"]) == both
    assert kpi.inputs_for_roles([]) == ()


def test_inputs_have_unit_aggregation_and_hints() -> None:
    for i in kpi.all_inputs():
        assert i.unit in kpi.UNITS and i.aggregation in kpi.AGGREGATIONS
        assert i.titles["ru"] and i.titles["en"] and i.hints["ru"] and i.hints["en"]
    assert kpi.input_def("followers").aggregation == "last"
    assert kpi.input_def("keywords_top10").aggregation == "last"
    assert kpi.input_def("customers_start").aggregation == "first"
    assert kpi.input_def("clicks").aggregation == "sum"
    assert kpi.input_def("margin_pct").unit == "percent"
    assert kpi.input_def("clicks").integer and not kpi.input_def("launch_days").integer


def test_unknown_codes_raise_key_error() -> None:
    with pytest.raises(KeyError):
        kpi.role("astronaut")
    with pytest.raises(KeyError):
        kpi.input_def("vibes")
    with pytest.raises(KeyError):
        kpi.metric("vibes")
    with pytest.raises(KeyError):
        kpi.inputs_for_roles(["astronaut"])


def test_agenda_has_the_ten_topics_of_seed_004_in_order() -> None:
    topics = kpi.agenda_topics()
    assert [t.titles["ru"] for t in topics] == [
        "Сайт трафик",
        "Конверсии",
        "CAC и LTV",
        "ROI",
        "Рекламный бюджет",
        "Социальные медиа",
        "Email-маркетинг",
        "SEO",
        "UX/UI",
        "Аналитика и отчетность",
    ]
    asked = {i for r in kpi.catalog() for i in r.inputs}
    role_kpis = {k.code for r in kpi.catalog() for k in r.kpis}
    for t in topics:
        assert t.titles["en"] and t.kpi_codes
        assert any(code in role_kpis for code in t.kpi_codes), t.code
        for code in t.kpi_codes:
            assert set(kpi.metric(code).inputs) <= asked, (t.code, code)
    cac_ltv = next(t for t in topics if t.code == "cac_ltv")
    assert {"cac", "ltv", "ltv_cac"} <= set(cac_ltv.kpi_codes)


def test_catalogue_objects_are_frozen_and_hashable() -> None:
    r = kpi.role("seo_specialist")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.code = "x"  # type: ignore[misc]
    assert len({r, kpi.role("seo_specialist"), *r.kpis}) == 6
    assert hash(kpi.input_def("clicks")) == hash(kpi.input_def("clicks"))


def test_broken_data_is_rejected_at_load() -> None:
    inputs = catalog_module._load_inputs(
        {
            "clicks": {
                "unit": "count",
                "aggregation": "sum",
                "ru": "К",
                "en": "C",
                "hint": {"ru": "к", "en": "c"},
            }
        }
    )
    with pytest.raises(CatalogError, match="unit"):
        catalog_module._load_inputs(
            {"x": {"unit": "bananas", "aggregation": "sum", "ru": "x", "en": "x"}}
        )
    with pytest.raises(CatalogError, match="formula"):
        catalog_module._load_metrics(
            {"m": {"formula": "magic", "args": ["clicks"], "unit": "percent", "direction": "up"}},
            inputs,
        )
    with pytest.raises(CatalogError, match="takes"):
        catalog_module._load_metrics(
            {"m": {"formula": "ctr", "args": ["clicks"], "unit": "percent", "direction": "up"}},
            inputs,
        )
    with pytest.raises(CatalogError, match="circular"):
        catalog_module._load_metrics(
            {
                "a": {"formula": "ltv_cac", "args": ["b", "clicks"], "unit": "ratio",
                      "direction": "up", "ru": "a", "en": "a"},
                "b": {"formula": "ltv_cac", "args": ["a", "clicks"], "unit": "ratio",
                      "direction": "up", "ru": "b", "en": "b"},
            },
            inputs,
        )  # fmt: skip
    metrics = catalog_module._load_metrics({}, inputs)
    role = {"code": "r", "ru": "Р", "en": "R"}
    four = [{"metric": "clicks", "en": "Clicks", "seed": "Клики."}] * 4
    with pytest.raises(CatalogError, match="4 KPIs"):
        catalog_module._load_departments(
            [{"code": "d", "ru": "Д", "en": "D", "roles": [{**role, "kpis": four}]}],
            metrics,
            inputs,
        )
    five = [{"metric": "clicks", "en": "Clicks", "seed": "Клики."}] * 5
    with pytest.raises(CatalogError, match="share a metric"):
        catalog_module._load_departments(
            [{"code": "d", "ru": "Д", "en": "D", "roles": [{**role, "kpis": five}]}],
            metrics,
            inputs,
        )
    unknown = [{"metric": "nope", "en": "N", "seed": "Н."}] * 5
    with pytest.raises(CatalogError, match="unknown metric"):
        catalog_module._load_departments(
            [{"code": "d", "ru": "Д", "en": "D", "roles": [{**role, "kpis": unknown}]}],
            metrics,
            inputs,
        )


def test_every_kpi_knows_the_agenda_topics_that_list_it() -> None:
    """Issue 13: the dashboard groups rows by KPI.topics, the agenda fills its ten points from
    the topics' metric lists: one table, so both put a KPI under the same topics."""
    import kpi

    listed: dict[str, list[str]] = {}
    for topic in kpi.agenda_topics():
        for code in topic.kpi_codes:
            listed.setdefault(code, []).append(topic.code)
    assert len(kpi.agenda_topics()) == 10
    for role in kpi.catalog():
        for k in role.kpis:
            assert list(k.topics) == listed.get(k.code, []), (role.code, k.code)
    assert kpi.metric("organic_sessions").topics == ("site_traffic", "seo")
    assert kpi.role("context_ads_specialist").kpis[0].topics == ("conversions",)  # CTR
