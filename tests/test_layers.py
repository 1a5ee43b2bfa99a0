"""Nothing imports upward: stats < agents < sim < experiments < servsim (issue 24).

Each layer may use the ones below it and never one above, so a change to the
analyses cannot break a run and the statistics are the same for everyone. Every
import is checked, also those inside functions (a lazy import is still an arrow).
Only an import under ``if TYPE_CHECKING:`` is passed over: it runs nothing and
only names a type for readers (the processes name the schema's config records so
that a signature shows what it reads), so it cannot make a layer depend on another.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("stats", "agents", "sim", "experiments", "servsim")


def _imported_packages(path: Path) -> set[tuple[str, int]]:
    """The top-level packages a module imports, with the line of each import."""
    found = set()
    tree = ast.parse(path.read_text(), filename=str(path))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
    return found


def upward_imports() -> list[str]:
    arrows = []
    for rank, layer in enumerate(LAYERS):
        for path in sorted((ROOT / layer).rglob("*.py")):
            for package, line in sorted(_imported_packages(path)):
                if package in LAYERS and LAYERS.index(package) > rank:
                    arrows.append(f"{path.relative_to(ROOT)}:{line} imports {package} (a layer above {layer})")
    return arrows


def test_every_layer_has_modules():
    for layer in LAYERS:
        assert list((ROOT / layer).rglob("*.py")), f"layer {layer}/ holds no module: the walk would check nothing"


def test_no_module_imports_a_layer_above_its_own():
    assert upward_imports() == []


def test_the_walk_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from experiments.aggregate import load_sweep\n")
    assert ("experiments", 2) in _imported_packages(module)


def test_an_import_for_type_checkers_only_is_no_arrow(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sim.params import RecoveryConfig\nimport sim.run\n")
    assert _imported_packages(module) == {("typing", 1), ("sim", 4)}
