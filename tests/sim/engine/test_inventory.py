"""Stock per SKU on the SimPy clock: reservations, reorder points, purchase orders, back-orders and supplier delays."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

import sim
from sim.engine.log import EventLog
from sim.engine.operations.inventory import Inventory
from sim.engine.shocks import Shocks

#: One SKU: 10 on the shelf, reorder 20 when the position falls to 5, two days from the supplier.
SKU = {"price": 10.0, "unit_cost": 4.0, "initial_stock": 10, "reorder_point": 5, "reorder_quantity": 20,
       "supplier_lead_time_days": 2}  # fmt: skip


@pytest.fixture(scope="module")
def store(store: sim.Scenario) -> sim.Scenario:
    """The flat baseline selling one widget."""
    return store.with_overrides({"catalogue.skus": {"widget": SKU}, "selection.candidates": []})


def _inventory(s: sim.Scenario, stock: int = 10) -> tuple[simpy.Environment, Inventory, EventLog]:
    env, log = simpy.Environment(), EventLog()
    return env, Inventory(env, s.catalogue, log, np.array([stock]), Shocks(s, 30)), log


def _kinds(log: EventLog) -> list[tuple[float, str, float]]:
    return [(t, kind, value) for t, kind, _, _, _, value in log.rows]


def test_a_reservation_above_the_reorder_point_orders_nothing(store):
    env, inv, log = _inventory(store)
    assert inv.reserve(0, 4) is None and inv.on_hand == [6] and inv.on_order == [0]
    assert log.rows == [] and inv.in_stock().tolist() == [True]


def test_falling_to_the_reorder_point_orders_the_quantity_which_arrives_after_the_lead_time(store):
    env, inv, log = _inventory(store)
    inv.reserve(0, 5)  # position 5 = the reorder point
    assert inv.on_order == [20]
    env.run(until=47.9)
    assert inv.on_hand == [5]
    env.run(until=48.1)
    assert inv.on_hand == [25] and inv.on_order == [0]
    assert _kinds(log) == [(0.0, "restock_ordered", 20.0), (48.0, "restock_received", 20.0)]
    # the delivery's delay is a plain float: a numpy one would turn the clock, and every time read from it, into
    # numpy floats (an experience flag then became numpy's bool, which cannot index a list)
    assert type(env.now) is float and type(log.rows[-1][0]) is float


def test_one_purchase_order_at_a_time_while_the_position_is_above_the_point(store):
    env, inv, _ = _inventory(store)
    inv.reserve(0, 5)
    inv.reserve(0, 3)  # on hand 2 + on order 20 = 22 > 5: no second order
    assert inv.on_order == [20]


def test_back_orders_wait_first_come_first_served_and_are_filled_on_arrival(store):
    s = store.with_overrides({"catalogue.stockout_policy": "backorder"})
    env, inv, _ = _inventory(s, stock=2)
    first, second = inv.reserve(0, 3), inv.reserve(0, 4)  # 1 short, then 4 short
    assert first is not None and second is not None and inv.on_hand == [-5]
    assert inv.on_order == [20] and not inv.in_stock()[0]
    env.run(until=49)
    assert first.triggered and second.triggered and inv.on_hand == [15]


def test_a_deep_back_order_orders_enough_to_lift_the_position_above_the_point(store):
    env, inv, _ = _inventory(store, stock=0)
    inv.reserve(0, 50)  # position -50: one lot of 20 would leave it at -30, below the point of 5
    assert inv.on_order == [60]


def test_returned_units_go_back_on_the_shelf(store):
    env, inv, _ = _inventory(store)
    inv.reserve(0, 2)
    inv.put_back(0, 1)
    assert inv.on_hand == [9]


def test_a_sku_not_allowed_to_reorder_waits_until_asked(store):
    env, inv, _ = _inventory(store)
    inv.reorder_allowed[0] = False  # a test-and-kill candidate before its review
    inv.reserve(0, 8)
    assert inv.on_order == [0]
    inv.reorder_allowed[0] = True
    inv.reorder_if_low(0)
    assert inv.on_order == [20]


def test_a_supplier_delay_adds_its_days_to_orders_placed_inside_it(store):
    delay = {"start": store.time.start_date.isoformat(), "days": 1, "extra_lead_time_days": 3}
    env, inv, _ = _inventory(store.with_overrides({"risk.supplier_delays": {"port": delay}}))
    inv.reserve(0, 5)
    env.run(until=48 + 72 - 0.1)
    assert inv.on_hand == [5]
    env.run(until=48 + 72 + 0.1)
    assert inv.on_hand == [25]


def test_no_day_of_a_calendar_scales_a_reorder_point_above_the_one_a_sale_is_checked_against(baseline):
    """A sale skips the reorder policy while the position is above the highest point the calendar can give
    (``Inventory._top_point``): Q4's peaks scale every SKU's point by day, and the highest day reaches it."""
    q4 = baseline.with_overrides({"time.start_date": "2026-10-05"})
    env = simpy.Environment()
    inv = Inventory(env, q4.catalogue, EventLog(), np.zeros(len(q4.catalogue.skus), dtype=int), Shocks(q4, 90))
    assert inv.ahead is not None
    points = []
    for day in range(90):
        env._now = day * 24.0  # SimPy's own clock attribute: the day the policy reads
        points.append([inv._policy(k)[0] for k in range(len(inv.names))])
    highest = np.max(points, axis=0)
    assert highest.tolist() == inv._top_point and (highest > inv.reorder_point).any()
