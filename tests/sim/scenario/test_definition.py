"""Scenario loading, overrides and the errors a user sees for bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

import sim
from sim.scenario.definition import Scenario
from tests.conftest import ROOT, SCENARIOS


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_every_shipped_scenario_is_valid(name):
    s = sim.load_scenario(SCENARIOS / name)
    assert s.time.unit == "hours"
    assert len(s.money.currency) == 3


def test_baseline_and_growth_differ_in_size():
    base, growth = sim.load_scenario(SCENARIOS / "baseline.yaml"), sim.load_scenario(SCENARIOS / "growth.yaml")

    def daily(s):
        return sum(c.sessions_per_day + c.paid_sessions_per_day for c in s.traffic.channels.values())

    assert daily(growth) > 5 * daily(base)  # about 1,130 vs 9,700 nominal sessions a day


def test_override_by_dotted_path_returns_a_new_validated_copy(baseline):
    more = baseline.with_overrides({"service.agents": 4, "catalogue.skus.tee.price": 30})
    assert (more.service.agents, more.catalogue.skus["tee"].price) == (4, 30)
    assert baseline.service.agents == 1  # the original is untouched (frozen)
    assert more.get("catalogue.skus.tee.price") == 30


def test_override_round_trips_through_yaml(baseline, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(baseline.to_yaml())
    assert sim.load_scenario(path) == baseline


@pytest.mark.parametrize(
    "data, path, allowed",
    [
        ({"service": {"agents": -1}}, "service.agents = -1", ">= 0"),
        ({"funnel": {"bounce_rate": 1.5}}, "funnel.bounce_rate = 1.5", "<= 1"),
        ({"service": {"agents": "3"}}, "service.agents = '3'", "valid integer"),
        ({"page": {"load_time_s": float("nan")}}, "page.load_time_s", "finite"),
        ({"delivery": {"options": {"a": {"share": 0.5}}}}, "delivery", "sum to 1"),
        ({"service": {"agents": 0}}, "service.agents is 0", "ai_share = 1"),
        ({"traffic": {"channels": {"ads": {"daily_budget": 10}}}}, "traffic.channels.ads", "cost_per_click"),
        ({"customers": {"repeat_channel_mix": {"tiktok": 1.0}}}, "repeat_channel_mix", "tiktok"),
        ({"time": {"days": 0}}, "time.days = 0", ">= 1"),
    ],
)
def test_bad_values_name_the_path_and_what_is_allowed(data, path, allowed):
    with pytest.raises(sim.ScenarioError) as err:
        Scenario.from_dict(data)
    assert path in str(err.value) and allowed in str(err.value)
    assert isinstance(err.value, ValueError)


def test_unknown_key_gets_a_suggestion():
    with pytest.raises(sim.ScenarioError, match=r"servce: unknown field; did you mean 'service'"):
        Scenario.from_dict({"servce": {}})
    with pytest.raises(sim.ScenarioError, match=r"service.agnts: unknown field; did you mean 'service.agents'"):
        Scenario().with_overrides({"service.agnts": 2})
    with pytest.raises(sim.ScenarioError, match=r"traffic.channels.social.budjet: unknown field"):
        Scenario.from_dict({"traffic": {"channels": {"social": {"budjet": 1}}}})


def test_an_old_file_with_a_renamed_field_gets_one_line_naming_the_new_name(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text("delivery:\n  options:\n    standard: {share: 1.0, late_probability: 0.05}\n")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(old)
    text = str(err.value)
    assert "\n" not in text and "delivery.options.standard.late_probability: renamed" in text
    assert "'incident_probability'" in text
    shock = {"risk": {"carrier_disruptions": {"strike": {"start": "2026-01-10", "extra_late_probability": 0.2}}}}
    with pytest.raises(sim.ScenarioError, match=r"strike.extra_late_probability: renamed; write 'extra_incident_pro"):
        Scenario.from_dict(shock)
    with pytest.raises(sim.ScenarioError, match=r"express.late_probability: renamed; write 'incident_probability'"):
        Scenario().with_overrides({"delivery.options.express.late_probability": 0.1})


def test_yaml_is_read_with_a_safe_loader(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text("meta: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(sim.ScenarioError, match="not valid YAML"):
        sim.load_scenario(evil)


def test_not_a_mapping_and_missing_file(tmp_path):
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(sim.ScenarioError, match="must be a mapping"):
        sim.load_scenario(bad)
    with pytest.raises(sim.ScenarioError, match="cannot read"):
        sim.load_scenario(tmp_path / "nope.yaml")


def test_cli_reports_bad_input_in_one_line_with_status_2(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(SCENARIOS / "baseline.yaml"),
            "--days",
            "2",
            "--set",
            "service.agents=-2",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "service.agents = -2" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_validate_and_schema():
    ok = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(SCENARIOS / "growth.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0 and "valid" in ok.stdout
    schema = subprocess.run([sys.executable, "-m", "sim", "schema"], capture_output=True, text=True, cwd=ROOT)
    assert schema.returncode == 0
    line = next(ln for ln in schema.stdout.splitlines() if ln.startswith("service.agents "))
    assert "people" in line and "[0, 1000]" in line and "default 3" in line
