"""Stage 9 lever: an A/B test inside the simulation, recorded on sessions (variants table) and orders.

Theory compared with: sessions go to B with probability share_b, so B's
share of N sessions is Binomial(N, share_b)/N (within 4 standard errors
sqrt(s(1 - s)/N)); a real effect shows in the two-proportion z statistic of
the test's own read-out, and an A/A test shows none.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.rng import as_seed_sequence

WINDOW = {"enabled": True, "start": "2026-01-12", "days": 20}  # days 7-26


def arm_funnel(r: sim.Result) -> pd.DataFrame:
    t = r.variants[r.variants["variant"] != ""]
    return t.groupby("variant")[["sessions", "orders_wanted", "orders", "revenue"]].sum()


def z_statistic(t: pd.DataFrame) -> float:
    """Two-proportion z of orders wanted per session, B vs A (pooled standard error)."""
    x, n = t["orders_wanted"], t["sessions"]
    p = x.sum() / n.sum()
    se = math.sqrt(p * (1 - p) * (1 / n["A"] + 1 / n["B"]))
    return float((x["B"] / n["B"] - x["A"] / n["A"]) / se)


def test_sessions_split_by_share_and_orders_carry_their_arm(baseline):
    test = baseline.with_overrides({"ab_test": {**WINDOW, "share_b": 0.3}})
    r = sim.simulate(test, seed=1, days=30)
    t = arm_funnel(r)
    n = t["sessions"].sum()
    assert abs(t.loc["B", "sessions"] / n - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n)
    day = (r.orders["placed_at"] - pd.Timestamp("2026-01-05")).dt.days
    inside = day.between(7, 26)
    assert set(r.orders.loc[inside, "variant"]) == {"A", "B"} and (r.orders.loc[~inside, "variant"] == "").all()
    assert (t["orders"] == r.orders[inside].groupby("variant").size()).all()
    outside = r.variants[r.variants["variant"] == ""]
    assert len(outside) == 10 and outside["sessions"].sum() + n == r.daily["sessions"].sum()


def test_a_better_page_wins_its_ab_test(baseline):
    test = baseline.with_overrides({"ab_test": {**WINDOW, "variant_b": {"page.quality": 0.9}}})
    diffs, z = [], []
    for seed in as_seed_sequence(8).spawn(5):
        t = arm_funnel(sim.simulate(test, seed=seed, days=30))
        diffs.append(
            t.loc["B", "orders_wanted"] / t.loc["B", "sessions"] - t.loc["A", "orders_wanted"] / t.loc["A", "sessions"]
        )
        z.append(z_statistic(t))
    d, lo, hi = sim.mean_ci(diffs)
    print(f"EFFECT conversion B - A (page quality 0.9): diff {d:.4g}, 95% CI [{lo:.4g}, {hi:.4g}]")
    assert lo > 0 and np.mean(z) > 1.96


def test_an_aa_test_finds_nothing(baseline):
    test = baseline.with_overrides({"ab_test": WINDOW})
    z = [z_statistic(arm_funnel(sim.simulate(test, seed=s, days=30))) for s in as_seed_sequence(9).spawn(5)]
    # the mean of 5 standard normals has sd 1 / sqrt(5): |mean| > 3.3 sd has a chance of 1 in 1,000
    assert abs(np.mean(z)) < 3.3 / math.sqrt(5)


def test_a_price_test_charges_each_arm_its_price(baseline):
    test = baseline.with_overrides({"ab_test": {**WINDOW, "variant_b": {"catalogue.skus.tee.price": 30.0}}})
    o = sim.simulate(test, seed=2, days=30).orders
    tee = o[(o["sku"] == "tee") & (o["variant"] != "")]
    assert set(tee.groupby("variant")["unit_price"].unique().map(lambda v: float(v.max()))) == {25.0, 30.0}
    assert (tee.loc[tee["variant"] == "B", "unit_price"] == 30.0).all()


def test_a_free_shipping_test_waives_fees_only_in_arm_b(baseline):
    test = baseline.with_overrides({"ab_test": {**WINDOW, "variant_b": {"delivery.free_shipping_threshold": 20.0}}})
    o = sim.simulate(test, seed=3, days=30).orders
    standard = o[o["delivery_option"] == "standard"]
    above = standard["unit_price"] * standard["units"] >= 20.0
    in_b = standard["variant"] == "B"
    assert (standard.loc[in_b & above, "delivery_fee"] == 0).all() and (in_b & above).sum() > 20
    assert (standard.loc[~in_b | ~above, "delivery_fee"] == 3.9).all()


@pytest.mark.parametrize(
    "variant, message",
    [
        ({"warehouse.pickers": 4}, "cannot be split by session"),
        ({"page.qualty": 0.8}, "ab_test.variant_b.page.qualty: unknown field"),
        ({"page.quality": 1.8}, r"ab_test.variant_b: page.quality = 1.8"),
    ],
)
def test_bad_variants_name_their_path(baseline, variant, message):
    with pytest.raises(sim.ScenarioError, match=message.replace(".", r"\.").replace(r"\\.", ".")):
        baseline.with_overrides({"ab_test": {"enabled": True, "variant_b": variant}})
    with pytest.raises(sim.ScenarioError, match="name_a and name_b must differ"):
        baseline.with_overrides({"ab_test": {"name_a": "X", "name_b": "X"}})
