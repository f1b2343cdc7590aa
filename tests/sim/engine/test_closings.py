"""The model's closings: orders settle in time order, and one closed at its moment goes after those due then.

A kept order's review and churn decision wait in ``StoreModel._closings`` until their time; an order whose end
was not known in advance (a refund, a ticket answered) is closed by ``_close_now`` when it happens.  Exact
checks on a model built from the baseline store and driven by hand: every draw below makes its order review.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

import sim
from sim.engine.aftersales.customers import Experience, ReviewDraws
from sim.engine.fate import Fate
from sim.engine.model import StoreModel

#: draws that post a review (review_u 0 is below any chance) and keep the customer (churn_u near 1)
REVIEWS = ReviewDraws(review_u=0.0, extreme_u=0.9, noise=0.0, churn_u=0.999)
#: a right, sound pick (flags False) whose other draws are all 0
FATE = Fate(**{f.name: 0.0 for f in fields(Fate)[:-1]} | {"wrong_item": False, "defect": False}, closing=REVIEWS)


def _order(model: StoreModel) -> int:
    """Book an order of a new customer: the order id (the customer's id is the same when booked in turn)."""
    cid = model.customers.new(0.0, 0)
    return model.orders.new(0.0, 0, 0, 0, cid, 1, 10.0, 4.0, False, 0, 50.0, 0.0, 10.0, 0, False, False)


def test_an_order_closed_now_goes_after_the_kept_orders_due_at_the_same_time(baseline: sim.Scenario):
    model = StoreModel(baseline, np.random.SeedSequence(1), 3)
    kept_late, kept_early, refunded, not_yet = (_order(model) for _ in range(4))
    final = Experience(settled=True)
    for t, oid in ((5.0, kept_late), (4.0, kept_early), (6.0, not_yet)):
        model._closings.push((t, oid, oid, 1.0, REVIEWS, final))
    model.env._now = 5.0  # the clock at a refund: SimPy's own attribute, as StoreEnvironment.skip_to sets it
    model._settle(refunded, FATE, Experience())
    assert model.reviews.order_id == [kept_early, kept_late, refunded], "time order; at 5.0 the kept one first"
    assert model.reviews.time == [4.0, 5.0, 5.0] and model.customers.active == 3
    assert len(model._closings) == 1 and model._closings.first == 6.0


def test_an_order_waits_for_its_ticket_before_it_closes(baseline: sim.Scenario):
    """Settled with a ticket open: no review until the answer (``ServiceDesk.answers``, applied in time order with
    the closings); the answer closes it then, and a late one spoils it."""
    model = StoreModel(baseline, np.random.SeedSequence(1), 3)
    oid = _order(model)
    e = Experience()
    on_answer = model._service_watch(oid, FATE, e)
    assert on_answer is not None and e.open_tickets == 1
    model.env._now = 2.0
    model._settle(oid, FATE, e)
    assert model.reviews.order_id == [] and model.customers.active == 0
    other = _order(model)  # kept, closing at the answer's very moment
    model._closings.push((40.0, other, other, 1.0, REVIEWS, Experience(settled=True)))
    model.desk.answers.push((40.0, on_answer, baseline.service.sla_hours + 1.0))
    model._close_due(39.9)
    assert model.reviews.order_id == [] and e.open_tickets == 1
    model._close_due(40.0)
    assert model.reviews.order_id == [other, oid], "at equal times the closings first, then the answer's order"
    assert model.reviews.time == [40.0, 40.0] and e.slow_service and e.open_tickets == 0
