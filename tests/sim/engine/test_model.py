"""Determinism and conservation laws of one run."""

from __future__ import annotations

import gc
import hashlib
import io

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.model import StoreModel
from sim.engine.sales.demand import DayCounts
from sim.results.result import build_result
from sim.results.tables import CUSTOMER_COLUMNS, DAILY_COLUMNS, ORDER_COLUMNS, REVIEW_COLUMNS, TICKET_COLUMNS
from tests.conftest import SCENARIOS


def _digest(result: sim.Result) -> dict[str, str]:
    out = {}
    for name, frame in result.tables().items():
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        out[name] = hashlib.sha256(buf.getvalue()).hexdigest()
    return out


def test_same_seed_gives_byte_identical_tables(baseline):
    a = sim.simulate(baseline, seed=3, days=20)
    b = sim.simulate(baseline, seed=3, days=20)
    assert _digest(a) == _digest(b)
    assert a.kpis() == b.kpis()


def test_different_seeds_differ(baseline):
    a = sim.simulate(baseline, seed=3, days=20)
    b = sim.simulate(baseline, seed=4, days=20)
    differing = [name for name, h in _digest(a).items() if _digest(b)[name] != h]
    assert set(differing) >= {"events", "orders", "daily"}


def test_a_run_leaves_the_garbage_collector_as_it_found_it(baseline):
    """The run pauses the collector and restores it: on for a caller who had it on, off for one who had it off."""
    StoreModel(baseline, np.random.SeedSequence(1), 5).run()
    assert gc.isenabled()
    gc.disable()
    try:
        StoreModel(baseline, np.random.SeedSequence(1), 5).run()
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("name", ["baseline", "stage06_crm", "stage10_team"])
def test_dropping_a_result_frees_its_model_at_once(name):
    """A sweep worker runs model after model: each must go as its result goes, by reference counting alone.

    A finished model is in no reference cycle (no part calls back into it), so the collector need not find
    it.  In one, it waited for a full collection, and those come rarely: a worker that also handed each run's
    records straight to the oldest generation (``gc.freeze``/``unfreeze``) never ran one, and kept every
    model (10 MiB a 60-day growth task).  The scenarios: membership renewals (stage 6: the programmes call
    back), a staffing plan (stage 10: the desk calls back, and each job's callbacks on the compiled engine
    were once a cycle of their own).
    """
    scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")

    def models() -> int:  # (other tests' results may hold theirs)
        return sum(type(o) is StoreModel for o in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        before = models()
        result = sim.simulate(scenario, seed=1, days=40)
        assert result.kpis()["orders"] > 0 and len(result.events) > 0 and models() == before + 1
        del result
        assert models() == before
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "name, contract",
    [
        ("orders", ORDER_COLUMNS),
        ("tickets", TICKET_COLUMNS),
        ("daily", DAILY_COLUMNS),
        ("customers", CUSTOMER_COLUMNS),
        ("reviews", REVIEW_COLUMNS),
    ],
)
def test_tables_follow_the_column_contract(baseline_run, name, contract):
    frame = getattr(baseline_run, name)
    assert set(contract) <= set(frame.columns), set(contract) - set(frame.columns)
    wrong = {
        c: str(frame[c].dtype)
        for c, (dtype, _) in contract.items()
        if dtype.startswith("datetime64") and str(frame[c].dtype) != dtype
    }
    assert not wrong, f"{name}: {wrong} (the loaders of real data produce {contract[next(iter(wrong))][0]})"
    assert len(frame) > 0


def test_every_order_reaches_exactly_one_terminal_status(baseline_run):
    o = baseline_run.orders
    assert set(o["status"].unique()) <= {"delivered", "refunded", "cancelled"}
    assert o["status"].notna().all()
    ev = baseline_run.events
    placed = ev[ev["kind"] == "order_placed"]["order_id"]
    assert placed.is_unique and set(placed) == set(o["order_id"])
    # exactly one terminal event per order: delivered-and-kept, refunded, or cancelled
    delivered = set(ev.loc[ev["kind"] == "delivered", "order_id"])
    refunded = set(ev.loc[ev["kind"] == "refunded", "order_id"])
    cancelled = set(ev.loc[ev["kind"] == "cancelled", "order_id"])
    assert not refunded & cancelled and not delivered & cancelled
    assert (delivered - refunded) | refunded | cancelled == set(o["order_id"])
    assert (o.loc[o["status"] == "refunded", "returned"]).all()


def test_timestamps_are_in_life_cycle_order(baseline_run):
    o = baseline_run.orders.dropna(subset=["delivered_at"])
    assert (o["placed_at"] <= o["picked_at"]).all()
    assert (o["picked_at"] <= o["shipped_at"]).all()
    assert (o["shipped_at"] <= o["delivered_at"]).all()
    r = o.dropna(subset=["refunded_at"])
    assert (r["delivered_at"] <= r["returned_at"]).all() and (r["returned_at"] <= r["refunded_at"]).all()


def test_units_sold_never_exceed_units_available(baseline):
    # A tight shelf: little stock, slow supplier, lost sales when empty.
    tight = baseline.with_overrides(
        {"catalogue.skus.tee.initial_stock": 30, "catalogue.skus.tee.supplier_lead_time_days": 20}
    )
    r = sim.simulate(tight, seed=5, days=45)
    ev = r.events
    tee = r.orders[r.orders["sku"] == "tee"]
    received = ev.loc[(ev["kind"] == "restock_received") & (ev["sku"] == "tee"), "value"].sum()
    restocked = ev.loc[(ev["kind"] == "return_received") & (ev["sku"] == "tee"), "value"].sum()
    assert tee["units"].sum() <= 30 + received + restocked
    assert r.daily["lost_sales"].sum() > 0  # the shelf did run empty
    assert r.kpis()["stockout_rate"] > 0


def test_backorders_wait_for_stock_and_are_never_oversold(baseline):
    s = baseline.with_overrides(
        {
            "catalogue.stockout_policy": "backorder",
            "catalogue.skus.mug.initial_stock": 5,
            "catalogue.skus.mug.supplier_lead_time_days": 10,
        }
    )
    r = sim.simulate(s, seed=2, days=40)
    back = r.events[r.events["kind"] == "backordered"]
    assert len(back) > 0
    # units come back on the shelf with a restock or a returned, sellable item; a back-order waits for one
    ev = r.events
    arrivals = ev.loc[
        ev["kind"].isin(["restock_received", "return_received"]) & (ev["sku"] == "mug") & (ev["value"] > 0), "time_h"
    ].to_numpy()
    started = ev[ev["kind"] == "pick_started"].set_index("order_id")["time_h"]
    for oid, waited_from in zip(back["order_id"], back["time_h"], strict=True):
        if oid in started.index:
            assert (arrivals > waited_from).any() and started[oid] >= arrivals[arrivals > waited_from].min()
    assert ev["kind"].eq("restock_received").any()


def test_money_balances_in_tables_and_kpis(baseline_run):
    o, k = baseline_run.orders, baseline_run.kpis()
    assert k["revenue"] - k["refunds"] == pytest.approx(k["net_revenue"])
    assert o["revenue"].sum() - o["refund"].sum() == pytest.approx(k["net_revenue"])
    assert baseline_run.daily["revenue"].sum() == pytest.approx(o["revenue"].sum())
    c = baseline_run.customers
    assert c["revenue"].sum() - c["refund"].sum() == pytest.approx(k["net_revenue"])
    assert (o["refund"] <= o["revenue"] + 1e-9).all() and (o["refund"] >= 0).all()
    ev = baseline_run.events
    assert ev.loc[ev["kind"].isin(["refunded", "cancelled"]), "value"].sum() == pytest.approx(o["refund"].sum())


def test_counts_agree_across_tables(baseline_run):
    r = baseline_run
    assert r.daily["orders"].sum() == len(r.orders)
    assert r.customers["orders"].sum() == len(r.orders)
    assert r.daily["new_customers"].sum() == len(r.customers)
    assert (r.daily["views"] <= r.daily["sessions"]).all()
    assert (r.daily["carts"] <= r.daily["views"]).all() and (r.daily["checkouts"] <= r.daily["carts"]).all()
    assert (r.daily["orders"] + r.daily["lost_sales"] <= r.daily["checkouts"]).all()
    assert set(r.tickets["reason"]) <= {"wismo", "wrong_item", "defect", "return_request", "pre_sales"}
    assert r.reviews["rating"].between(1, 5).all()


def test_wrong_items_become_returns_and_tickets(baseline):
    s = baseline.with_overrides({"warehouse.pick_error_probability": 0.3})
    r = sim.simulate(s, seed=8, days=30)
    wrong = r.orders[r.orders["wrong_item"] & r.orders["delivered_at"].notna()]
    assert len(wrong) > 20 and wrong["returned"].all()
    assert set(wrong["order_id"]) <= set(r.tickets.loc[r.tickets["reason"] == "wrong_item", "order_id"])


def test_kpis_are_finite_on_a_normal_run(baseline_run):
    k = baseline_run.kpis()
    assert set(k) == set(sim.results.kpis.KPI_NAMES)
    assert all(np.isfinite(v) for v in k.values())
    assert 0.005 < k["conversion_rate"] < 0.05  # around Littledata's 1.4% mean, below the top 20%'s 3.2%


def test_cac_per_channel_from_daily_agrees_with_the_channels_table(baseline_run):
    from sim.results.kpis import cac_by_channel

    cac = cac_by_channel(baseline_run.daily)
    table = baseline_run.channels.set_index("channel")["cac"]
    paid = table[table.notna() & (baseline_run.channels.set_index("channel")["spend"] > 0)]
    assert len(paid) >= 1
    assert cac.loc[paid.index].to_numpy() == pytest.approx(paid.to_numpy())
    assert (cac.drop(paid.index).fillna(0) == 0).all()  # free channels acquire at no marketing cost


def _run(scenario: sim.Scenario, days: int, ships_in_batches: bool) -> sim.Result:
    """``ships_in_batches=False``: the reference path, every right pick's journey worked out at its pick."""
    m = StoreModel(scenario, np.random.SeedSequence(11), days, ships_in_batches=ships_in_batches)
    m.run()
    m.cancel_unfinished()
    return build_result(m, 11)


@pytest.mark.parametrize(
    "path, days",
    [
        ("baseline.yaml", 120),
        ("growth.yaml", 45),
        ("china_store.yaml", 60),  # a carrier pause (Chinese New Year), sales days and slower carriers at peaks
        ("stage11_risk.yaml", 120),  # carrier disruptions, supplier delays, traffic shocks
    ],
)
def test_journeys_worked_out_together_at_each_collection_are_the_reference_paths(path, days):
    """Exact, not statistical: the same scenario and seed through both paths gives the same orders,
    customers, reviews and days; events and tickets may differ in the last bit of a time (an event is
    scheduled as a delay from a different moment), nothing else."""
    scenario = sim.load_scenario(SCENARIOS / path)
    batch, reference = _run(scenario, days, True), _run(scenario, days, False)
    assert len(batch.orders) > 100
    for name in ("orders", "customers", "reviews", "daily"):
        pd.testing.assert_frame_equal(getattr(batch, name), getattr(reference, name), check_exact=True, obj=name)
    for name in ("events", "tickets"):
        a, b = getattr(batch, name), getattr(reference, name)
        stamps = a.select_dtypes("datetime").columns
        pd.testing.assert_frame_equal(a.drop(columns=stamps), b.drop(columns=stamps), rtol=1e-12, atol=1e-9, obj=name)
        for c in stamps:  # a nanosecond apart at most
            assert ((a[c] - b[c]).abs().fillna(pd.Timedelta(0)) <= pd.Timedelta(microseconds=1)).all(), (name, c)


def test_the_day_tallies_sum_each_step_by_cell_and_by_sku(baseline):
    """``_tally`` against the plain sums over [channel, group(, cell, sku)] (and hours for the sessions), on
    counts of two cells."""
    s = baseline.with_overrides({"ab_test": {"enabled": True, "start": "2026-01-05", "days": 10}})
    model = StoreModel(s, np.random.SeedSequence(1), 3)
    rng = np.random.default_rng(2)
    shape = (len(model.demand.channels), 3, model.cells.count, len(model.demand.skus))
    assert model.cells.count == 2
    views, carts, checkouts, orders = (rng.integers(0, 50, shape) for _ in range(4))
    cells = rng.integers(0, 99, (24,) + shape[:3])
    in_stock = np.array([True, False] + [True] * (shape[3] - 2))
    none = np.zeros(0, dtype=np.int64)
    c = DayCounts(cells.sum(axis=3), cells, cells, views, none, carts, checkouts, orders, none, none)
    model._tally(1, c, in_stock)
    views_k = views.sum(axis=(0, 1, 2))
    by_sku = np.stack([views_k, np.where(in_stock, 0, views_k), carts.sum(axis=(0, 1, 2)), orders.sum(axis=(0, 1, 2))])
    assert (model.funnel.by_sku[1] == by_sku.T).all() and not model.funnel.by_sku[[0, 2]].any()
    steps = [cells.sum(axis=(0, 1, 2))] + [a.sum(axis=(0, 1, 3)) for a in (views, carts, checkouts, orders)]
    assert (model.funnel.by_cell[1] == np.stack(steps, axis=1)).all()


@pytest.mark.parametrize("share", [[1.0], [0.7, 0.3], [0.0, 1.0], [0.5, 0.0, 0.5], [0.2, 0.3, 0.1, 0.4]])
def test_delivery_options_are_the_draws_generator_choice_makes(share):
    """``_order_rows`` draws options by searchsorted on the share's cdf: what numpy's ``Generator.choice`` does,
    value for value and leaving the stream in the same place (so the runs match those drawn with ``choice``)."""
    p = np.array(share)
    cdf = p.cumsum()
    cdf /= cdf[-1]
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    assert (a.choice(len(p), size=500, p=p) == cdf.searchsorted(b.random(500), side="right")).all()
    assert a.random() == b.random()
