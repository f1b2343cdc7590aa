"""Test-and-kill selection: what a candidate's test shows (conversion, margin), and the stock it leaves."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine.sales.assortment import Assortment


@pytest.fixture
def launch(baseline) -> sim.Scenario:
    return baseline.with_overrides(
        {"selection": {"candidates": ["poster", "mug"], "test_budget": 600.0, "kill_below_conversion": 0.02}}
    )


def test_the_test_budget_sets_the_candidates_stock(launch):
    a = Assortment(launch)
    k = {name: i for i, name in enumerate(a.names)}
    for name in ("poster", "mug"):
        assert a.initial_stock[k[name]] == int(300.0 // launch.catalogue.skus[name].unit_cost)
    assert a.active and a.review_day == launch.selection.review_after_days
    assert not Assortment(sim.Scenario()).active and Assortment(sim.Scenario()).review_day == -1


def test_conversion_counts_demand_only_while_in_stock(launch):
    a = Assortment(launch)
    n = len(a.names)
    a.observe_day(np.full(n, 100.0), np.full(n, 3.0), np.ones(n, dtype=bool))
    a.observe_day(np.full(n, 100.0), np.full(n, 9.0), np.zeros(n, dtype=bool))  # sold out: not counted
    assert a.conversion() == pytest.approx(np.full(n, 0.03))


def test_margin_of_the_goods_kept(launch):
    a = Assortment(launch)
    a.sold(0, goods=100.0, cogs=40.0)
    a.sold(0, goods=50.0, cogs=20.0)
    a.returned(0, refund_goods=50.0, cogs_back=20.0)  # back on the shelf: its cost is not spent
    margin = a.margin()
    assert margin[0] == pytest.approx((100 - 40) / 100) and margin[1] == -1.0  # no sales: -1


def test_dead_stock_only_of_killed_skus(launch):
    a = Assortment(launch)
    a.live[1] = False
    on_hand = np.full(len(a.names), 10)
    dead = a.dead_stock(on_hand)
    assert dead[1] == 10 * a.unit_cost[1] and dead.sum() == dead[1]


def test_the_run_kills_what_converts_too_little(launch):
    r = sim.simulate(launch, seed=2, days=launch.selection.review_after_days + 2)
    judged = r.events[r.events["kind"].isin(["sku_killed", "sku_kept"])]
    assert set(judged["sku"]) == {"poster", "mug"}
    # below the conversion threshold means killed; kept means at or above it (a kill can also be on margin)
    assert (judged.loc[judged["value"] < 0.02, "kind"] == "sku_killed").all()
    assert (judged.loc[judged["kind"] == "sku_kept", "value"] >= 0.02).all()
