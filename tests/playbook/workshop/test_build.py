"""``make workshop``: exercises in every stage notebook, student copies without solutions or outputs, the agenda.

The papermill runs are real: the student copies of 07 and 12 execute unanswered in quick mode
(``STORE_PLAYBOOK_QUICK=1``, 30 days, 3 replications) in the workshop folder, reading its copied data.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from playbook.report import exercises, notebook
from playbook.report.notebook import QUICK_ENV
from playbook.workshop import build
from sim.errors import OutputError

ROOT = Path(__file__).resolve().parents[3]
STAGES = sorted(p.stem for p in (ROOT / "notebooks").glob("[01][0-9]_*.ipynb") if not p.stem.startswith("00"))


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _checked(source: str) -> list[str]:
    """Exercise ids a check cell checks: ``check("07.why_wait", answer, ...)`` calls, however the call is laid out.

    The cell is parsed, not read line by line, so ``ruff format`` may wrap a long call over several lines.
    """
    return [
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "check"
        and len(node.args) >= 2
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[1], ast.Name)
        and node.args[1].id == "answer"
    ]


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build.build(tmp_path_factory.mktemp("w") / "workshop")


def test_there_are_thirteen_stage_notebooks() -> None:
    assert len(STAGES) == 13  # 01 to 12 and 13_your_store (00 is the start, not a stage)


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_two_exercises_with_both_languages_a_solution_and_a_check(stage: str) -> None:
    nb = nbformat.read(ROOT / "notebooks" / f"{stage}.ipynb", as_version=4)
    ids = [i for i, e in exercises.exercises().items() if e["stage"] == stage]
    assert len(ids) >= 2
    tasks = [c.source for c in nb.cells if "exercise" in _tags(c)]
    solutions = [c for c in nb.cells if "solution" in _tags(c)]
    checks = [c.source for c in nb.cells if "check" in _tags(c)]
    assert len(solutions) == len(checks) == len(ids)
    for i in ids:
        for lang in ("zh", "en"):
            assert [c for c in nb.cells if {"exercise", f"lang-{lang}"} <= set(_tags(c)) and i in c.source], (i, lang)
        assert [i in _checked(s) for s in checks].count(True) == 1, i
    assert len(tasks) == 2 * len(ids)
    # the solution sits before its check
    order = [c for c in nb.cells if {"solution", "check"} & set(_tags(c))]
    assert all("solution" in _tags(a) and "check" in _tags(b) for a, b in zip(order[::2], order[1::2], strict=True))


def test_student_copies_hold_no_solution_and_no_output(workshop: Path) -> None:
    copies = sorted(workshop.glob("*.ipynb"))
    assert [p.name for p in copies] == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(copies) == 14
    for path in copies:
        teacher = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        nb = nbformat.read(path, as_version=4)
        solutions = [c.source for c in teacher.cells if "solution" in _tags(c)]
        answers = [c for c in nb.cells if "answer" in _tags(c)]
        assert len(answers) == len(solutions)
        assert all(c.source == build.ANSWER_CELL for c in answers)
        for cell in nb.cells:
            assert "solution" not in _tags(cell)
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
                assert cell.source not in solutions, path.name
    assert (workshop / "data" / "scenarios" / "baseline.yaml").read_bytes() == (
        ROOT / "data" / "scenarios" / "baseline.yaml"
    ).read_bytes()


def test_notebooks_run_in_the_workshop_folder_read_its_data(workshop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workshop)  # Jupyter's working directory: the notebook's own folder
    for name in ("scenarios/baseline.yaml", "samples/orders_sample.csv", "sop_checklist.yaml"):
        assert notebook.repo_path(f"data/{name}") == (workshop / "data" / name).resolve()


def test_agenda_fills_a_day_and_names_every_stage_in_both_languages(workshop: Path) -> None:
    minutes = sum(int(b["minutes"]) for b in build.agenda()["day"])
    assert build.DAY_MINUTES[0] <= minutes <= build.DAY_MINUTES[1]
    assert sum(int(b["minutes"]) for b in build.agenda()["short"]) == 90
    text = (workshop / "agenda.md").read_text(encoding="utf-8")
    zh, en = text.split("# Facilitator's agenda (one day)")
    for part in (zh, en):
        assert f"{minutes} " in part
        named = re.findall(r"`(\d\d_[a-z_]+)\.ipynb`", part.split("##")[0])
        assert [s for s in named if s in STAGES] == STAGES  # all thirteen, in order
        for i in exercises.exercises():
            assert i in part
    for b in build.agenda()["day"]:
        if "notebook" in b and b["notebook"] in STAGES:
            for field in ("objective", "message", "mistake", "reply"):
                assert set(b[field]) == {"zh", "en"}, (b["notebook"], field)
                assert b[field]["zh"] in zh and b[field]["en"] in en


def test_agenda_says_where_participants_who_do_not_code_use_the_lab_page(workshop: Path) -> None:
    text = (workshop / "agenda.md").read_text(encoding="utf-8")
    zh, en = text.split("# Facilitator's agenda (one day)")
    lab = [b for b in build.agenda()["day"] if "lab" in b]
    assert {b["notebook"] for b in lab} >= {"00_start_here", "12_strategy_lab"}
    for part, language in ((zh, "zh"), (en, "en")):
        section = part.split(build.HEAD[language]["lab"])[1].split("##")[0]
        assert "make lab" in section
        for b in lab:
            assert f"- `{b['notebook']}.ipynb`: {b['lab'][language]}" in section


def test_a_folder_it_did_not_write_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(OutputError, match="did not write"):
        build.build(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


@pytest.mark.parametrize("stage", ["07_after_sales", "12_strategy_lab"])
def test_student_copy_runs_unanswered(workshop: Path, stage: str, tmp_path: Path) -> None:
    out = tmp_path / f"{stage}.ipynb"
    # the kernel imports the playbook of this tree (the workshop folder is not on its path)
    env = {**os.environ, QUICK_ENV: "1", "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "papermill", f"{stage}.ipynb", str(out), "-p", "workers", "1",
           "-p", "language", "en"]  # fmt: skip
    done = subprocess.run(cmd, cwd=workshop, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    printed = ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells if "check" in _tags(c)]
    assert printed and all("not answered yet" in p for p in printed)
