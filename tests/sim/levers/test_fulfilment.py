"""Stage 8 levers: warehouse layout, delivery options and fees, free-shipping threshold, promised dates.

Theory compared with: pick time = mean x (1 - travel + travel x path factor)
with travel about half of a picker's time (Tompkins et al. 2010); the
expected fee an order pays is sum(share x fee), zero above the threshold for
options that waive it.
"""

from __future__ import annotations

import pytest

import sim
from sim.engine.operations.fulfilment import pick_minutes
from sim.engine.sales.offer import build_offer
from tests.sim.levers.test_common import assert_direction, assert_directions, assert_rejected, busy, kpi

BUSY_FLOOR = {"warehouse.pickers": 1, "warehouse.pick_minutes_mean": 45.0}


def test_shorter_pick_paths_speed_up_fulfilment(baseline):
    busy = baseline.with_overrides(BUSY_FLOOR)
    short = busy.with_overrides({"warehouse.path_length_factor": 0.3})
    assert pick_minutes(short.warehouse) == pytest.approx(45.0 * (0.5 + 0.5 * 0.3))
    # a path 0.6 as long gave t from -4 to -7.5 over 4-8 pairs (false failure up to 6%); 0.3 over 12
    # pairs gives t ~ -9 (false failure < 1e-5; see test_common)
    assert_direction(busy, short, kpi("mean_fulfilment_hours"), -1, days=30, n=12)


def test_free_shipping_threshold_raises_conversion_and_order_value(baseline):
    store = busy(baseline, 4)
    free = store.with_overrides({"delivery.free_shipping_threshold": 40.0})
    assert_directions(
        store,
        free,
        {"conversion": (kpi("conversion_rate"), +1), "order value": (kpi("average_order_value"), +1)},
        days=30,
        n=14,  # order value: t ~5.5 at 6 pairs, ~8.4 at 14 (false failure < 1e-4)
    )
    r = sim.simulate(free, seed=1, days=30).orders
    above = r["unit_price"] * r["units"] >= 40.0
    assert (r.loc[above & (r["delivery_option"] != "express"), "delivery_fee"] == 0).all()
    assert (r.loc[~above, "delivery_fee"] > 0).any()


def test_the_worked_example_of_the_offer_module(baseline):
    """A 40 threshold: a hoodie order (55) pays only the express fee, 0.2 x 8.90 = 1.78 on average."""
    s = baseline.with_overrides({"delivery.free_shipping_threshold": 40.0})
    hoodie = list(s.catalogue.skus).index("hoodie")
    expected = ((55 + 0.2 * 8.9) / (55 + s.delivery.reference_fee)) ** -2.62
    assert s.delivery.reference_fee == pytest.approx(0.7 * 3.9 + 0.2 * 8.9)
    assert build_offer(s, 1).checkout_multiplier[hoodie] == pytest.approx(expected)


def test_a_higher_delivery_fee_lowers_conversion(baseline):
    dear = baseline.with_overrides({"delivery.options.standard.fee": 7.9})
    assert_direction(baseline, dear, kpi("conversion_rate"), -1, days=40)


def test_more_express_orders_arrive_sooner(baseline):
    options = baseline.delivery.options
    fast = baseline.with_overrides({"delivery.options.standard.share": 0.3, "delivery.options.express.share": 0.6})
    assert options["express"].lead_time_days_mean < options["standard"].lead_time_days_mean
    assert_direction(baseline, fast, kpi("mean_delivery_hours"), -1, days=30, n=4)


def test_a_tighter_promise_makes_more_parcels_late(baseline):
    tight = baseline.with_overrides({"delivery.options.standard.promise_days": 3.0})
    assert_direction(baseline, tight, kpi("on_time_delivery_rate"), -1, days=30, n=4)


@pytest.mark.parametrize(
    "override, path",
    [
        ({"warehouse.path_length_factor": 0.0}, "warehouse.path_length_factor"),
        ({"warehouse.travel_share": 2.0}, "warehouse.travel_share"),
        ({"delivery.free_shipping_threshold": -1.0}, "delivery.free_shipping_threshold"),
        ({"delivery.top_up_probability": 1.1}, "delivery.top_up_probability"),
    ],
)
def test_bad_fulfilment_values_name_their_path(baseline, override, path):
    assert_rejected(baseline, override, path)
