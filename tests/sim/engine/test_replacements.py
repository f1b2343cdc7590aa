"""Wrong and defective items put right (sim.engine.aftersales.replacements): stock, money, shares, stars.

Theory compared with: each buyer of a wrong item asks for a replacement
independently with ``returns.replacement_probability`` p, so with stock
always on the shelf the number of replaced orders among n wrong-item orders
is Binomial(n, p).  Stock is conserved exactly: what a SKU has at the end is
its initial stock + purchase orders received + sellable returns - the units
picked from it (wrong picks and replacements included).
"""

from __future__ import annotations

import pytest
from scipy import stats

import sim
from sim.engine.aftersales.customers import Experience, ReviewBoard
from sim.engine.log import EventLog
from sim.scenario.definition import Reviews
from sim.scenario.levers import ReviewPrompts

#: Chance that a correct model's count of replacements falls outside its Binomial interval: 1 in 1,000.
BINOMIAL_LEVEL = 0.999


def _faulty(base: sim.Scenario, pick_error: float, defect: float, stock: int | None = None) -> sim.Scenario:
    """The store with many wrong picks and defects (and, if given, that much stock of every SKU)."""
    over: dict[str, object] = {"warehouse.pick_error_probability": pick_error}
    for k in base.catalogue.skus:
        over[f"catalogue.skus.{k}.defect_probability"] = defect
        if stock is not None:
            over[f"catalogue.skus.{k}.initial_stock"] = stock
    return base.with_overrides(over)


@pytest.fixture(scope="module")
def faulty_run(baseline) -> sim.Result:
    return sim.simulate(_faulty(baseline, 0.2, 0.1), seed=21, days=60)


def test_stock_is_conserved_through_wrong_picks_replacements_and_returns(faulty_run):
    r, ev = faulty_run, faulty_run.events
    assert r.orders["wrong_item"].sum() > 50 and ((r.orders["returned"]) & (r.orders["refund"] == 0)).sum() > 50
    units = r.orders.set_index("order_id")["units"]
    end = r.skus.set_index("sku")["stock_end"]
    for name, sku in r.scenario.catalogue.skus.items():
        mine = ev[ev["sku"] == name]
        received = mine.loc[mine["kind"] == "restock_received", "value"].sum()
        restocked = mine.loc[mine["kind"] == "return_received", "value"].sum()
        picked = units.loc[mine.loc[mine["kind"] == "picked", "order_id"].to_numpy()].sum()
        assert end[name] == sku.initial_stock + received + restocked - picked, name


def test_the_wrong_sku_comes_back_and_the_ordered_one_goes_out(faulty_run):
    ev, o = faulty_run.events, faulty_run.orders.set_index("order_id")
    wrong = o[o["wrong_item"]]
    first = ev[ev["kind"] == "picked"].drop_duplicates("order_id").set_index("order_id")
    back = ev[ev["kind"] == "return_received"].set_index("order_id")
    # the first parcel held another SKU, and that SKU came back
    assert (first.loc[wrong.index, "sku"] != wrong["sku"]).all()
    assert (back.loc[wrong.index, "sku"] == first.loc[wrong.index, "sku"]).all()
    # a replacement is a second pick of the SKU ordered
    picks = ev[ev["kind"] == "picked"]
    replaced = o[o["returned"] & (o["refund"] == 0)]
    second = picks[picks.duplicated("order_id")].set_index("order_id")
    assert set(second.index) == set(replaced.index)
    assert (second.loc[replaced.index, "sku"] == replaced["sku"]).all()


def test_a_replacement_costs_a_parcel_refunds_nothing_and_keeps_its_cogs(faulty_run):
    s, o = faulty_run.scenario, faulty_run.orders
    cost = o["delivery_option"].map({name: opt.cost for name, opt in s.delivery.options.items()})
    replaced = o["returned"] & (o["refund"] == 0)
    assert (o.loc[replaced, "status"] == "delivered").all()
    assert o.loc[replaced, "shipping_cost"].to_numpy() == pytest.approx(
        (2 * cost + s.returns.label_cost)[replaced].to_numpy()
    )
    refunded_wrong = o[o["wrong_item"] & (o["status"] == "refunded")]
    assert refunded_wrong["refund"].to_numpy() == pytest.approx(refunded_wrong["revenue"].to_numpy())
    kept = o.loc[~o["returned"] | replaced, "cogs"].sum()
    pnl = faulty_run.profit_and_loss()
    assert pnl["cogs"] == pytest.approx(-kept)


def test_defective_returns_are_written_off_at_cost(faulty_run):
    ev, s = faulty_run.events, faulty_run.scenario
    units = faulty_run.orders.set_index("order_id")["units"]
    thrown = ev[(ev["kind"] == "return_received") & (ev["value"] == 0)]
    unit_cost = thrown["sku"].map({k: v.unit_cost for k, v in s.catalogue.skus.items()}).to_numpy()
    expected = float((units.loc[thrown["order_id"].to_numpy()].to_numpy() * unit_cost).sum())
    got = faulty_run.measures()["write_off_cost"]
    assert got > 0 and got == pytest.approx(expected)
    assert faulty_run.profit_and_loss()["write_offs"] == pytest.approx(-expected)
    assert faulty_run.orders["written_off"].sum() == pytest.approx(expected)  # and in the gross margin KPI


def test_wrong_items_are_replaced_at_the_registers_rate(baseline):
    # Stock never runs short, so every buyer who asks gets a replacement: replaced ~ Binomial(n, p).
    s = _faulty(baseline, 0.3, 0.0, stock=100_000)
    r = sim.simulate(s, seed=8, days=120)
    wrong = r.orders[r.orders["wrong_item"]]
    n, replaced = len(wrong), int((wrong["refund"] == 0).sum())
    p = s.returns.replacement_probability
    low, high = stats.binom.interval(BINOMIAL_LEVEL, n, p)
    assert n > 400 and wrong["returned"].all()
    assert low <= replaced <= high, f"{replaced} of {n} replaced; Binomial({n}, {p}) {BINOMIAL_LEVEL:.1%}: {low}-{high}"
    # the criterion: fewer than half of wrong-item orders end as a full refund
    assert (wrong["status"] == "refunded").mean() < 0.5


def test_a_one_sku_store_cannot_pack_the_wrong_item():
    s = sim.Scenario().with_overrides(
        {
            "catalogue.skus": {"only": {"price": 20.0, "unit_cost": 8.0, "initial_stock": 5000}},
            "warehouse.pick_error_probability": 1.0,
        }
    )
    r = sim.simulate(s, seed=3, days=10)
    assert len(r.orders) > 0 and not r.orders["wrong_item"].any()


def test_a_replacement_wins_back_part_of_the_stars():
    cfg = Reviews(penalty_wrong_item=2.0, penalty_defect=1.5, replacement_recovery=0.4, base_rating=4.6)
    board = ReviewBoard(cfg, ReviewPrompts(), EventLog())
    refunded = board.expected_rating(Experience(wrong_item=True, defect=True))
    replaced = board.expected_rating(Experience(wrong_item=True, defect=True, replaced=True))
    assert refunded == pytest.approx(4.6 - 3.5)
    assert replaced == pytest.approx(4.6 - 3.5 * (1 - 0.4))
