"""Sweep files: the examples load, bad files fail with the field named, points are generated as documented."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.experiment.sweep_definition import SweepDefinition, load_sweep
from tests.conftest import ROOT, SCENARIOS

GOOD = {
    "scenario": "baseline.yaml",
    "replications": 2,
    "days": 7,
    "kpis": ["orders"],
    "levers": {"service.agents": [1, 2]},
}


def parse(**changes) -> SweepDefinition:
    data = {**GOOD, **changes}
    return SweepDefinition.from_dict(
        {k: v for k, v in data.items() if v is not None}, origin="s.yaml", base_dir=SCENARIOS
    )


@pytest.mark.parametrize("path", sorted((ROOT / "data" / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_example_sweeps_load_and_build_every_point(path):
    d = load_sweep(path)
    points = d.points()
    assert len(d.point_overrides(points)) == len(points) > 1


def test_example_grid_crosses_agents_policies_and_forecasts():
    d = load_sweep(ROOT / "data" / "sweeps" / "agents_returns_traffic.yaml")
    points = d.points()
    assert len(points) == 3 * 2 * 3
    assert points[1] == {"service.agents": 1, "return_policy": "free_30_days", "traffic_forecast": "base"}
    assert d.point_overrides(points)[0]["traffic.channels.social.sessions_per_day"] == 70


BAD = [
    (dict(replication=3), r"s\.yaml: replication: unknown field; did you mean 'replications'\?"),
    (dict(replications=0), r"replications = 0: allowed: an integer from 1"),
    (dict(replications="5"), r"replications = '5': allowed: an integer"),
    (dict(days=4000), r"days = 4000: allowed: an integer from 1 to 3,650"),
    (dict(seed=-1), r"seed = -1"),
    (dict(kpis=["net_revnue"]), r"kpis\[0\] = 'net_revnue': unknown KPI; did you mean 'net_revenue'\?"),
    (dict(kpis=[]), r"kpis = \[\]"),
    (dict(method="sobol"), r"method = 'sobol': allowed: grid \| random \| lhs"),
    (dict(method="lhs"), r"samples: give it with method random or lhs"),
    (dict(samples=5), r"samples: give it with method random or lhs"),
    (dict(scenario="nope.yaml"), r"scenario = 'nope.yaml': no such file"),
    (dict(levers={}), r"levers = \{\}"),
    (
        dict(levers={"service.agnts": [1]}),
        r"levers\.service\.agnts\[0\]: service\.agnts: unknown field; did you mean 'service\.agents'\?",
    ),
    (dict(levers={"service.agents": [1, -1]}), r"levers\.service\.agents\[1\]: service\.agents = -1"),
    (dict(levers={"service.agents": [1, 1]}), r"levers\.service\.agents\[1\] = 1: allowed: each value once"),
    (dict(levers={"service.agents": []}), r"levers\.service\.agents = \[\]: allowed: at least one value"),
    (dict(levers={"service.agents": 3}), r"levers\.service\.agents = 3: allowed: a list of values"),
    (dict(levers={"orders": {"options": {"a": {}}}}), r"levers\.orders = 'orders': allowed: a name other than"),
    (dict(levers={"service.agents": {"low": 1, "high": 3}}), r"levers\.service\.agents: a low-high range needs"),
    (
        dict(method="lhs", samples=4, levers={"service.agents": {"low": 1.5, "high": 3}}),
        r"levers\.service\.agents\.low = 1\.5: allowed: an integer",
    ),
    (
        dict(method="lhs", samples=4, levers={"page.load_time_s": {"low": 3, "high": 1}}),
        r"levers\.page\.load_time_s\.high = 1: allowed: a number above low \(3\)",
    ),
    (
        dict(method="lhs", samples=4, levers={"page.load_time_s": {"low": 1, "high": 50}}),
        r"levers\.page\.load_time_s\.high: page\.load_time_s = 50\.0: .*less than or equal to 30",
    ),
    (
        dict(method="random", samples=4, levers={"returns.free_returns": {"low": 0, "high": 1}}),
        r"levers\.returns\.free_returns = .*a range only for a numeric field",
    ),
    (
        dict(levers={"forecast": {"options": {"high": {"traffic.chanels.email.sessions_per_day": 9}}}}),
        r"levers\.forecast\.options\.high: traffic\.chanels: unknown field; did you mean 'traffic\.channels'\?",
    ),
    (dict(levers={"forecast": {"options": {"high": 3}}}), r"levers\.forecast\.options\.high = 3"),
    (
        dict(levers={"service.agents": [1, 2], "staff": {"options": {"big": {"service.agents": 5}}}}),
        r"levers\.staff: sets service\.agents, which levers\.service\.agents also sets",
    ),
    (
        # each value fits the baseline's 10:30-12:00 desk on its own; only their combination (11.4, 11.2) does not
        dict(levers={"service.shift.start_hour": [10.0, 11.4], "service.shift.end_hour": [11.2, 11.8]}),
        r"point 2 \(service\.shift\.start_hour=11\.4, service\.shift\.end_hour=11\.2\): service\.shift: end_hour",
    ),
]


@pytest.mark.parametrize("changes, message", BAD, ids=[m[:40] for _, m in BAD])
def test_bad_sweeps_name_the_field(changes, message):
    with pytest.raises(ScenarioError, match=message):
        d = parse(**changes)
        d.point_overrides(d.points())  # combinations are checked when the sweep is planned


def test_a_bad_file_says_so(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("levers: [1, 2\n")
    with pytest.raises(ScenarioError, match=r"s\.yaml: line \d+: not valid YAML"):
        load_sweep(f)
    f.write_text("- 1\n")
    with pytest.raises(ScenarioError, match=r"a sweep must be a mapping"):
        load_sweep(f)
    with pytest.raises(ScenarioError, match="cannot read the sweep file"):
        load_sweep(tmp_path / "missing.yaml")


def test_scenario_path_is_relative_to_the_sweep_file(tmp_path):
    f = tmp_path / "deep" / "s.yaml"
    f.parent.mkdir()
    (tmp_path / "base.yaml").write_text("service: {agents: 4}\n")
    f.write_text("scenario: ../base.yaml\nlevers: {page.quality: [0.4, 0.6]}\n")
    d = load_sweep(f)
    assert d.name == "s" and d.base.service.agents == 4 and d.replications == 10 and d.days == 90


def test_latin_hypercube_hits_every_stratum_once_and_is_seeded():
    d = parse(
        method="lhs",
        samples=8,
        seed=3,
        levers={
            "page.load_time_s": {"low": 1.0, "high": 3.0},
            "service.agents": {"low": 1, "high": 8},
            "returns.free_returns": [True, False],
        },
    )
    points = d.points()
    load = np.array([p["page.load_time_s"] for p in points])
    assert sorted(np.floor((load - 1.0) / 0.25).astype(int)) == list(range(8))
    assert sorted(p["service.agents"] for p in points) == list(range(1, 9))  # 8 integers, 8 strata
    assert all(type(p["service.agents"]) is int for p in points)
    assert sum(p["returns.free_returns"] for p in points) == 4
    assert (
        points == d.points() and points != parse(method="lhs", samples=8, seed=4, levers=d.to_dict()["levers"]).points()
    )


def test_random_samples_stay_in_range_and_lists_are_categorical():
    d = parse(method="random", samples=50, levers={"page.quality": {"low": 0.2, "high": 0.4}, "service.agents": [1, 3]})
    points = d.points()
    assert all(0.2 <= p["page.quality"] < 0.4 for p in points)
    assert {p["service.agents"] for p in points} == {1, 3}


def test_resolved_definition_round_trips():
    d = parse(
        method="lhs",
        samples=3,
        levers={"page.quality": {"low": 0.2, "high": 0.4}, "plan": {"options": {"a": {}, "b": {"service.agents": 2}}}},
    )
    again = SweepDefinition.from_dict(d.to_dict(), base_dir=SCENARIOS)
    assert again.to_dict() == d.to_dict() and again.points() == d.points()
