"""The engine compiled by mypyc (``setup.py``) against its Python source, and how ``sim.engine.native`` chooses.

The equivalence is exact: the same scenario and seed give byte-identical
tables (parquet bytes) on both, each run in a fresh process since the choice
is made once, at import.
"""

from __future__ import annotations

import ast
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.engine import native
from sim.engine.native import _SourceFirst, built_modules, decide, shared_library
from tests.conftest import ROOT

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]

#: A year's hot paths in short runs: the one-shift desk, a staffing-plan desk (stage10), shocks and a
#: carrier pause (stage11, china_store), CRM programmes (stage06).
RUNS = [
    ("baseline.yaml", 90),
    ("growth.yaml", 60),
    ("stage06_crm.yaml", 60),
    ("stage10_team.yaml", 60),
    ("stage11_risk.yaml", 90),
    ("china_store.yaml", 60),
]

#: run in a fresh process from the project's root: the tables' digests as ``test_model`` takes them, and the KPIs
DIGESTS = """
import hashlib, json, sys
import sim
from sim.engine import model, native
from tests.sim.engine.test_model import _digest
out = {"compiled": native.COMPILED, "model": model.__file__}
for path, days in json.loads(sys.argv[1]):
    r = sim.simulate(sim.load_scenario("data/scenarios/" + path), seed=3, days=days)
    out.update({f"{path}:{name}": digest for name, digest in _digest(r).items()})
    out[f"{path}:kpis"] = hashlib.sha256(json.dumps(r.kpis(), sort_keys=True).encode()).hexdigest()
print(json.dumps(out))
"""


def _digests(pure: bool) -> dict:
    env = {**os.environ, "STORE_SIM_PURE": "1" if pure else "0"}
    cmd = [sys.executable, "-c", DIGESTS, json.dumps(RUNS)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not native.COMPILED, reason=f"no compiled engine here: {native.REASON}")
def test_the_compiled_engine_gives_byte_identical_tables():
    compiled, source = _digests(pure=False), _digests(pure=True)
    assert compiled.pop("compiled") and compiled.pop("model").endswith(SUFFIX)
    assert not source.pop("compiled") and source.pop("model").endswith("model.py")
    assert all(f"{path}:kpis" in compiled for path, _ in RUNS) and len(compiled) > 5 * len(RUNS)
    assert compiled == source


@pytest.mark.skipif(not native.COMPILED, reason=f"no compiled engine here: {native.REASON}")
def test_the_build_holds_exactly_the_modules_setup_py_lists():
    tree = ast.parse((ROOT / "setup.py").read_text())
    listed = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["NATIVE_MODULES"]
    )
    assert set(built_modules()) == {p.removesuffix(".py").replace("/", ".") for p in listed}
    assert shared_library() is not None


def _tree(tmp_path: Path, with_shared: bool = True) -> Path:
    """A fake engine package: two modules with extensions beside them, one without, and the shared library."""
    engine = tmp_path / "sim" / "engine"
    (engine / "operations").mkdir(parents=True)
    for name in ("model", "operations/orders", "rng"):
        (engine / f"{name}.py").write_text("X = 1\n")
    for name in ("model", "operations/orders"):
        (engine / f"{name}{SUFFIX}").write_bytes(b"")
    if with_shared:
        (engine / f"{native.SHARED}{SUFFIX}").write_bytes(b"")
    return engine


def test_the_built_modules_are_those_with_an_extension_beside_their_source(tmp_path):
    engine = _tree(tmp_path)
    found = built_modules(engine)
    assert set(found) == {"sim.engine.model", "sim.engine.operations.orders"}
    assert found["sim.engine.model"] == engine / "model.py"
    assert shared_library(engine) == engine / f"{native.SHARED}{SUFFIX}"
    assert shared_library(_tree(tmp_path / "b", with_shared=False)) is None


def test_the_choice_between_the_build_and_the_source(tmp_path):
    engine = _tree(tmp_path)
    sources, shared = list(built_modules(engine).values()), shared_library(engine)
    os.utime(shared, (2_000, 2_000))
    for source in sources:
        os.utime(source, (1_000, 1_000))
    assert decide(sources, shared, pure_asked=False) == (True, "compiled by mypyc (2 modules)")
    assert decide(sources, shared, pure_asked=True) == (False, "Python source (STORE_SIM_PURE=1)")
    assert decide([], None, pure_asked=False)[0] is False
    compiled, why = decide(sources, None, pure_asked=False)
    assert not compiled and "incomplete" in why
    os.utime(engine / "model.py", (3_000, 3_000))  # edited since the build
    compiled, why = decide(sources, shared, pure_asked=False)
    assert not compiled and "model.py changed since the build" in why


def test_the_source_first_finder_loads_the_py_file_beside_the_extension(tmp_path):
    engine = _tree(tmp_path)
    finder = _SourceFirst(built_modules(engine))
    spec = finder.find_spec("sim.engine.model", None)
    assert spec is not None and spec.origin == str(engine / "model.py")
    assert isinstance(spec.loader, importlib.machinery.SourceFileLoader)
    assert finder.find_spec("sim.engine.rng", None) is None  # not compiled: the normal import finds it
