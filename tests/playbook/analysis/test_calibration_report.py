"""Observed against simulated: the KPIs of an orders table, replications like sim.replicate, verdicts, Markdown."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import sim
from playbook.analysis import calibration_report as report
from playbook.analysis.calibrate import Calibration


def _orders(times: list[str], customers: list[int], revenue: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"placed_at": pd.to_datetime(times), "customer_id": customers, "revenue": revenue, "refund": 0.0}
    )


def test_measure_an_orders_table():
    # 2026-01-05 is a Monday
    orders = _orders(
        ["2026-01-05 09:30", "2026-01-05 14:00", "2026-01-06 09:10", "2026-01-11 20:00"],
        [1, 2, 1, 3],
        [10.0, 20.0, 30.0, 40.0],
    )
    m = report.measure(orders, days=10)
    assert m["order_rate_per_day"] == 0.4 and m["average_order_value"] == 25.0
    assert m["order_value_p50"] == 25.0 and m["order_value_p10"] == pytest.approx(13.0)
    assert m["repeat_customer_share"] == pytest.approx(1 / 3), "one of three customers ordered twice"
    assert (m["weekday_Mon"], m["weekday_Tue"], m["weekday_Sun"], m["weekday_Wed"]) == (0.5, 0.25, 0.25, 0.0)
    assert (m["hour_09"], m["hour_14"], m["hour_20"]) == (0.5, 0.25, 0.25)
    assert sum(m[f"hour_{h:02d}"] for h in range(24)) == pytest.approx(1.0)
    assert "return_rate" not in m, "no returned column: no return rate"


def test_dates_without_a_time_of_day_have_no_hourly_profile():
    orders = _orders(["1997-01-01", "1997-01-02"], [1, 1], [5.0, 7.0]).assign(returned=[True, False])
    m = report.measure(orders, days=2)
    assert not any(k.startswith("hour_") for k in m) and m["return_rate"] == 0.5


def test_an_empty_table_measures_zero_orders_and_nan_values():
    m = report.measure(_orders([], [], []), days=7)
    assert m["order_rate_per_day"] == 0.0 and math.isnan(m["order_value_p50"]) and m["weekday_Mon"] == 0.0


def test_replications_are_those_of_sim_replicate(baseline):
    """Run i of the report is run i of ``sim.replicate`` with the same seed, whatever the worker count."""
    ours = report.replicate_measures(baseline, 14, 5, seed=3, workers=2)
    theirs = sim.replicate(baseline, n=5, seed=3, days=14, workers=1)
    assert np.array_equal(np.round(ours["order_rate_per_day"] * 14), theirs["orders"])  # counts / 14 * 14
    assert np.allclose(ours["average_order_value"], theirs["average_order_value"], equal_nan=True)
    with pytest.raises(ValueError, match=r"replications = 4: allowed: an integer >= 5"):
        report.replicate_measures(baseline, 14, 4, seed=3)


def test_verdicts_against_the_tolerances():
    """Gap inside the bound: within; outside: outside; an interval across the bound adds (uncertain)."""
    observed = {"order_rate_per_day": 10.0, "average_order_value": 50.0, "repeat_customer_share": 0.40}
    runs = pd.DataFrame(
        {
            "order_rate_per_day": [10.9] * 5,  # +9%: within 10%, no spread
            "average_order_value": [48.5, 48.8, 49.0, 49.2, 49.5],  # -2%, CI 48.5 to 49.5 (-3% to -1%): within
            "repeat_customer_share": [0.35, 0.42, 0.44, 0.48, 0.51],  # +4 points, CI 0.36 to 0.52: uncertain
        }
    )
    table = report.compare(observed, runs)
    assert report.verdicts(table) == {
        "order_rate_per_day": "within",
        "average_order_value": "within",
        "repeat_customer_share": "within (uncertain)",
    }
    assert table.loc["order_rate_per_day", "tolerance"] == "+/- 10%"
    assert table.loc["repeat_customer_share", "tolerance"] == "+/- 5 points"
    outside = report.compare({"order_rate_per_day": 10.0}, pd.DataFrame({"order_rate_per_day": [11.5] * 5}))
    assert outside.loc["order_rate_per_day", "verdict"] == "outside"


def test_kpis_without_a_tolerance_or_a_measurement_have_no_verdict():
    table = report.compare({"weekday_Mon": 0.2, "return_rate": 0.1}, pd.DataFrame({"weekday_Mon": [0.19, 0.21] * 3}))
    assert table.loc["weekday_Mon", "verdict"] == "-" and table.loc["weekday_Mon", "simulated"] == pytest.approx(0.2)
    assert math.isnan(table.loc["return_rate", "simulated"]) and report.verdicts(table) == {}


def test_render_states_facts_verdicts_parameters_and_dropped_rows(baseline):
    calibration = Calibration(
        scenario=baseline,
        parameters=pd.DataFrame({"parameter": ["traffic"], "value": [12345.6], "unit": ["sessions/day"]}),
        defaults=pd.DataFrame({"field": ["funnel"], "reason": ["no sessions | in orders"]}),
        checks=pd.DataFrame(),
        source="orders.csv",
        first_day=dt.date(2026, 1, 5),
        days=10,
    )
    comparison = report.compare(
        {"order_rate_per_day": 10.0, "weekday_Mon": 0.2},
        pd.DataFrame({"order_rate_per_day": [10.5] * 5, "weekday_Mon": [0.2] * 5}),
    )
    facts = report.Facts(
        command="python -m playbook calibrate orders.csv",
        made_on="2026-12-02",
        export="orders.csv",
        export_format="csv",
        base="data/scenarios/baseline.yaml",
        time_zone="Europe/Berlin",
        currency="EUR",
        ids="numbered",
        rows_dropped=pd.DataFrame({"row": [7], "column": ["revenue"], "reason": ["not a number"]}),
        replications=5,
        seed=1,
    )
    text = report.render(calibration, comparison, facts)
    assert text.startswith(report.REPORT_MARK + "\n")
    assert "- Horizon: 2026-01-05 to 2026-01-14 (10 days)" in text
    assert "- order_rate_per_day: within (observed 10, simulated 10.5, tolerance +/- 10%)" in text
    assert "| traffic | 12,346 | sessions/day |" in text, "large numbers grouped"
    assert "no sessions \\| in orders" in text, "a pipe in a cell does not break the table"
    assert "| 7 | revenue | not a number |" in text and "Rows dropped as bad: 1 (listed at the end)" in text
    assert "## Weekly profile" in text and "Not shown: the export's timestamps carry no time of day." in text
    assert "| order_rate_per_day | orders/day | 10 | 10.5 |" in text and "+5.0%" in text
