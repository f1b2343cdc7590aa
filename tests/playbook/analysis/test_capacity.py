"""Team capacity (hours on shift, utilisation) and the SOP checklist of stage 10."""

from __future__ import annotations

import datetime as dt

import pytest

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
    assert agents["jobs"] == (baseline_run.tickets["handled_by"] == "agent").sum()
    assert agents["hours_of_work"] == pytest.approx(agents["jobs"] * s.service.handle_minutes_mean / 60)
    assert agents["utilisation"] == pytest.approx(agents["hours_of_work"] / agents["hours_on_shift"])
    assert 0 < table.loc["pickers", "utilisation"] < 1


def test_checklist_marks_targets(tmp_path):
    path = tmp_path / "sop.yaml"
    path.write_text(
        "stages:\n  - {stage: a, owner: x, kpi: conversion_rate, target: {min: 0.02}}\n"
        "  - {stage: b, owner: y, kpi: return_rate, target: {max: 0.2, min: 0.01}}\n"
    )
    table = capacity.checklist(path, {"conversion_rate": 0.018, "return_rate": 0.15})
    assert table["status"].tolist() == ["misses", "meets"]
    assert table.loc[0, "target"] == ">= 2.00%" and table.loc[1, "target"] == ">= 1.00% and <= 20.0%"
    with pytest.raises(KeyError, match="return_rate"):
        capacity.checklist(path, {"conversion_rate": 0.02})
