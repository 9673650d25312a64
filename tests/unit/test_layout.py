"""The layout's one rule, read from the code with `ast`: imports go one way,
bot → handlers → jobs → core → views → services → models, kpi (each may import only what is
to its right), services import no Telegram (aiogram), kpi imports nothing of ours, the product
imports none of tgemu/, demo/, tests/, bench/, and services' feature folders have no cycle.
Every import counts: at the top, inside a function, or under TYPE_CHECKING."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lower numbers sit lower: a package may import its own rank's package or lower ones.
RANK = {"models": 0, "kpi": 0, "services": 1, "views": 2, "core": 3, "jobs": 4, "handlers": 5}
RANK["bot"] = 6
OUTSIDE = {"tgemu", "demo", "tests", "bench"}  # not the product: nothing in it imports them
OURS = set(RANK) | OUTSIDE
TELEGRAM = ("aiogram",)


def imports(path: Path, submodules: bool = False) -> list[tuple[int, str]]:
    """(line, module) for every absolute import in the file; with `submodules`, also
    services.teams for `from services import teams`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if submodules:
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def product_files(root: Path = ROOT) -> list[Path]:
    return [p for package in RANK for p in sorted((root / package).rglob("*.py"))]


def violations(root: Path = ROOT) -> list[str]:
    found = []
    for path in product_files(root):
        rel = path.relative_to(root)
        own = rel.parts[0]
        for line, module in imports(path):
            top = module.split(".")[0]
            where = f"{rel}:{line} imports {module}"
            if top in OUTSIDE:
                found.append(f"{where}: {top}/ is not part of the product")
            elif top in RANK and RANK[top] > RANK[own]:
                found.append(f"{where}: {own}/ sits below {top}/")
            elif own == "kpi" and top in OURS and top != "kpi":
                found.append(f"{where}: kpi/ is pure")
            elif own == "services" and top in TELEGRAM:
                found.append(f"{where}: services/ know nothing of Telegram")
    return sorted(set(found))


def folder_cycles(root: Path = ROOT, package: str = "services") -> list[list[str]]:
    """Cycles between the feature folders of `package` (services/team, services/checkins...)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root / package)
        if len(rel.parts) < 2:
            continue
        folder = rel.parts[0]
        for _, module in imports(path, submodules=True):
            parts = module.split(".")
            if parts[0] == package and len(parts) > 2 and parts[1] != folder:
                edges[folder].add(parts[1])
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return cycles


def test_imports_go_one_way() -> None:
    assert violations() == []


def test_no_cycle_between_service_folders() -> None:
    assert folder_cycles() == []


def test_tgemu_stands_alone() -> None:
    for path in sorted((ROOT / "tgemu").rglob("*.py")):
        for line, module in imports(path):
            assert module.split(".")[0] not in OURS - {"tgemu"}, f"{path}:{line} {module}"


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The rule is a real check: one planted upward import, and one cycle, are found."""
    for package in RANK:
        (tmp_path / package).mkdir()
    (tmp_path / "services" / "team").mkdir()
    (tmp_path / "services" / "tasks").mkdir()
    (tmp_path / "services" / "team" / "teams.py").write_text("from handlers import tasks\n")
    (tmp_path / "services" / "tasks" / "a.py").write_text("from services.team import teams\n")
    (tmp_path / "services" / "team" / "b.py").write_text("from services.tasks.a import x\n")
    (tmp_path / "kpi" / "x.py").write_text("def f():\n    import models.tables\n")
    assert violations(tmp_path) == [
        "kpi/x.py:2 imports models.tables: kpi/ is pure",
        "services/team/teams.py:1 imports handlers: services/ sits below handlers/",
    ]
    assert folder_cycles(tmp_path) == [["tasks", "team", "tasks"]]
