"""The report runner, end to end: real papermill runs of real notebooks into a temporary folder.

One run executes two notebooks side by side (``--jobs 2``), one of them with
a parameter the scenario rejects: the run must exit non-zero and name the notebook and its failing
cell, and the index must still link both reports, mark the failure, and show
the good notebook's recorded numbers (not placeholders).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from playbook.report import runner
from playbook.report.notebook import QUICK_ENV

ROOT = Path(__file__).resolve().parents[3]
GOOD, BAD = "00_start_here", "07_after_sales"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Run GOOD with its defaults and BAD with 5 agents fewer than its one (invalid) in quick mode; keep the output."""
    tmp = tmp_path_factory.mktemp("reports")
    config = tmp / "reports.yaml"
    config.write_text(
        f"notebooks_dir: {ROOT / 'notebooks'}\nnotebooks: [{GOOD}, {BAD}]\nparameter_sets:\n"
        f"  default: {{}}\n  broken:\n    all: {{seed: 5}}\n    {BAD}: {{extra_agents: -5}}\n"
    )
    mp = pytest.MonkeyPatch()
    mp.setenv(QUICK_ENV, "1")
    out = tmp / "run"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = runner.main(
            ["--config", str(config), "--params", "broken", "--out", str(out), "--jobs", "2", "--language", "en"]
        )
    mp.undo()
    return code, out, stdout.getvalue(), stderr.getvalue()


def test_failing_notebook_makes_the_run_fail_and_is_named_with_its_cell(batch):
    code, out, stdout, stderr = batch
    assert code == runner.EXIT_FAILED
    assert f"FAILED {BAD}" in stderr and re.search(r"cell \d+ \(In \[\d+\]", stderr)
    assert "ScenarioError" in stderr and "service.agents" in stderr
    lines = {
        name: line
        for line in stdout.splitlines()
        if line.startswith("[")
        for name in (GOOD, BAD)
        if f"] {name} " in line
    }
    assert len(lines) == 2 and " ok " in lines[GOOD] and " FAILED " in lines[BAD]
    assert re.search(r"\d+\.\d s", lines[GOOD])


def test_index_links_every_report_marks_the_failure_and_shows_numbers(batch):
    _, out, _, _ = batch
    page = (out / "index.html").read_text()
    for name in (GOOD, BAD):
        assert f'href="{name}.html"' in page and f'href="{name}.ipynb"' in page
        assert (out / f"{name}.html").is_file() and (out / f"{name}.ipynb").is_file()
    assert "FAILED" in page and "1 of 2 notebooks ok" in page
    card = next(c for c in page.split("<section") if f'id="stage-{GOOD}"' in c)
    assert re.search(r'<div class="value">€[\d,]+\.\d\d</div><div class="name">Net revenue', page)
    assert re.search(r"95% CI [-+]", card) and "<svg" in card, "the stage card shows its what-ifs and their chart"
    for placeholder in ("nan", "None", "n/a", "{", "TODO"):
        assert placeholder not in card
    assert not list(out.glob(".partial-*")), "temporary folder left behind"
    index = json.loads((out / "index.json").read_text())
    statuses = {n["notebook"]: n["status"] for n in index["notebooks"]}
    assert statuses == {GOOD: "ok", BAD: "failed"}
    assert index["notebooks"][0]["headline"]["seed"] == 5


def test_each_report_records_provenance_and_hides_code_behind_a_toggle(batch):
    _, out, _, _ = batch
    html = (out / f"{GOOD}.html").read_text()
    assert "Show code" in html and "body:not(.show-code) .jp-CodeCell .jp-Cell-inputWrapper" in html
    assert "seed 5" in html and "store_playbook 0.1.0" in html and "baseline.yaml" in html
    assert "<img" in html or "image/png" in html
    failed = (out / f"{BAD}.html").read_text()
    assert "FAILED" in failed and "service.agents" in failed
    headline = json.loads((out / f"{GOOD}.json").read_text())
    assert headline["provenance"]["store_playbook"] == "0.1.0" and headline["scenario"] == "baseline"


def test_unknown_parameter_stops_the_run_before_any_notebook(tmp_path, capsys):
    config = tmp_path / "reports.yaml"
    config.write_text(
        f"notebooks_dir: {ROOT / 'notebooks'}\nnotebooks: [{BAD}]\nparameter_sets:\n"
        f"  default: {{}}\n  typo: {{{BAD}: {{agentz: 3}}}}\n"
    )
    out = tmp_path / "run"
    assert runner.main(["--config", str(config), "--params", "typo", "--out", str(out)]) == runner.EXIT_BAD_INPUT
    assert "agentz" in capsys.readouterr().err
    assert not out.exists()
    assert runner.main(["--config", str(config), "--params", "nosuchset"]) == runner.EXIT_BAD_INPUT


@pytest.mark.parametrize(
    ("text", "message"),
    [(None, "no such file"), ("service:\n  agents: -1\n", "service.agents"), ("service: [\n", "not valid YAML")],
)
def test_a_missing_or_invalid_scenario_stops_the_run_before_any_notebook(tmp_path, capsys, text, message):
    """``--scenario`` is loaded and validated first: exit status 2, one line naming the file (and field), no folder."""
    path = tmp_path / "store.yaml"
    if text is not None:
        path.write_text(text)
    out = tmp_path / "run"
    assert runner.main(["--scenario", str(path), "--out", str(out), "--only", GOOD]) == runner.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(path) in err and message in err
    assert not out.exists()


def test_scenario_and_language_are_injected_into_every_notebook_over_the_set(tmp_path):
    """``--scenario`` and ``--language`` win over a parameter set's, in every notebook; the rest of the set stays."""
    config = tmp_path / "reports.yaml"
    config.write_text(
        f"notebooks_dir: {ROOT / 'notebooks'}\nnotebooks: [{GOOD}, {BAD}]\nparameter_sets:\n"
        f"  default: {{}}\n  mine:\n    all: {{scenario: data/scenarios/growth.yaml, days: 60}}\n"
        f"    {BAD}: {{extra_agents: 2}}\n"
    )
    loaded = runner.load_config(config)
    china = runner.check_scenario("data/scenarios/china_store.yaml")
    assert china == str(ROOT / "data" / "scenarios" / "china_store.yaml")
    assert runner.notebook_parameters(loaded, "mine", BAD, "en", china) == {
        "scenario": china,
        "days": 60,
        "extra_agents": 2,
        "language": "en",
    }
    assert runner.notebook_parameters(loaded, "mine", GOOD) == {"scenario": "data/scenarios/growth.yaml", "days": 60}


@pytest.mark.parametrize("existed", [False, True])
def test_a_run_that_fails_before_any_notebook_leaves_the_folder_as_it_found_it(tmp_path, existed):
    """An internal error before the first notebook finishes (here: a listed notebook file that is missing) must not
    leave a folder behind that only says a run started; a folder the user made stays, empty."""
    config = tmp_path / "reports.yaml"
    config.write_text(f"notebooks_dir: {tmp_path}\nnotebooks: [missing]\nparameter_sets:\n  default: {{}}\n")
    out = tmp_path / "run"
    if existed:
        out.mkdir()
    with pytest.raises(OSError):
        runner.run(runner.load_config(config), "default", out)
    assert (list(out.iterdir()) == []) if existed else not out.exists()
