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
from sim.demand import GROUPS, Demand, review_multiplier
from sim.fulfilment import Carriers, Picking
from sim.inventory import Inventory
from sim.log import EventLog
from sim.orders import OrderBook
from sim.rng import Streams
from sim.scenario import Scenario
from sim.service import ServiceDesk

#: Longest time after the horizon that in-flight orders may take to finish.
MAX_DRAIN_HOURS = 400 * 24.0
CUSTOMER_GROUP = 2


class FunnelCounts:
    """Every hour's funnel counts, kept whole and reduced to tables after the run.

    Arrays are [hour, channel, group] for sessions and [hour, channel, group,
    sku] for the steps (groups as in ``sim.demand.GROUPS``).
    """

    def __init__(self, hours: int, channels: int, skus: int) -> None:
        shape = (hours, channels, len(GROUPS))
        self.sessions = np.zeros(shape, dtype=np.int64)
        self.views = np.zeros(shape + (skus,), dtype=np.int64)
        self.carts = np.zeros_like(self.views)
        self.checkouts = np.zeros_like(self.views)
        self.views_out_of_stock = np.zeros((hours, channels), dtype=np.int64)


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
        self.funnel = FunnelCounts(days * 24, len(self.demand.channels), len(self.demand.skus))
        self.lost_sales = np.zeros((days, len(self.demand.channels)), dtype=np.int64)
        skus = list(s.catalogue.skus.values())
        self.price = np.array([k.price for k in skus])
        self.unit_cost = np.array([k.unit_cost for k in skus])
        self.return_p = np.array([k.return_probability for k in skus])
        self.defect_p = np.array([k.defect_probability for k in skus])
        self.lost_policy = s.catalogue.stockout_policy == "lost"

    # --- the run ----------------------------------------------------------------------------------
    def run(self) -> None:
        self.env.process(self._days())
        self.env.run(until=self.days * 24.0 + MAX_DRAIN_HOURS)

    def _days(self):
        env, rng, s, demand, f = self.env, self.rng, self.scenario, self.demand, self.funnel
        pre_sales_rate = s.service.pre_sales_per_1000_views / 1000.0 if s.service.enabled else 0.0
        season = demand.season(self.days * 24).reshape(self.days, 24)
        for day in range(self.days):
            mult = review_multiplier(self.reviews.rating_now, self.reviews.count, s.reviews)
            c = demand.draw(season[day], rng.traffic, rng.funnel, mult, self.customers.active,
                            self.inventory.in_stock())
            hours = slice(day * 24, day * 24 + 24)
            f.sessions[hours], f.views[hours], f.carts[hours] = c.sessions, c.views, c.carts
            f.checkouts[hours], f.views_out_of_stock[hours] = c.checkouts, c.views_out_of_stock
            if c.orders.any():
                self._schedule_orders(day, c.orders)
            if pre_sales_rate:
                # each product view asks a question with this probability: a thinned Poisson stream
                per_hour = rng.service.binomial(c.views.sum(axis=(1, 2, 3)), pre_sales_rate)
                for hour in np.repeat(np.arange(24), per_hour):
                    self._later(hour + rng.service.random(), self.desk.open, "pre_sales")
            yield env.timeout(24.0)

    def _later(self, delay: float, fn, *args) -> None:
        """Call ``fn(*args)`` ``delay`` hours from now without a generator process."""
        self.env.timeout(delay).callbacks.append(lambda _event: fn(*args))

    # --- one order --------------------------------------------------------------------------------
    def _schedule_orders(self, day: int, counts: np.ndarray) -> None:
        """Give each order of the day's counts [hour, channel, group, sku] its time, units and delivery option."""
        rng, carriers = self.rng.orders, self.carriers
        flat = np.repeat(np.arange(counts.size), counts.ravel())
        hours, chans, groups, skus = np.unravel_index(flat, counts.shape)
        n = len(flat)
        units = 1 + rng.poisson(self.scenario.catalogue.extra_units_mean, size=n)
        delays = hours + rng.random(n)
        options = rng.choice(len(carriers.share), size=n, p=carriers.share)
        for i in np.argsort(delays, kind="stable"):
            self.env.process(self._order(float(delays[i]), int(chans[i]), int(groups[i]), int(skus[i]),
                                         int(units[i]), int(options[i])))

    def _open_order(self, ch: int, group: int, k: int, units: int, option: int) -> int | None:
        """At the moment of purchase: take stock, find or create the customer, book the order.

        Returns the order id, or None when the shelf is empty and sales are lost.
        """
        now, inv = self.env.now, self.inventory
        if self.lost_policy and units > inv.on_hand[k]:
            self.lost_sales[int(now // 24), ch] += 1
            return None
        if group == CUSTOMER_GROUP and self.customers.active:
            cid, repeat = self.customers.pick_active(), True
        else:
            cid, repeat = self.customers.new(now, ch), False
        self.customers.orders[cid] += 1
        c = self.carriers
        return self.orders.new(now, ch, group, k, cid, units, float(units * self.price[k] + c.fee[option]),
                               float(units * self.unit_cost[k]), repeat, option, now + c.promise_h[option])

    def _order(self, delay: float, ch: int, group: int, k: int, units: int, option: int):
        """Process: one order from purchase to settlement."""
        env, o, log = self.env, self.orders, self.log
        yield env.timeout(delay)
        oid = self._open_order(ch, group, k, units, option)
        if oid is None:
            return
        cid, sku = o.customer[oid], self.demand.skus[k]
        log.add(env.now, "order_placed", oid, cid, sku, o.revenue[oid])
        filled = self.inventory.reserve(k, units)
        if filled is not None:
            log.add(env.now, "backordered", oid, cid, sku, units)
            yield filled

        e = Experience()
        ready = env.now
        started, wrong = yield from self.picking.pick()
        log.add(started, "pick_started", oid, cid, sku, started - ready)
        log.add(env.now, "picked", oid, cid, sku, float(wrong))
        o.picked[oid], o.wrong_item[oid], e.wrong_item = env.now, wrong, wrong

        # One timeout covers the wait for the carrier's collection and the journey.
        shipped = o.shipped[oid] = self.picking.next_collection(env.now)
        o.shipping_cost[oid] += self.carriers.cost[option]
        log.add(shipped, "shipped", oid, cid, sku, self.carriers.cost[option])
        transit = self.carriers.transit_hours(option)
        self._maybe_wismo(oid, cid, shipped, transit, e)
        yield env.timeout(shipped + transit - env.now)
        o.delivered[oid] = env.now
        e.late = env.now > o.promised[oid]
        log.add(env.now, "delivered", oid, cid, sku, float(e.late))

        yield from self._maybe_return(oid, cid, k, e)
        self.reviews.maybe_review(env.now, oid, cid, e)
        self.customers.settle(env.now, cid, e)

    def _maybe_wismo(self, oid: int, cid: int, shipped: float, transit: float, e: Experience) -> None:
        """A where-is-my-order ticket: likely once the promise passes, rare otherwise."""
        cfg, rng, promised = self.scenario.service, self.rng.service, self.orders.promised[oid]
        on_answer = self._service_watch(e)
        if shipped + transit > promised:
            if rng.random() < cfg.wismo_late_probability:
                self._later(max(promised - self.env.now, 0.0), self.desk.open, "wismo", oid, cid, on_answer)
        elif rng.random() < cfg.wismo_probability:
            self._later(shipped - self.env.now + rng.random() * transit, self.desk.open, "wismo", oid, cid,
                        on_answer)

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
