"""The stage notebooks: committed clean and parameterised, and their parameters really drive the results.

nbval (``make test``) executes every notebook; these tests check what nbval
does not: the shape of each notebook file, that the report configuration
only names parameters that exist, and that a parameter injected by papermill
changes the numbers the notebook records.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import papermill
import pytest

from playbook.report.notebook import QUICK_ENV
from playbook.report.runner import RUNNER_PARAMETERS, check_parameters, load_config

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = load_config(ROOT / "data" / "reports.yaml")
CJK = re.compile(r"[\u4e00-\u9fff]+")
#: Parameters every stage notebook has, so that a parameter set's `all` entry can set them.
COMMON = {"scenario", "seed", "days", "replications", "workers", "headline_file"}


def _ids(paths):
    return [p.stem for p in paths]


def test_config_lists_exactly_the_notebooks_in_the_folder():
    assert [p.stem for p in NOTEBOOKS] == sorted(CONFIG.notebooks)
    assert len(CONFIG.notebooks) == 13


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_clean_with_kernelspec_and_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: stored output in {cell.id}"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    heading = nb.cells[0].source.splitlines()[0]
    chinese = [m for c in nb.cells if c.cell_type == "markdown" for m in CJK.findall(c.source)]
    assert chinese and chinese == CJK.findall(heading), (
        f"{path.name}: the guide's Chinese title(s) must appear once, in the heading; found {chinese}"
    )
    assert "try this" in "\n".join(c.source.lower() for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_parameter_is_typed_documented_and_seen_by_papermill(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = [node.target.id for node in ast.parse(cell.source).body if isinstance(node, ast.AnnAssign)]
    statements = [node for node in ast.parse(cell.source).body]
    assert len(assigned) == len(statements), f"{path.name}: every parameter line is `name: type = value  # help`"
    declared = papermill.inspect_notebook(str(path))
    assert list(declared) == assigned, f"{path.name}: papermill cannot parse some lines (no '=' in comments)"
    for name, info in declared.items():
        assert info["inferred_type_name"] in ("int", "float", "str", "bool"), f"{path.name}: {name} type"
        assert len(info["help"]) > 10, f"{path.name}: parameter {name} needs a comment with its unit and meaning"
    assert COMMON <= set(declared), f"{path.name} lacks {COMMON - set(declared)}"


@pytest.mark.parametrize("set_name", sorted(CONFIG.parameter_sets))
def test_parameter_sets_name_only_existing_parameters(set_name):
    assert check_parameters(CONFIG, set_name) == []


def test_check_parameters_catches_unknown_names_and_wrong_types(tmp_path):
    bad = tmp_path / "reports.yaml"
    bad.write_text(
        f"notebooks_dir: {ROOT / 'notebooks'}\nnotebooks: [07_after_sales]\nparameter_sets:\n"
        "  default: {}\n  typo: {07_after_sales: {agentz: 2, days: 'ninety'}}\n"
    )
    problems = check_parameters(load_config(bad), "typo")
    assert len(problems) == 2
    assert "agentz" in problems[0] and "agents" in problems[0]
    assert "days = 'ninety'" in problems[1] and "int" in problems[1]
    assert RUNNER_PARAMETERS == ("headline_file",)


def _headline(tmp_path, name: str, **params) -> dict:
    out = tmp_path / f"{name}.json"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "07_after_sales.ipynb"),
        str(tmp_path / f"{name}.ipynb"),
        parameters={**params, "headline_file": str(out)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT),
    )
    return json.loads(out.read_text())


def test_injected_parameters_change_the_recorded_result(tmp_path, monkeypatch):
    """A larger AI share answers more tickets at once: the recorded mean wait must fall; a rerun repeats it exactly."""
    monkeypatch.setenv(QUICK_ENV, "1")
    low = _headline(tmp_path, "low", ai_share=0.0, seed=3)
    high = _headline(tmp_path, "high", ai_share=0.9, seed=3)
    wait = {
        h["overrides"]["service.ai_share"]: next(
            k["value"] for k in h["kpis"] if k["kpi"] == "first_response_mean_hours"
        )
        for h in (low, high)
    }
    assert wait[0.9] < 0.5 * wait[0.0]
    assert low["seed"] == high["seed"] == 3 and low["quick"] and low["days"] == 30
    again = _headline(tmp_path, "again", ai_share=0.0, seed=3)
    assert again["kpis"] == low["kpis"] and again["whatifs"] == low["whatifs"], "same parameters, other numbers"
