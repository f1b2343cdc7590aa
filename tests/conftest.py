"""Shared fixtures: the scenario files and one short baseline run that many tests read."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "data" / "scenarios"


@pytest.fixture(scope="session")
def baseline() -> sim.Scenario:
    return sim.load_scenario(SCENARIOS / "baseline.yaml")


@pytest.fixture(scope="session")
def baseline_run(baseline) -> sim.Result:
    """60 days of the baseline store, seed 11: long enough for returns, refunds and repeat orders."""
    return sim.simulate(baseline, seed=11, days=60)
