"""Simulation-only measures: each formula on a hand-made table, and operating profit as their sum."""

from __future__ import annotations

import pandas as pd
import pytest

import sim.results.kpis as kpis
from sim.results import measures


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return {
        "orders": pd.DataFrame(
            {
                "revenue": [50.0, 30.0],
                "refund": [0.0, 30.0],
                "cogs": [20.0, 12.0],
                "returned": [False, True],
                "shipping_cost": [5.0, 5.0],
            }
        ),
        "daily": pd.DataFrame({"spend": [3.0, 7.0]}),
        "sku_daily": pd.DataFrame({"holding_cost": [0.25, 0.75]}),
        "skus": pd.DataFrame({"dead_stock_value": [0.0, 12.0], "written_off_value": [3.0, 0.0]}),
        "labour": pd.DataFrame(
            {
                "team": ["pickers", "agents"],
                "person_hours": [16.0, 8.0],
                "busy_hours": [12.0, 2.0],
                "cost": [160.0, 40.0],
            }
        ),
        "programmes": pd.DataFrame(
            {
                "programme": ["campaign:weekly", "review_prompts", "membership", "membership_renewal", "warranty"],
                "cost": [2.0, 0.5, 0.0, 0.0, 0.0],
                "revenue": [0.0, 0.0, 20.0, 10.0, 99.0],
            }
        ),
    }


def test_each_measure_on_paper(tables):
    got = measures.compute(tables)
    assert list(got) == list(measures.MEASURE_NAMES)
    assert got["holding_cost"] == 1.0 and got["dead_stock_value"] == 12.0 and got["labour_cost"] == 200.0
    assert got["crm_cost"] == 2.5  # campaigns and review prompts, not memberships or warranties
    assert got["membership_fees"] == 30.0  # joining and renewal fees; warranty revenue is not a fee
    assert got["write_off_cost"] == 3.0 and got["picker_utilisation"] == 0.75 and got["agent_utilisation"] == 0.25
    # net revenue 50 - cogs of the kept order 20 - write-offs 3 - shipping 10 - marketing 10 - labour 200
    # - holding 1 - CRM 2.5 + fees 30
    assert got["operating_profit"] == pytest.approx(50 - 20 - 3 - 10 - 10 - 200 - 1 - 2.5 + 30)
    assert kpis.net_revenue(tables["orders"]) == 50.0


def test_unused_levers_give_zero_not_nan(baseline_run):
    got = baseline_run.measures()
    assert set(got) == set(measures.MEASURES)
    assert got["dead_stock_value"] == 0 and got["membership_fees"] == 0 and got["crm_cost"] == 0
    assert got["labour_cost"] > 0 and got["operating_profit"] < kpis.net_revenue(baseline_run.orders)
