"""The floors of docs/architecture.md, read from the code: arrows point down or sideways."""

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
FEATURES = {"pages", "registration", "cases", "appointments", "recovery", "staff", "ops"}
LOW_FLOORS = {"links", "i18n", "security", "forms", "profile", "logs", "db", "audit", "notify"}


def _modules():
    for path in sorted(PORTAL.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _package_of(path: Path) -> str:
    relative = path.relative_to(PORTAL).parts
    return relative[0] if len(relative) > 1 else relative[0].removesuffix(".py")


def _imported_packages(node: ast.AST) -> set[str]:
    names = []
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
        if node.module == "portal":
            names = [f"portal.{alias.name}" for alias in node.names]
    elif isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    return {name.split(".")[1] for name in names if name.startswith("portal.")}


def _imports_by_package() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path, tree in _modules():
        own = _package_of(path)
        for node in ast.walk(tree):
            graph.setdefault(own, set()).update(_imported_packages(node) - {own})
    return graph


def test_no_import_of_the_portal_hides_inside_a_function():
    hidden = []
    for path, tree in _modules():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if _imported_packages(node) or (
                    isinstance(node, ast.ImportFrom) and node.level > 0
                ):
                    hidden.append(f"{path.relative_to(PORTAL)}:{node.lineno}")
    assert hidden == []


def test_no_two_packages_import_each_other():
    graph = _imports_by_package()
    cycles = sorted(
        f"{a} <-> {b}"
        for a, targets in graph.items()
        for b in targets
        if a < b and a in graph.get(b, ())
    )
    assert cycles == []


def test_the_low_floors_import_no_feature():
    graph = _imports_by_package()
    upward = {floor: sorted(graph.get(floor, set()) & FEATURES) for floor in LOW_FLOORS}
    assert {floor: found for floor, found in upward.items() if found} == {}
