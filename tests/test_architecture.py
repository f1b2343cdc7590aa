"""The architecture as a test: imports go one way, there is no circle, and every module has its test file.

The layers, lowest first (docs/ARCHITECTURE.md draws them):

    sim:       scenario <- engine <- results <- experiment <- cli     (errors, outputs, version: below all)
    playbook:  text <- data <- analysis <- report <- __main__         (may import any of sim)

A module may import its own layer and the layers below it, never one above;
``sim`` never imports ``playbook``.  Say an engine module imported
``sim.results.kpis`` to read a KPI: the test names the module, the import
and the rule, and the fix is to move the shared fact down (as
``sim.engine.operations.orders.is_late`` sits below the KPI that uses it).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: Rank of each layer; a module of rank r imports only ranks <= r.  The package roots ``sim`` and
#: ``playbook`` are the public facade: above everything in their own package.
RANKS = {
    "sim.errors": 0,
    "sim.outputs": 0,
    "sim.version": 0,
    "sim.scenario": 1,
    "sim.engine": 2,
    "sim.results": 3,
    "sim.experiment": 4,
    "sim.cli": 5,
    "sim.cli_errors": 5,
    "sim.__main__": 6,
    "sim": 6,
    "playbook.text": 1,
    "playbook.data": 2,
    "playbook.analysis": 3,
    "playbook.report": 4,
    "playbook.__main__": 5,
    "playbook": 5,
}

#: Known upward imports, each with the reason it is still there.  Keep this empty; an entry is a debt.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in ("sim", "playbook") for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """Every sim/playbook module ``path`` imports, at the top or inside a function (absolute names)."""
    known, found = modules(), set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {  # `if TYPE_CHECKING:` blocks: annotations, not imports at run time
        id(n) for block in ast.walk(tree) if _is_type_checking(block) for s in block.body for n in ast.walk(s)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import of {node.module}; the project uses absolute imports"
            for a in node.names:  # `from sim.engine import fate` imports the module sim.engine.fate
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in known else node.module)
    return {m for m in found if m in known}


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def layer(module: str) -> str:
    """The layer a module belongs to: the longest key of RANKS that is the module or a package above it."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in RANKS:
            return ".".join(parts[:n])
    raise AssertionError(f"{module}: in no layer of RANKS; add its package to tests/test_architecture.py")


def test_every_module_is_in_a_layer():
    for module in modules():
        layer(module)


def upward_imports() -> list[str]:
    bad = []
    for module, path in modules().items():
        mine = layer(module)
        for target in imports(path):
            theirs = layer(target)
            if module.split(".")[0] == "sim" and target.split(".")[0] == "playbook":
                bad.append(f"{module} imports {target}: sim never imports playbook")
            elif module.split(".")[0] == target.split(".")[0] and RANKS[theirs] > RANKS[mine]:
                if (module, target) not in EXCEPTIONS:
                    bad.append(f"{module} ({mine}) imports {target} ({theirs}), a layer above it")
    return bad


def test_imports_go_one_way():
    assert upward_imports() == []


def test_the_checker_catches_an_upward_import(tmp_path, monkeypatch):
    """The rule above can fail: an engine module importing a KPI is reported."""
    fake = tmp_path / "sim" / "engine" / "spy.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from sim.results.kpis import net_revenue\n")
    (tmp_path / "sim" / "results").mkdir()
    (tmp_path / "sim" / "results" / "kpis.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert upward_imports() == ["sim.engine.spy (sim.engine) imports sim.results.kpis (sim.results), a layer above it"]


def test_no_import_circle():
    graph = {m: {t for t in imports(p) if t != m} for m, p in modules().items()}
    # a package's __init__ importing its own modules (sim -> sim.experiment.runs) is the facade, not a circle
    graph = {m: {t for t in targets if not t.startswith(m + ".")} for m, targets in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                pytest.fail("import circle: " + " -> ".join([*path[path.index(t) :], t]))
            if t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_exceptions_are_still_needed():
    """An exception whose import is gone must leave the list (so the list only shrinks)."""
    for module, target in EXCEPTIONS:
        assert target in imports(modules()[module]), f"{module} no longer imports {target}: drop the exception"


def mirror_test(path: Path) -> Path:
    """Where the test of a module lives: tests/<package>/<sub-package>/test_<module>.py.

    Sub-packages below the first level are flattened: sim/engine/aftersales/crm.py is tested by
    tests/sim/engine/test_crm.py, sim/outputs.py by tests/sim/test_outputs.py.
    """
    parts = path.relative_to(ROOT).parts
    return ROOT.joinpath("tests", *parts[:2][: len(parts) - 1], f"test_{path.name}")


#: Modules without their own test file yet (each is exercised by other tests; coverage shows how far).
#: The list may only shrink: test_every_module_has_a_test_file fails on a module missing from it and on
#: an entry that has a test file now.
NO_TEST_FILE_YET: set[str] = set()


def test_every_module_has_a_test_file():
    missing = set()
    for module, path in modules().items():
        if path.name in ("__init__.py", "__main__.py"):
            continue
        if not mirror_test(path).is_file():
            missing.add(module)
    assert sorted(missing - NO_TEST_FILE_YET) == [], "add a test file for each (see mirror_test)"
    assert sorted(NO_TEST_FILE_YET - missing) == [], "these have a test file now: take them off NO_TEST_FILE_YET"
