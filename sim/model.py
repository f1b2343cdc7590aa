"""One run of the store: the SimPy environment, its resources and processes.

The hour loop (:meth:`StoreModel._hours`) draws each hour's traffic and
funnel in bulk (``sim.demand``) and turns every order that comes out into a
process (:meth:`StoreModel._order`) that lives through picking, the carrier,
an optional return and refund, and tickets along the way.  When the order
settles, its customer's experience becomes a review and a churn decision
(``sim.customers``), and the next hour's funnel sees the new rating: the
service -> reviews -> conversion loop of the guide.

Traffic stops at the horizon; orders already placed run to their end (the
drain), so every order reaches exactly one terminal status.
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.clock import ShiftClock
from sim.customers import CustomerBase, Experience, ReviewBoard
from sim.demand import Demand, review_multiplier
from sim.fulfilment import Carriers, Picking
from sim.inventory import Inventory
from sim.log import EventLog
from sim.orders import OrderBook
from sim.rng import Streams
from sim.scenario import Scenario
from sim.service import ServiceDesk

#: Daily funnel counters, in array order.
DAILY_COUNTERS = ("sessions", "returning_sessions", "views", "views_out_of_stock", "carts", "checkouts",
                  "lost_sales")
#: Longest time after the horizon that in-flight orders may take to finish.
MAX_DRAIN_HOURS = 400 * 24.0
CUSTOMER_GROUP = 2


class StoreModel:
    """Build with a validated scenario, a seed sequence and a horizon; then :meth:`run`."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence, days: int) -> None:
        s = self.scenario = scenario
        self.days = days
        self.env = env = simpy.Environment()
        self.rng = Streams.from_seed(seed)
        self.log = EventLog()
        weekday = s.time.start_date.weekday()
        self.demand = Demand(s, weekday)
        self.inventory = Inventory(env, s.catalogue, self.log)
        self.picking = Picking(env, s.warehouse, ShiftClock(s.warehouse.shift, weekday), self.rng.picking)
        self.carriers = Carriers(s.delivery, self.rng.carriers)
        self.desk = ServiceDesk(env, s.service, ShiftClock(s.service.shift, weekday), self.rng.service, self.log)
        self.reviews = ReviewBoard(s.reviews, self.rng.reviews, self.log)
        self.customers = CustomerBase(s.customers, self.rng.customers, self.log)
        self.orders = OrderBook()
        n_channels = len(self.demand.channels)
        self.counters = np.zeros((days, n_channels, len(DAILY_COUNTERS)), dtype=np.int64)
        self.spend = np.zeros((days, n_channels))
        skus = list(s.catalogue.skus.values())
        self.price = np.array([k.price for k in skus])
        self.unit_cost = np.array([k.unit_cost for k in skus])
        self.return_p = np.array([k.return_probability for k in skus])
        self.defect_p = np.array([k.defect_probability for k in skus])

    # --- the run ----------------------------------------------------------------------------------
    def run(self) -> None:
        self.env.process(self._hours())
        self.env.run(until=self.days * 24.0 + MAX_DRAIN_HOURS)

    def _hours(self):
        env, rng, s = self.env, self.rng, self.scenario
        pre_sales_rate = s.service.pre_sales_per_1000_views / 1000.0
        for hour in range(self.days * 24):
            day = hour // 24
            in_stock = self.inventory.in_stock()
            mult = review_multiplier(self.reviews.rating_now, self.reviews.count, s.reviews)
            c = self.demand.draw(hour, rng.traffic, rng.funnel, mult, self.customers.active, in_stock)
            row = self.counters[day]
            row[:, 0] += c.sessions.sum(axis=1)
            row[:, 1] += c.sessions[:, 1:].sum(axis=1)
            row[:, 2] += c.views.sum(axis=(1, 2))
            row[:, 3] += c.views_out_of_stock
            row[:, 4] += c.carts.sum(axis=(1, 2))
            row[:, 5] += c.checkouts.sum(axis=(1, 2))
            self.spend[day] += c.sessions[:, :2].sum(axis=1) * self.demand.cost_per_click
            for ch, group, k in zip(*np.nonzero(c.orders)):
                for _ in range(c.orders[ch, group, k]):
                    self._place(hour, int(ch), int(group), int(k))
            if pre_sales_rate and s.service.enabled:
                for _ in range(rng.service.poisson(c.views.sum() * pre_sales_rate)):
                    self._later(rng.service.random(), self.desk.open, "pre_sales")
            yield env.timeout(1.0)

    def _later(self, delay: float, fn, *args) -> None:
        """Call ``fn(*args)`` ``delay`` hours from now without a generator process."""
        self.env.timeout(delay).callbacks.append(lambda _event: fn(*args))

    # --- one order --------------------------------------------------------------------------------
    def _place(self, hour: int, ch: int, group: int, k: int) -> None:
        rng = self.rng.orders
        units = 1 + int(rng.poisson(self.scenario.catalogue.extra_units_mean))
        lost = self.scenario.catalogue.stockout_policy == "lost"
        if lost and units > self.inventory.on_hand[k]:
            self.counters[hour // 24, ch, DAILY_COUNTERS.index("lost_sales")] += 1
            return
        placed = hour + rng.random()
        if group == CUSTOMER_GROUP and self.customers.active:
            cid, repeat = self.customers.pick_active(), True
        else:
            cid, repeat = self.customers.new(placed, ch), False
        self.customers.orders[cid] += 1
        option = int(rng.choice(len(self.carriers.share), p=self.carriers.share))
        revenue = units * self.price[k] + self.carriers.fee[option]
        oid = self.orders.new(placed, ch, group, k, cid, units, float(revenue), float(units * self.unit_cost[k]),
                              repeat, option, placed + self.carriers.promise_h[option])
        filled = self.inventory.reserve(k, units)
        self.env.process(self._order(oid, filled, placed - self.env.now))

    def _order(self, oid: int, filled: simpy.Event | None, delay: float):
        env, o, log = self.env, self.orders, self.log
        cid, k, option = o.customer[oid], o.sku[oid], o.option[oid]
        sku = self.demand.skus[k]
        yield env.timeout(delay)
        log.add(env.now, "order_placed", oid, cid, sku, o.revenue[oid])
        if filled is not None:
            log.add(env.now, "backordered", oid, cid, sku, o.units[oid])
            yield filled

        e = Experience()
        ready = env.now
        started, wrong = yield from self.picking.pick()
        log.add(started, "pick_started", oid, cid, sku, started - ready)
        log.add(env.now, "picked", oid, cid, sku, float(wrong))
        o.picked[oid], o.wrong_item[oid], e.wrong_item = env.now, wrong, wrong

        yield env.timeout(self.picking.next_collection(env.now) - env.now)
        o.shipped[oid] = env.now
        o.shipping_cost[oid] += self.carriers.cost[option]
        log.add(env.now, "shipped", oid, cid, sku, self.carriers.cost[option])
        transit = self.carriers.transit_hours(option)
        self._maybe_wismo(oid, cid, env.now + transit, transit, e)
        yield env.timeout(transit)
        o.delivered[oid] = env.now
        e.late = env.now > o.promised[oid]
        log.add(env.now, "delivered", oid, cid, sku, float(e.late))

        yield from self._maybe_return(oid, cid, k, e)
        self.reviews.maybe_review(env.now, oid, cid, e)
        self.customers.settle(env.now, cid, e)

    def _maybe_wismo(self, oid: int, cid: int, arrival: float, transit: float, e: Experience) -> None:
        """A where-is-my-order ticket: likely once the promise passes, rare otherwise."""
        cfg, rng, promised = self.scenario.service, self.rng.service, self.orders.promised[oid]
        on_answer = self._service_watch(e)
        if arrival > promised:
            if rng.random() < cfg.wismo_late_probability:
                self._later(max(promised - self.env.now, 0.0), self.desk.open, "wismo", oid, cid, on_answer)
        elif rng.random() < cfg.wismo_probability:
            self._later(rng.random() * transit, self.desk.open, "wismo", oid, cid, on_answer)

    def _service_watch(self, e: Experience):
        sla = self.scenario.service.sla_hours

        def on_answer(waited: float) -> None:
            if waited > sla:
                e.slow_service = True
        return on_answer

    def _maybe_return(self, oid: int, cid: int, k: int, e: Experience):
        env, o, rng, r = self.env, self.orders, self.rng.returns, self.scenario.returns
        e.defect = bool(rng.random() < self.defect_p[k])
        p = min(1.0, self.return_p[k] * (r.late_multiplier if e.late else 1.0))
        request_delay = rng.exponential(r.request_days_mean * 24.0) if r.request_days_mean else 0.0
        store_fault = e.wrong_item or e.defect
        if not store_fault and (rng.random() >= p or request_delay > r.window_days * 24.0):
            return
        if not store_fault:
            yield env.timeout(request_delay)
        sku = self.demand.skus[k]
        o.returned[oid] = True
        log = self.log
        log.add(env.now, "return_requested", oid, cid, sku, 0.0)
        reason = "wrong_item" if e.wrong_item else "defect" if e.defect else "return_request"
        if store_fault or rng.random() < self.scenario.service.return_ticket_probability:
            self.desk.open(reason, oid, cid, self._service_watch(e))
        if store_fault or r.free_returns:
            o.shipping_cost[oid] += r.label_cost
        yield env.timeout(rng.exponential(r.transit_days_mean * 24.0) if r.transit_days_mean else 0.0)
        o.returned_at[oid] = env.now
        restocked = 0 if e.defect else o.units[oid]
        if restocked:
            self.inventory.put_back(k, restocked)
        log.add(env.now, "return_received", oid, cid, sku, restocked)
        yield env.timeout(rng.exponential(r.refund_days_mean * 24.0) if r.refund_days_mean else 0.0)
        o.refunded_at[oid] = env.now
        fee = self.carriers.fee[o.option[oid]]
        o.refund[oid] = float(o.revenue[oid] - (0.0 if store_fault else fee))
        e.slow_refund = env.now - o.returned_at[oid] > r.refund_promise_days * 24.0
        log.add(env.now, "refunded", oid, cid, sku, o.refund[oid])

    # --- after the run ----------------------------------------------------------------------------
    def cancel_unfinished(self) -> None:
        """Back-orders never filled by the end of the drain are cancelled and refunded."""
        end = self.env.now
        for oid in np.nonzero(np.isnan(np.asarray(self.orders.picked, dtype=float)))[0]:
            oid = int(oid)
            self.orders.cancelled_at[oid] = end
            self.orders.refund[oid] = self.orders.revenue[oid]
            self.log.add(end, "cancelled", oid, self.orders.customer[oid], self.demand.skus[self.orders.sku[oid]],
                         self.orders.revenue[oid])
