"""What every notebook does around its content: setup (scenario, overrides, run sizes, quick mode), the provenance
line, and the headline record the report index reads."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from playbook.report import notebook as nb
from playbook.text import units
from sim.errors import ScenarioError

BASELINE = "data/scenarios/baseline.yaml"


@pytest.fixture
def full(monkeypatch):
    """Setup as a report runs it: no quick mode."""
    monkeypatch.delenv(nb.QUICK_ENV, raising=False)


def test_repo_relative_paths_resolve_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert nb.repo_path(BASELINE) == nb.ROOT / BASELINE
    here = tmp_path / "mine.yaml"
    here.write_text("")
    assert nb.repo_path("mine.yaml") == here, "a file in the working directory wins"


@pytest.mark.parametrize("value, on", [("", False), ("0", False), ("1", True), ("yes", True)])
def test_quick_mode_follows_the_environment(monkeypatch, value, on):
    monkeypatch.setenv(nb.QUICK_ENV, value)
    assert nb.quick_mode() is on


def test_setup_applies_overrides_and_prints_the_provenance(full, capsys):
    run = nb.setup(BASELINE, seed=4, days=60, replications=5, overrides={"service.agents": 3}, language="en")
    assert run.scenario.service.agents == 3 and run.scenario_path == BASELINE and not run.quick
    assert run.kw == {"n": 5, "days": 60, "seed": 4, "workers": None, "language": "en"}
    assert run.currency == run.scenario.money.currency
    line = capsys.readouterr().out
    assert "baseline" in line and "service.agents=3" in line and "60" in line and "numpy" in line


def test_setup_sets_the_kernels_format_language(full):
    try:
        nb.setup(BASELINE, seed=1, days=5, replications=1, show=False, language="zh")
        assert units.get_language() == "zh"
    finally:
        units.set_language("en")


def test_quick_mode_caps_days_and_replications_and_says_so(monkeypatch):
    monkeypatch.setenv(nb.QUICK_ENV, "1")
    run = nb.setup(BASELINE, seed=1, days=365, replications=20, show=False, language="en")
    assert (run.days, run.replications, run.quick) == (nb.QUICK_DAYS, nb.QUICK_REPLICATIONS, True)
    assert nb.QUICK_ENV in run.describe()
    assert run.simulate(days=200).days == nb.QUICK_DAYS, "a long run asked for is capped too"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seed": -1}, r"seed = -1: allowed: an integer >= 0"),
        ({"seed": True}, r"seed = True"),
        ({"days": 0}, r"days = 0: allowed: an integer >= 1"),
        ({"replications": 2.5}, r"replications = 2.5"),
        ({"workers": 0}, r"workers = 0"),
        ({"language": "fr"}, r"language = 'fr': allowed"),
    ],
)
def test_bad_run_sizes_are_named(full, kwargs, message):
    args = {"seed": 1, "days": 5, "replications": 1, "show": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        nb.setup(BASELINE, **args)


def test_a_bad_override_names_its_field(full):
    with pytest.raises(ScenarioError, match=r"service\.agents = -2"):
        nb.setup(BASELINE, seed=1, days=5, replications=1, overrides={"service.agents": -2}, show=False)


def test_run_simulate_uses_the_notebooks_seed_and_horizon(full):
    run = nb.setup(BASELINE, seed=2, days=5, replications=1, show=False, language="en")
    a, b = run.simulate(), run.simulate({"service.agents": 4})
    assert a.days == b.days == 5 and a.seed == b.seed == 2
    assert b.scenario.service.agents == 4 and run.scenario.service.agents != 4, "the run's scenario is unchanged"


def test_the_headline_is_json_safe_formatted_and_written_whole(full, tmp_path):
    run = nb.setup(BASELINE, seed=2, days=5, replications=1, show=False, language="en")
    kpis = {"net_revenue": np.float64(1234.5), "sla_attainment": math.nan}
    whatifs = [{"conclusion": "more agents answer faster", "delta": np.float32(0.25)}]
    target = tmp_path / "deep" / "h.json"
    data = nb.record(str(target), run, kpis, whatifs, notes=["quiet week"])
    assert json.loads(target.read_text(encoding="utf-8")) == data
    first, second = data["kpis"]
    assert first["unit"] == "money" and first["text"] == "€1,234.50" and first["value"] == 1234.5
    assert second["value"] is None and second["text"] == "n/a", "NaN is stored as null, not as invalid JSON"
    assert data["whatifs"][0]["delta"] == 0.25 and data["seed"] == 2 and data["language"] == "en"
    assert list(tmp_path.joinpath("deep").iterdir()) == [target]
    assert nb.record("", run, kpis)["kpis"][0]["kpi"] == "net_revenue", "'' builds without writing"


def test_show_headline_prints_kpis_whatifs_and_notes(capsys):
    nb.show_headline(
        {"kpis": [{"name": "Orders", "text": "826"}], "whatifs": [{"conclusion": "B wins"}], "notes": ["n"]}
    )
    assert capsys.readouterr().out == "Orders: 826\n- B wins\n- n\n"


def test_paths_are_shown_relative_to_the_repository_however_they_were_given(monkeypatch, tmp_path):
    monkeypatch.chdir(nb.ROOT)  # `make reports` passes --config data/reports.yaml relative to the working folder
    assert (
        nb.shown_path(Path("data/reports.yaml"))
        == nb.shown_path(nb.ROOT / "data" / "reports.yaml")
        == "data/reports.yaml"
    )
    assert nb.shown_path(tmp_path / "x.yaml") == str(tmp_path / "x.yaml")
    assert nb.shown_path(tmp_path / "x.ipynb", outside="x.ipynb") == "x.ipynb"
