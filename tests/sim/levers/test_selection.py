"""Stage 1 levers: a test-and-kill launch of candidate SKUs, test budget, holding cost, dead stock, lead times.

Theory compared with: holding cost = sum over days of stock x unit cost x
rate / 365; a killed SKU's views go to the live ones by demand weight; its
stock left on the shelf is dead stock at unit cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from tests.sim.levers.test_common import assert_direction, assert_rejected, kpi, measure

REVIEW = 14


@pytest.fixture(scope="module")
def launch(baseline) -> sim.Scenario:
    """Two candidates: a poster priced at twice its reference (few buy it) and a mug that sells."""
    return baseline.with_overrides(
        {
            "selection": {"candidates": ["poster", "mug"], "review_after_days": REVIEW, "kill_below_conversion": 0.01},
            "catalogue.skus.poster.price": 40.0,
        }
    )


def test_the_kill_rule_kills_the_loser_and_keeps_the_winner(launch):
    r = sim.simulate(launch, seed=1, days=40)
    skus = r.skus.set_index("sku")
    assert skus.loc["poster", "killed_at"] == r.sku_daily["date"].min() + np.timedelta64(REVIEW, "D")
    assert skus["killed_at"].drop("poster").isna().all()
    assert skus.loc["poster", "test_conversion"] < 0.01 < skus.loc["mug", "test_conversion"]
    after = r.sku_daily[(r.sku_daily["sku"] == "poster") & (r.sku_daily["date"] >= skus.loc["poster", "killed_at"])]
    assert after["views"].sum() == 0 and not after["live"].any()
    assert skus.loc["poster", "stock_end"] > 0
    assert skus.loc["poster", "dead_stock_value"] == pytest.approx(skus.loc["poster", "stock_end"] * 6.0)
    assert r.measures()["dead_stock_value"] == skus["dead_stock_value"].sum()
    kinds = r.events[r.events["kind"].isin(["sku_killed", "sku_kept"])]
    assert sorted(zip(kinds["kind"], kinds["sku"], strict=True)) == [("sku_kept", "mug"), ("sku_killed", "poster")]


def test_killing_a_loser_sends_its_views_to_sellers(launch):
    keep_all = launch.with_overrides({"selection.kill_below_conversion": 0.0})

    def orders_after_review(r: sim.Result) -> float:
        return float(
            (r.sku_daily["date"] >= r.sku_daily["date"].min() + np.timedelta64(REVIEW, "D")).pipe(
                lambda late: r.sku_daily.loc[late, "orders_wanted"].sum()
            )
        )

    assert_direction(keep_all, launch, orders_after_review, +1, days=40, n=12)


def test_a_candidate_selling_below_cost_is_killed_on_margin(baseline):
    loss = baseline.with_overrides(
        {
            "selection": {"candidates": ["mug"], "review_after_days": 10, "kill_below_margin": 0.0},
            "catalogue.skus.mug.unit_cost": 18.0,
        }
    )
    skus = sim.simulate(loss, seed=2, days=20).skus.set_index("sku")
    assert skus.loc["mug", "test_margin"] < 0 and pd.notna(skus.loc["mug", "killed_at"])


def test_the_test_budget_sets_small_initial_stock_and_no_restock_during_the_test(launch):
    budget = launch.with_overrides({"selection.test_budget": 600.0})
    r = sim.simulate(budget, seed=3, days=REVIEW)
    first = r.sku_daily[r.sku_daily["date"] == r.sku_daily["date"].min()].set_index("sku")["stock_on_hand"]
    assert first["poster"] == 300 // 6 and first["mug"] == 300 // 5
    assert first["tee"] == launch.catalogue.skus["tee"].initial_stock  # not a candidate: its own stock
    restocked = r.events[(r.events["kind"] == "restock_ordered") & r.events["sku"].isin(["poster", "mug"])]
    assert restocked.empty


def test_holding_cost_follows_its_formula_and_grows_with_stock(baseline):
    r = sim.simulate(baseline, seed=4, days=20)
    t = r.sku_daily
    cost = t["sku"].map({k: v.unit_cost for k, v in baseline.catalogue.skus.items()}).astype(float)
    assert r.measures()["holding_cost"] == pytest.approx((t["stock_on_hand"] * cost * 0.25 / 365).sum())
    heavy = baseline.with_overrides({f"catalogue.skus.{k}.initial_stock": 3000 for k in baseline.catalogue.skus})
    assert_direction(baseline, heavy, measure("holding_cost"), +1, days=20, n=3)


def test_a_longer_supplier_lead_time_runs_out_of_stock_more(baseline):
    tight = baseline.with_overrides({f"catalogue.skus.{k}.initial_stock": 60 for k in baseline.catalogue.skus})
    slow = tight.with_overrides({f"catalogue.skus.{k}.supplier_lead_time_days": 30.0 for k in baseline.catalogue.skus})
    assert_direction(tight, slow, kpi("stockout_rate"), +1, days=40, n=4)


@pytest.mark.parametrize(
    "override, path",
    [
        ({"selection.candidates": ["socks"]}, "selection.candidates"),
        ({"selection.kill_below_conversion": 1.5}, "selection.kill_below_conversion"),
        ({"selection.review_after_days": 0}, "selection.review_after_days"),
        ({"catalogue.holding_cost_rate": -0.1}, "catalogue.holding_cost_rate"),
    ],
)
def test_bad_selection_values_name_their_path(baseline, override, path):
    assert_rejected(baseline, override, path)
