"""Team capacity (hours on shift, utilisation) and the SOP checklist of stage 10."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import sim
from playbook.analysis import capacity

MONDAY = dt.date(2026, 1, 5)


def test_shift_hours_count_only_listed_weekdays():
    assert capacity.shift_hours(9, 18, [0, 1, 2, 3, 4], MONDAY, 7) == 45
    assert capacity.shift_hours(0, 24, range(7), MONDAY, 14) == 336
    assert capacity.shift_hours(9, 18, [6], MONDAY, 6) == 0


def test_utilisation_is_work_over_shift_hours(baseline_run):
    table = capacity.utilisation(baseline_run)
    s = baseline_run.scenario
    agents = table.loc["agents"]
    t = baseline_run.tickets
    end = pd.Timestamp(s.time.start_date) + pd.Timedelta(days=baseline_run.days)
    assert agents["jobs"] == ((t["handled_by"] == "agent") & (t["first_response_at"] < end)).sum()
    assert agents["hours_of_work"] == pytest.approx(agents["jobs"] * s.service.handle_minutes_mean / 60)
    assert agents["utilisation"] == pytest.approx(agents["hours_of_work"] / agents["hours_on_shift"])
    assert 0 < table.loc["pickers", "utilisation"] < 1


def test_utilisation_follows_crews_and_path_length_as_the_simulation_does(baseline):
    """A crew plan and a shorter pick path: hours on shift equal the simulated roster exactly, hours of work
    match the simulated busy hours (``Result.labour``) within sampling noise.

    About 2,500 picks and 330 agent tickets in 120 days: the simulated work is a sum of lognormal (cv 0.5)
    and exponential times, whose relative standard errors are about 1% and 5.5%; the 6% and 30% tolerances
    are more than five standard errors (a correct model fails with a chance below 1 in 1,000).
    """
    plan = baseline.with_overrides(
        {
            "warehouse.path_length_factor": 0.6,
            "warehouse.crew": {
                "early": {"people": 1, "start_hour": 8, "end_hour": 11, "weekdays": [0, 1, 2, 3, 4]},
                "late": {"people": 2, "start_hour": 12, "end_hour": 14, "weekdays": [0, 1, 2, 3, 4, 5]},
            },
        }
    )
    r = sim.simulate(plan, seed=4, days=120)
    table = capacity.utilisation(r)
    labour = r.labour.groupby("team")[["person_hours", "busy_hours"]].sum()
    for role in ("pickers", "agents"):
        assert table.loc[role, "hours_on_shift"] == pytest.approx(labour.loc[role, "person_hours"])
    assert table.loc["pickers", "people"] == 3
    assert table.loc["pickers", "hours_of_work"] == pytest.approx(labour.loc["pickers", "busy_hours"], rel=0.06)
    assert table.loc["agents", "hours_of_work"] == pytest.approx(labour.loc["agents", "busy_hours"], rel=0.3)
    # the shorter path: 6 minutes x (0.5 + 0.5 x 0.6) = 4.8 minutes a pick
    assert table.loc["pickers", "hours_of_work"] == pytest.approx(table.loc["pickers", "jobs"] * 4.8 / 60)


def test_targets_mark_each_stage_against_its_bounds(tmp_path):
    path = tmp_path / "sop.yaml"
    path.write_text(
        "stages:\n  - {stage: a, owner: x, kpi: conversion_rate, target: {min: 0.02}}\n"
        "  - {stage: b, owner: y, stage_zh: 乙, kpi: return_rate, target: {max: 0.2, min: 0.01}}\n"
        "  - {stage: c, owner: z, kpi: return_rate, target: {max: 0.15}}\n",
        encoding="utf-8",
    )
    table = capacity.targets(path, {"conversion_rate": 0.018, "return_rate": 0.15})
    assert table["status"].tolist() == ["misses", "meets", "meets"], "a value on its bound meets it"
    assert table.loc[1, ["value", "min", "max"]].tolist() == [0.15, 0.01, 0.2]
    assert pd.isna(table.loc[0, "max"]) and pd.isna(table.loc[2, "min"]), "no bound: NaN, not a number"
    assert table.loc[1, "stage_zh"] == "乙" and pd.isna(table.loc[0, "stage_zh"]), "translations carried as given"
    with pytest.raises(KeyError, match="return_rate.*'b'"):
        capacity.targets(path, {"conversion_rate": 0.02})
