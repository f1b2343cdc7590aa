"""One run of the store: the SimPy environment, its resources and processes.

The day loop (:meth:`StoreModel._days`) first updates the day's levers -
the kill review of candidate SKUs, CRM campaigns, channel budgets and
organic traffic (``sim.engine.sales.marketing``), the live rating - then draws the day's
traffic and funnel in bulk (``sim.engine.sales.demand``) and places every order that
comes out at its minute (:meth:`StoreModel._place`; the clock skips to it when
nothing else is due first).  Each order lives through picking, the carrier, an
optional return and refund, and tickets along the way, with its random draws
made for the whole day at once (``sim.engine.fate``).  When the order
settles and every ticket about it is answered, its customer's experience becomes a review and a churn decision
(``sim.engine.aftersales.customers``), and the next day's funnel sees the new rating: the
service -> reviews -> conversion loop of the guide.

Most orders need no event after their placement.  A right pick on a one-shift
crew knows at its booking when it will be packed, and from then on nothing can
change its journey, so at each carrier collection the picks packed since are
sent off together, their journeys worked out as arrays (:meth:`StoreModel._ship`);
their reviews and churn decisions wait in a time-ordered queue of closings
(:meth:`StoreModel._close_due`), applied before anything next reads the
customers or the rating.  Tickets on a one-shift desk need no event either:
they join the agents' queue in time order when the closings are next applied,
and their answers are applied with them (``sim.engine.aftersales.service``).
What touches shared things stays an event: units back on the shelf, defects
and wrong items (the shelves at that moment), back-orders and staffing plans.
The one-by-one chain of callbacks (``ships_in_batches=False``) is the
reference path: both give the same tables (``tests/sim/engine/test_model.py``).

What an order pays is set by its session's offer (``sim.engine.sales.offer``: the day's
price, bundle, delivery fee after the free-shipping threshold, warranty,
member price), per A/B arm (``sim.engine.sales.variants``).

Traffic stops at the horizon; orders already placed run to their end (the
drain), so every order reaches exactly one terminal status.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Generator
from itertools import chain
from typing import Any

import numpy as np
import simpy

from sim.engine import fate
from sim.engine.aftersales.crm import Programmes
from sim.engine.aftersales.customers import CustomerBase, Experience, ReviewBoard, ReviewDraws
from sim.engine.aftersales.replacements import Replacements
from sim.engine.aftersales.service import OnAnswer, ServiceDesk
from sim.engine.clock import Agenda, call_later
from sim.engine.environment import StoreEnvironment
from sim.engine.fate import Fate
from sim.engine.log import EventLog, kind_code
from sim.engine.operations.fulfilment import Carriers, Picking
from sim.engine.operations.inventory import Inventory
from sim.engine.operations.orders import OrderBook, is_late
from sim.engine.operations.staffing import Crew
from sim.engine.rng import Streams
from sim.engine.sales.assortment import Assortment
from sim.engine.sales.demand import CUSTOMER, GROUPS, DayCounts, Demand, review_multiplier
from sim.engine.sales.marketing import Marketing
from sim.engine.sales.offer import build_offer
from sim.engine.sales.variants import build_cells
from sim.engine.shocks import Shocks
from sim.scenario.definition import Scenario

#: Longest time after the horizon that in-flight orders may take to finish.
MAX_DRAIN_HOURS = 400 * 24.0
#: Per-cell funnel steps kept per day: sessions, views, carts, checkouts, orders wanted.
CELL_STEPS = ("sessions", "views", "carts", "checkouts", "orders_wanted")
#: A right pick waiting for the carrier's collection (``StoreModel._ship``): its order, when it was ready for
#: picking (placed), started and packed, the picks queued ahead of it at its order (-1 once its promise is set),
#: and the number of its fate; exact as floats.
SHIP_ROW = ("order_id", "ready", "started", "packed", "waiting", "fate")


class FunnelCounts:
    """Every day's funnel counts, kept whole and reduced to tables after the run.

    ``sessions`` is [hour, channel, group] (groups as in ``sim.engine.sales.demand.GROUPS``); the steps
    ``views``, ``carts`` and ``checkouts`` are [day, channel, group, sku] and ``views_out_of_stock`` [day,
    channel], summed over cells; ``by_cell`` keeps [day, cell, step] and ``by_sku`` [day, sku, step] with the
    steps views, views out of stock, carts, orders wanted.
    """

    def __init__(self, days: int, channels: int, skus: int, cells: int) -> None:
        self.sessions = np.zeros((days * 24, channels, len(GROUPS)), dtype=np.int64)
        self.views = np.zeros((days, channels, len(GROUPS), skus), dtype=np.int64)
        self.carts = np.zeros_like(self.views)
        self.checkouts = np.zeros_like(self.views)
        self.views_out_of_stock = np.zeros((days, channels), dtype=np.int64)
        self.by_cell = np.zeros((days, cells, len(CELL_STEPS)), dtype=np.int64)
        self.by_sku = np.zeros((days, skus, 4), dtype=np.int64)
        #: a day's [hour, channel, group] rows as a vector of ones, for summing them by a product
        self.day_rows = np.ones(24 * channels * len(GROUPS), dtype=np.int64)


class StoreModel:
    """Build with a validated scenario, a seed sequence and a horizon; then :meth:`run`.

    ``ships_in_batches``: work out the journeys of right picks together at
    each carrier collection (:meth:`_ship`); False: one by one at each pick
    (:meth:`_picked`), the reference path the tests compare it with.
    """

    def __init__(
        self, scenario: Scenario, seed: np.random.SeedSequence, days: int, *, ships_in_batches: bool = True
    ) -> None:
        s = self.scenario = scenario
        self.days = days
        self.ships_in_batches = ships_in_batches
        self.env = env = StoreEnvironment()
        self.rng = Streams.from_seed(seed)
        self.log = EventLog()
        weekday = s.time.start_date.weekday()
        self.shocks = Shocks(s, days)
        self.cells = build_cells(s, days)
        self.offers = [build_offer(arm, days) for arm in self.cells.arms.scenarios]
        self.calendar = self.shocks.calendar
        self.demand = Demand(s, self.cells, self.offers, weekday, None if self.calendar.flat else self.calendar.cart)
        self.marketing = Marketing(s, days, self.shocks)
        self.assortment = Assortment(s)
        self.inventory = Inventory(env, s.catalogue, self.log, self.assortment.initial_stock, self.shocks)
        self.assortment.start(self.inventory)
        wh, sv = s.warehouse, s.service
        self.pickers = Crew(env, wh.pickers, wh.shift, wh.crew, weekday)
        self.agents = Crew(env, sv.agents, sv.shift, sv.crew, weekday)
        self.picking = Picking(env, wh, self.pickers, self.rng.picking)
        #: whether the calendar pauses the carrier (asked at every order: a plain attribute)
        self._carrier_pauses = bool(self.calendar.pauses)
        self.carriers = Carriers(s.delivery, self.rng.carriers, self.shocks)
        self.desk = ServiceDesk(env, sv, self.agents, self.rng.service, self.log, self._close_due)
        self.reviews = ReviewBoard(s.reviews, s.crm.review_prompts, self.log, lambda: env.now)
        self.customers = CustomerBase(s.customers, s.crm.membership, self.rng.customers, self.rng.crm, self.log)
        self.programmes = Programmes(s, days, self.customers, self.rng.crm, env, self._close_due)
        self.orders = OrderBook()
        n_ch, n_sku = len(self.demand.channels), len(self.demand.skus)
        self.funnel = FunnelCounts(days, n_ch, n_sku, self.cells.count)
        self.lost_sales = np.zeros((days, n_ch), dtype=np.int64)
        self.spend = np.zeros((days, n_ch))
        #: stock on hand at each midnight, [day, sku]
        self.stock = np.zeros((days, n_sku), dtype=np.int64)
        self.new_by_channel = np.zeros(n_ch, dtype=np.int64)
        skus = list(s.catalogue.skus.values())
        self.unit_cost = np.array([k.unit_cost for k in skus])
        self.replacements = Replacements(s.returns, self.inventory, self.unit_cost, self.rng.returns)
        #: defective units returned and thrown away, at cost, per SKU (``measures()["write_off_cost"]``)
        self.written_off = self.replacements.written_off
        self.return_p = np.array([k.return_probability for k in skus])
        self.defect_p = np.array([k.defect_probability for k in skus])
        # the same as plain lists, for the per-order steps (a numpy scalar costs more than the arithmetic on it)
        self.unit_cost_k: list[float] = self.unit_cost.tolist()
        self.return_p_k: list[float] = self.return_p.tolist()
        self.shipping_cost: list[float] = self.carriers.cost.tolist()
        self.lost_policy = s.catalogue.stockout_policy == "lost"
        #: every order's random draws, drawn with its day's orders
        self.fates = fate.Fates()
        #: right picks waiting for the carrier, by the daily collection after their pick (the batch that takes
        #: them, :meth:`_collections`), a tuple of six numbers each (``SHIP_ROW``)
        self._to_ship: dict[float, list[tuple[float, ...]]] = {}
        self._sku_code = self.log.sku_codes(self.demand.skus)
        self._journey_kinds = np.array([kind_code(k) for k in ("pick_started", "picked", "shipped", "delivered")])
        #: orders waiting to settle: (time, order id, customer id, churn multiplier, review and churn draws
        #: (``Fate.closing``), experience), by time
        self._closings = Agenda()
        #: the final experience of a kept order, on time and late (shared: a closed order's experience is final)
        self._final = (Experience(settled=True), Experience(late=True, settled=True))
        self._terms_setup()

    def _terms_setup(self) -> None:
        """Per-arm arrays of what an order pays, and per-market delivery promises."""
        o, s = self.offers, self.scenario
        self.shown = np.stack([x.prices.shown for x in o])  # [arm, day, sku]
        self.extra_units = np.stack([x.extra_units for x in o])  # [arm, sku]
        self.bundled = any(x.bundle_discount > 0 for x in o)
        self.order_draws = any(x.needs_draws for x in o)
        self.fee_table = np.stack([x.fee for x in o])  # [arm, option]
        #: per-arm order terms, arrays indexed by arm (free_above: [arm, option])
        self.arm_terms = {
            "bundle_min": np.array([x.bundle_min for x in o]),
            "bundle_discount": np.array([x.bundle_discount for x in o]),
            "threshold": np.array([x.threshold for x in o]),
            "top_up": np.array([x.top_up for x in o]),
            "free_above": np.stack([x.free_above for x in o]),
            "attach": np.array([x.warranty_attach if x.warranty else 0.0 for x in o]),
        }
        self.return_mult = [x.return_multiplier for x in o]
        self.member_discount = [x.member_discount for x in o]
        #: per arm: the warranty's price as a share of the goods, and its expected claims as a share of their cost
        self.warranty_share = np.array([x.warranty_price_share for x in o])
        self.warranty_claim = np.array([x.warranty_claim for x in o])
        elasticity = float(self.demand.sku_share @ np.array([k.elasticity for k in s.catalogue.skus.values()]))
        #: add-to-cart weight of each customer class per arm (members pay the member price)
        self.class_conversion = [
            np.tile(
                (1.0, (1.0 - x.member_discount) ** elasticity)[: self.customers.members],
                len(self.customers.class_churn) // self.customers.members,
            )
            for x in o
        ]
        self.members = self.customers.members > 1
        markets = self.cells.markets
        # plain lists and ints: read once per order, where numpy scalars would cost more than the work
        self.n_arms = self.cells.n_arms
        self.transit_extra_h = [m.extra_delivery_days * 24.0 for m in markets]
        self.promise_extra_h = [
            h if m.local_delivery else 0.0 for h, m in zip(self.transit_extra_h, markets, strict=True)
        ]
        self.promise_h = self.carriers.promise_h.tolist()
        self.warranty_churn = np.array([x.warranty_churn for x in o], dtype=float)
        self.warranty_churn_k: list[float] = self.warranty_churn.tolist()
        # the same per market, arm and option as arrays, for the journeys of many orders (:meth:`_ship`)
        self.transit_extra_arr = np.array(self.transit_extra_h)
        self.return_mult_arr = np.array(self.return_mult)
        self.promise_h_arr = np.asarray(self.promise_h)
        self.promise_extra_arr = np.asarray(self.promise_extra_h)
        self.selection = self.assortment.active

    # --- the run ----------------------------------------------------------------------------------
    def run(self) -> None:
        """Run the clock to the end of the drain.

        Python's cyclic garbage collector is paused meanwhile (and restored
        after): a run makes no cyclic garbage (``gc.collect()`` after a 60-day
        growth run finds none), but the collector would still scan the
        hundreds of thousands of order, customer and log records it keeps -
        a quarter of a year's run time.  Afterwards the model lets go of what
        only the running clock needed (:meth:`_let_go`), so it goes when its
        last reference goes.  The records age through the collector's
        generations as any object does: handing them straight to the oldest
        (``gc.freeze`` and ``unfreeze``) saved 20-50 ms after a growth year
        but counted none of them as aged, and with the model in a cycle, no
        full collection came to free it: a sweep worker kept every model.
        """
        self.env.process(self._days())
        if self.pickers.servers is not None:
            self.env.process(self._collections())
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=self.days * 24.0 + MAX_DRAIN_HOURS)
            self._close_due(self.env.now)
        finally:
            if was_enabled:
                gc.enable()
        self._let_go()

    def _let_go(self) -> None:
        """Drop the parts' calls back into the model, which only the running clock needed.

        Each made a reference cycle through the model, which only a full collection of Python's cyclic
        collector frees, and those come rarely.  Without them, the last reference to the model (its
        ``Result``) frees it at once, with the hundreds of megabytes a growth year holds.
        """
        self.desk.on_due = None
        self.programmes.close_due = None

    def _days(self) -> Generator[simpy.Event, None, None]:
        env, rng, s, demand, f = self.env, self.rng, self.scenario, self.demand, self.funnel
        pre_sales_rate = s.service.pre_sales_per_view
        season = demand.season(self.days * 24).reshape(self.days, 24)
        one_cell = self.cells.count == 1
        for day in range(self.days):
            self.desk.open_due(env.now)  # the tickets of the day before draw from its stretch of the streams
            rng.start_day(day)
            self._close_due(env.now)
            if day == self.assortment.review_day and self.assortment.review(day, self.inventory, self.log):
                demand.set_live(self.assortment.live)
            self.stock[day] = self.inventory.on_hand
            campaign = self.programmes.start_day(day, season[day])
            mult = review_multiplier(self.reviews.rating_now, self.reviews.count, s.reviews)
            free, paid, unit_cost = self.marketing.today(day, mult, self.reviews.count, self.new_by_channel)
            in_stock = self.inventory.in_stock()
            c = demand.draw(
                day,
                season[day],
                rng,
                free,
                paid,
                mult,
                self.customers.visit_weight(),
                self._customer_multiplier(),
                campaign,
                in_stock,
            )
            f.sessions[day * 24 : day * 24 + 24], f.views_out_of_stock[day] = c.sessions, c.views_out_of_stock
            if one_cell:
                f.views[day], f.carts[day], f.checkouts[day] = c.views[:, :, 0], c.carts[:, :, 0], c.checkouts[:, :, 0]
            else:
                f.views[day], f.carts[day], f.checkouts[day] = (
                    c.views.sum(axis=2),
                    c.carts.sum(axis=2),
                    c.checkouts.sum(axis=2),
                )
            self._tally(day, c, in_stock)
            visitors = c.sessions[:, :, :2].sum(axis=(0, 2))
            paid_share = np.divide(paid, free + paid, out=np.zeros_like(paid), where=paid > 0)
            self.spend[day] = visitors * paid_share * unit_cost
            self.marketing.record_spend(self.spend[day])
            times, orders = self._day_orders(day, c) if len(c.order_skus) else ([], [[]] * 15)
            if pre_sales_rate:
                # each product view asks a question with this probability: a thinned Poisson stream
                per_hour = rng.service.binomial(c.viewers.reshape(24, -1).sum(axis=1), pre_sales_rate)
                at = np.repeat(np.arange(24), per_hour) + rng.service.random(int(per_hour.sum()))
                for t in at.tolist():
                    self.desk.open_later(t, "pre_sales")
            first = len(self.orders)
            place, skip_to = self._place, env.skip_to
            for t, order in zip(times, zip(*orders, strict=True), strict=True):
                if not skip_to(t):
                    yield env.timeout(t - env.now)
                place(*order)
            self._record_placed(first)
            self.log.compact()
            yield env.timeout((day + 1) * 24.0 - env.now)

    def _customer_multiplier(self) -> np.ndarray | None:
        """Add-to-cart multiplier of returning customers per cell: the member price, weighted by who visits."""
        if not self.members:
            return None
        active = self.customers.active_by_class() * self.customers.class_visit
        total = active.sum()
        if total == 0:
            return None
        per_arm = np.array([active @ conv / total for conv in self.class_conversion])
        return per_arm[self.cells.arm_of]

    def _tally(self, day: int, c: DayCounts, in_stock: np.ndarray) -> None:
        """Per-day totals by cell and by SKU (markets, variants, sku_daily tables; the kill review).

        The four steps' sums over channels and groups go into one [step, cell, sku] array, read by both
        tallies, and the day's rows are written in place.  The sessions per cell are summed over the day's
        [hour, channel, group] rows as a product with a row of ones (``FunnelCounts.day_rows``): exact for
        counts and a quarter of the time of numpy's sum over the leading axes.
        """
        rows, f = self.funnel.day_rows, self.funnel
        steps = np.stack([c.views, c.carts, c.checkouts, c.orders]).sum(axis=(1, 2))  # [step, cell, sku]
        per_sku = steps.sum(axis=1)
        by_sku = f.by_sku[day]  # views, views out of stock, carts, orders wanted
        by_sku[:] = per_sku[[0, 0, 1, 3]].T
        by_sku[in_stock, 1] = 0
        by_cell = f.by_cell[day]  # sessions, views, carts, checkouts, orders wanted
        by_cell[:, 0] = rows @ c.cells.reshape(rows.size, -1)
        by_cell[:, 1:] = steps.sum(axis=2).T
        if self.selection:
            self.assortment.observe_day(per_sku[0], per_sku[3], in_stock)

    # --- one order --------------------------------------------------------------------------------
    def _day_orders(self, day: int, c: DayCounts) -> tuple[list[float], list[list]]:
        """The day's orders from each one's [hour, channel, group, cell] and SKU (``DayCounts``): their times in
        order, and the arguments of :meth:`_place` as columns in the same order (the day's
        process places them one by one at their times)."""
        hours, chans, groups, cells = np.unravel_index(c.order_slots, c.cells.shape)
        times = day * 24.0 + (hours + self.rng.orders.random(len(hours)))  # as SimPy adds a delay to now
        columns = self._order_rows(day, times, chans, groups, cells, c.order_skus)
        order = np.argsort(times, kind="stable")
        return times[order].tolist(), [column[order].tolist() for column in columns]

    def _order_rows(
        self, day: int, times: np.ndarray, chans: np.ndarray, groups: np.ndarray, cells: np.ndarray, skus: np.ndarray
    ) -> list[np.ndarray]:
        """The arguments of :meth:`_place` of orders placed at ``times``, as columns: channel, group, SKU,
        units, delivery option, cell, terms, what it pays and costs (before a member's price), the latest
        collection that keeps its promise, its pick hours, whether the wrong item is picked and the number of
        its fate (``sim.engine.fate``)."""
        rng, carriers = self.rng.orders, self.carriers
        n = len(skus)
        arms = self.cells.arm_of[cells]
        if self.bundled:
            units = 1 + rng.poisson(self.extra_units[arms, skus])
        else:
            units = 1 + rng.poisson(self.scenario.catalogue.extra_units_mean, size=n)
        # = rng.choice(len(share), size=n, p=share), the same draws without choice's checks of p each day
        cdf = carriers.share.cumsum()
        cdf /= cdf[-1]
        options = cdf.searchsorted(rng.random(n), side="right")
        goods, fees, warranty = self._terms(day, arms, skus, units, options)
        revenue, cogs = self._money(arms, skus, units, goods, fees, warranty)
        # a right pick packed by the collection after this keeps the promise, whatever it waits for
        due = self._collections_of(times) + self.promise_h_arr[options]
        drawn = self.fates.draw(self.rng, self.picking, carriers, self.defect_p, skus, options)
        picks = fate.columns(self.fates.rows(drawn), "pick_hours", "wrong_item")
        return [chans, groups, skus, units, options, cells, goods, fees, warranty, revenue, cogs, due, *picks, drawn]

    def _money(self, arms: Any, skus: Any, units: Any, goods: Any, fees: Any, warranty: Any) -> tuple[Any, Any]:
        """(revenue, cost of goods) of orders for ``goods`` plus ``fees``: a warranty adds its price to the
        revenue and its expected claims to the cost.  Arrays of orders, or one order's numbers (a member's)."""
        unit_cost = self.unit_cost[skus]
        revenue = goods + fees + np.where(warranty, goods * self.warranty_share[arms], 0.0)
        cogs = units * unit_cost + np.where(warranty, self.warranty_claim[arms] * unit_cost, 0.0)
        return revenue, cogs

    def _terms(
        self, day: int, arms: np.ndarray, skus: np.ndarray, units: np.ndarray, options: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(goods value, delivery fee, warranty taken) of each order: the offer of its arm on this day."""
        t = self.arm_terms
        price = self.shown[arms, day, skus]
        n = len(units)
        if self.bundled:
            price = price * np.where(units >= t["bundle_min"][arms], 1.0 - t["bundle_discount"][arms], 1.0)
        fees = self.fee_table[arms, options]
        if not self.order_draws and not t["threshold"].any():
            return units * price, fees, np.zeros(n, dtype=bool)
        draws = self.rng.offers.random((2, n)) if self.order_draws else np.ones((2, n))
        thr = t["threshold"][arms]
        short = (thr > 0) & (units * price < thr) & ((units + 1) * price >= thr) & (draws[0] < t["top_up"][arms])
        units += short
        goods = units * price
        fees = np.where((thr > 0) & (goods >= thr) & t["free_above"][arms, options], 0.0, fees)
        return goods, fees, draws[1] < t["attach"][arms]

    def _open_order(
        self,
        now: float,
        ch: int,
        group: int,
        k: int,
        units: int,
        option: int,
        cell: int,
        goods: float,
        fee: float,
        warranty: bool,
        revenue: float,
        cogs: float,
    ) -> int | None:
        """At the moment of purchase: check the shelf, find or create the customer and book the order (its
        ``order_placed`` row is written with the day's, :meth:`_record_placed`).

        Returns the order id, or None when the shelf is empty and sales are lost (stock is taken by
        :meth:`_place`).
        """
        if self.lost_policy and units > self.inventory.on_hand[k]:
            self.lost_sales[int(now // 24), ch] += 1
            return None
        cust = self.customers
        arm = cell % self.n_arms
        if group == CUSTOMER:
            self._close_due(now)  # a returning customer is one of those still active: settle those due first
        if group == CUSTOMER and cust.active:
            cid, repeat = cust.pick_active(self.class_conversion[arm] if self.members else None), True
        else:
            cid, repeat = cust.new(now, ch), False
            if self.members:  # offered the membership (a call saved per new customer when it is not)
                self.programmes.first_order(now, cid)
        cust.orders[cid] += 1
        member = self.members and cust.member[cid]
        if member and self.member_discount[arm]:
            goods *= 1.0 - self.member_discount[arm]
            revenue = float(self._money(arm, k, units, goods, fee, warranty)[0])
        if self.selection:
            self.assortment.sold(k, goods, cogs)
        return self.orders.new(
            now,
            ch,
            group,
            k,
            cid,
            units,
            revenue,
            cogs,
            repeat,
            option,
            math.nan,  # the promise: set by _place
            fee,
            goods,
            cell,
            bool(member),
            warranty,
        )

    def _record_placed(self, first: int) -> None:
        """The ``order_placed`` rows of orders ``first`` on, in one go (the events table sorts rows by time), and
        the new customers they brought by channel (``new_by_channel``, read by the next day's marketing)."""
        o = self.orders
        oids = np.arange(first, len(o))
        if len(oids):
            new = ~o.take("is_repeat", oids).astype(bool)
            self.new_by_channel += np.bincount(o.take("channel", oids)[new], minlength=len(self.new_by_channel))
            self.log.add_many(
                o.take("placed", oids),
                "order_placed",
                oids,
                o.take("customer", oids),
                self._sku_code[o.take("sku", oids)],
                o.take("revenue", oids),
            )

    def _promise(self, now: float, option: int, cell: int, waiting: int) -> float:
        """The delivery date shown at checkout: the planned dispatch plus the option's promise.

        Dispatch is the carrier's first collection after the order's pick is
        expected done - behind the picking queue, in the pickers' hours (after
        the day's shift an order waits for tomorrow's; a carrier pause moves
        it past the pause) - and the promise counts from there, stretched
        in the calendar's peaks as the carrier is: a store staffed as planned
        keeps its promises except for carrier incidents.  A market's extra
        delivery days count when it delivers locally.  ``waiting``: the picks
        queued ahead of the order.
        """
        dispatch = self._collection(self.picking.ready_estimate(now, waiting))
        stretch = self.calendar.peak_stretch(dispatch)
        return dispatch + self.promise_h[option] * stretch + self.promise_extra_h[cell // self.n_arms]

    def _promises(self, now: np.ndarray, option: np.ndarray, cell: np.ndarray, waiting: np.ndarray) -> np.ndarray:
        """:meth:`_promise` of many orders at once (pickers on one shift)."""
        dispatch = self._collections_of(self.picking.ready_estimates(now, waiting))
        stretch = self.calendar.peak_stretches(dispatch)
        return dispatch + self.promise_h_arr[option] * stretch + self.promise_extra_arr[cell // self.n_arms]

    # The life of an order, one by one (the reference path): a chain of steps, each a callback at its moment
    # on the clock (``call_later``, the crew's callbacks), not a generator process: _place -> (back-order) ->
    # _to_picking -> _picked -> _delivered -> [_return_requested -> _return_received -> _refunded] -> _settle
    # -> _close_now (waiting for the answers to the order's tickets).  A wrong or defective item replaced:
    # _return_requested -> _reshipped -> _settle, and _return_received restocks or writes off, refunding nothing.
    # Together (the default for a right pick on one shift): _place -> [at the collection] _ship -> [_deliver]
    # -> the closings (_close_due); only tickets, restocks and defects are events of their own.

    def _place(
        self,
        ch: int,
        group: int,
        k: int,
        units: int,
        option: int,
        cell: int,
        goods: float,
        fee: float,
        warranty: bool,
        revenue: float,
        cogs: float,
        due: float,
        pick_hours: float,
        wrong_item: float,
        drawn: int,
    ) -> None:
        """The purchase: book the order, take stock (or wait for a back-order), queue for a picker.

        ``revenue`` and ``cogs`` are what the order pays and costs before a member's price, ``due`` the
        latest collection that keeps any promise it can be given, ``pick_hours`` and ``wrong_item`` its pick
        and ``drawn`` the number of its fate (:meth:`_order_rows`).
        """
        now = self.env.now
        oid = self._open_order(now, ch, group, k, units, option, cell, goods, fee, warranty, revenue, cogs)
        if oid is None:
            return
        o = self.orders
        waiting = self.pickers.waiting(now)  # the picks queued ahead of this one: its promise
        filled = self.inventory.reserve(k, units)
        started = None if filled is not None or wrong_item else self.pickers.book(pick_hours, now)
        done = math.nan if started is None else started + pick_hours
        if started is not None and self.ships_in_batches:  # one shift, a right pick: its times are known now
            collected = self._collection(done)
            if due >= collected:
                # the promise (at least this) cannot have passed when the parcel leaves: it travels with the
                # collection's batch, which works out the promise too
                self._wait_for_collection((oid, now, started, done, waiting, drawn), collected)
                return
        fate = self.fates[drawn]
        promised = o.promised[oid] = self._promise(now, option, cell, waiting)
        e = Experience()
        if filled is None:
            if started is None:
                self._to_picking(oid, fate, e)
            elif not self.ships_in_batches or promised < collected:  # (collected: worked out above when batching)
                # late before it leaves (it may ask where it is before then), or the reference path: one by one
                self._picked(oid, fate, e, now, started, done)
            else:
                self._wait_for_collection((oid, now, started, done, -1, drawn), collected)
        else:
            self.log.add(now, "backordered", oid, o.customer[oid], self.demand.skus[k], units)
            filled.callbacks.append(lambda _event: self._to_picking(oid, fate, e))

    def _collection(self, t: float) -> float:
        """The carrier's first collection at or after ``t``, outside the calendar's carrier pauses."""
        if self._carrier_pauses:
            return self.calendar.collection_after_pauses(t, self.picking.next_collection)
        return self.picking.next_collection(t)

    def _wait_for_collection(self, row: tuple[float, ...], collected: float) -> None:
        """Queue a right pick (``row`` as :data:`SHIP_ROW`) for the batch of the carrier's daily collection after
        it is packed; ``collected``: when it is collected (the same, but for a carrier pause)."""
        batch = collected if not self._carrier_pauses else self.picking.next_collection(row[3])
        self._to_ship.setdefault(batch, []).append(row)

    def _to_picking(self, oid: int, fate: Fate, e: Experience) -> None:
        """Queue for a picker.  A right pick's journey is worked out as soon as its times are known; a wrong
        pick waits for its moment, as the SKU that lands in the parcel depends on the shelves then."""
        ready = self.env.now

        def picked(started: float, done: float) -> None:
            if fate.wrong_item and done > self.env.now:
                call_later(self.env, done - self.env.now, self._picked, oid, fate, e, ready, started, done)
            else:
                self._picked(oid, fate, e, ready, started, done)

        self.picking.pick(fate.pick_hours, picked)

    def _picked(self, oid: int, fate: Fate, e: Experience, ready: float, started: float, done: float) -> None:
        """Picked and packed at ``done``; the parcel waits for the carrier's collection, then travels.

        Called as soon as the pick's times are known (``_to_picking``), so
        every time here is computed, not waited for: the rest of the journey
        depends on nothing else that happens meanwhile, and the next event of
        the order is its delivery.
        """
        o, log = self.orders, self.log
        cid, option, cell, k = o.customer[oid], o.option[oid], o.cell[oid], o.sku[oid]
        log.add(started, "pick_started", oid, cid, self.demand.skus[k], started - ready)
        packed = self.replacements.mispick(oid, k, o.units[oid]) if fate.wrong_item else k
        sku = self.demand.skus[packed]
        log.add(done, "picked", oid, cid, sku, float(packed != k))
        o.picked[oid], o.wrong_item[oid], e.wrong_item = done, packed != k, packed != k
        # One timeout covers the pick, the wait for the carrier's collection and the journey.
        shipped = o.shipped[oid] = self._collection(done)
        cost = self.shipping_cost[option]
        o.shipping_cost[oid] += cost
        log.add(shipped, "shipped", oid, cid, sku, cost)
        transit = self._transit(option, shipped, self.transit_extra_h[cell // self.n_arms], fate, fate.incident_u)
        asked = self._maybe_wismo(oid, cid, done, shipped, transit, fate, e)
        now = self.env.now
        at = now + (shipped + transit - now)  # the time a timeout of that delay fires at, to the last bit
        if asked or fate.defect or e.wrong_item or self._asks_return(oid, k, is_late(at, o.promised[oid]), fate):
            call_later(self.env, at - now, self._delivered, oid, fate, e)
        else:
            self._kept(oid, at, fate)

    def _transit(self, option: int, shipped: float, extra_h: float, fate: Fate, incident_u: float) -> float:
        """One parcel's hours on the road; ``incident_u`` 1.0: no incident."""
        return self.carriers.transit_hour(option, shipped, extra_h, fate.lead, incident_u, fate.incident_delay)

    def _collections(self) -> Generator[simpy.Event, None, None]:
        """Process: at each carrier collection, send off the right picks packed since the last one.

        A right pick on one shift knows at its booking when it will be packed,
        and from then on nothing can change its journey: the collection it
        makes, the road, whether the buyer asks where it is, whether they
        return it.  So those orders wait in ``_to_ship``, by the
        collection after their pick, and at that collection :meth:`_ship`
        works out their journeys together, as arrays.  Every time it writes is
        at or after the collection, so nothing that happens earlier could
        have seen them.
        """
        env, horizon = self.env, self.days * 24.0
        while env.now < horizon or self._to_ship:
            at = self.picking.next_collection(env.now)
            if at == env.now:
                at += 24.0
            yield env.timeout(at - env.now)
            batch = self._to_ship.pop(at, None)
            if batch:
                # numpy reads a flat run of numbers faster than it sorts out a list of tuples
                rows = np.fromiter(chain.from_iterable(batch), float, len(batch) * len(SHIP_ROW))
                self._ship(rows.reshape(-1, len(SHIP_ROW)))

    def _ship(self, rows: np.ndarray) -> None:
        """The journeys of right picks packed by this collection (:meth:`_collections`), as arrays: ``rows``
        as :data:`SHIP_ROW`.

        The same steps as :meth:`_picked`, :meth:`_maybe_wismo` and
        :meth:`_delivered` take for one order: kept orders with no question
        asked are written in full and join the closings; defects (and every
        order while a kill review counts returns) get their delivery as an
        event; the rest, with a question or a return, go on in :meth:`_deliver`.
        """
        o, log, now = self.orders, self.log, self.env.now
        oids, waiting, drawn = rows[:, 0].astype(np.int64), rows[:, 4].astype(np.int64), rows[:, 5].astype(np.int64)
        ready, started, done = rows[:, 1], rows[:, 2], rows[:, 3]
        draws = self.fates.rows(drawn)
        lead, incident_u, incident_delay, wismo_u, wismo_at, defect, return_u, request_e = fate.columns(
            draws, "lead", "incident_u", "incident_delay", "wismo_u", "wismo_at", "defect", "return_u", "request_e"
        )
        cid, k, option, cell = (o.take(c, oids) for c in ("customer", "sku", "option", "cell"))
        fresh = waiting >= 0  # the promise is still to be worked out
        if fresh.any():
            o.put("promised", oids[fresh], self._promises(ready[fresh], option[fresh], cell[fresh], waiting[fresh]))
        promised = o.take("promised", oids)
        codes = self._sku_code[k]
        shipped = self._collections_of(done)
        cost = self.carriers.cost[option]
        o.put("picked", oids, done)
        o.put("shipped", oids, shipped)
        o.put("shipping_cost", oids, cost, add=True)
        transit = self.carriers.transit_hours(
            option, shipped, self.transit_extra_arr[cell // self.n_arms], lead, incident_u, incident_delay
        )
        arrives = ready + (shipped + transit - ready)  # as :meth:`_picked` times it from the order's placement
        late = is_late(arrives, promised)
        sv = self.scenario.service
        overdue = shipped + transit > promised  # as _maybe_wismo sees it
        wismo = np.where(overdue, wismo_u < sv.wismo_per_late_order, wismo_u < sv.wismo_per_order)
        asked_at = np.where(overdue, np.maximum(promised, done), shipped + wismo_at * transit)
        returns = self._asks_returns(k, cell, late, return_u, request_e)
        kept = ~(wismo | (defect > 0) | returns)
        experience: list[Experience] = [self._final[0]] * len(oids)  # a new one for each order not kept
        # each order's rows together, as one by one: pick started, picked, shipped and, if kept, delivered
        n = len(oids)
        logged = np.column_stack([np.ones((n, 3), dtype=bool), kept]).ravel()
        log.add_many(
            np.stack([started, done, shipped, arrives], axis=1).ravel()[logged],
            np.tile(self._journey_kinds, n)[logged],
            np.repeat(oids, 4)[logged],
            np.repeat(cid, 4)[logged],
            np.repeat(codes, 4)[logged],
            np.stack([started - ready, np.zeros(n), cost, late], axis=1).ravel()[logged],
        )
        if kept.any():
            at, kept_oids = arrives[kept], oids[kept]
            o.put("delivered", kept_oids, at)
            on_time, was_late = self._final
            self._closings.push(
                *zip(
                    at.tolist(),
                    kept_oids.tolist(),
                    cid[kept].tolist(),
                    self._churn_multipliers(kept_oids, cell[kept]).tolist(),
                    fate.Fates.closings(draws[kept]),
                    [was_late if is_late_ else on_time for is_late_ in late[kept].tolist()],
                    strict=True,
                )
            )
        env, desk = self.env, self.desk
        going_on = np.flatnonzero(~kept)  # the orders not kept go on one by one, with their fates
        fates = dict(zip(going_on.tolist(), fate.Fates.make(draws[going_on]), strict=True))
        # each order's numbers as plain Python ones (the same values; numpy's scalars cost more)
        oid_of: list[int] = oids.tolist()
        cid_of: list[int] = cid.tolist()
        for i in going_on.tolist():
            experience[i] = Experience()
        asking = going_on[wismo[going_on]]
        for i, delay in zip(asking.tolist(), (asked_at[asking] - now).tolist(), strict=True):
            watch = self._service_watch(oid_of[i], fates[i], experience[i])
            desk.open_later(delay, "wismo", oid_of[i], cid_of[i], watch)
        after = ~kept & ((defect > 0) | self.selection)  # a defect goes back at once; a kill review counts returns
        at_door = np.flatnonzero(after)
        for i, delay in zip(at_door.tolist(), (arrives[at_door] - now).tolist(), strict=True):
            call_later(env, delay, self._delivered, oid_of[i], fates[i], experience[i])
        rest = np.flatnonzero(~kept & ~after)
        if len(rest):
            delivered = ready[rest] + (arrives[rest] - ready[rest])  # when the delivery event would fire
            self._deliver(
                oids[rest],
                cid[rest],
                k[rest],
                codes[rest],
                promised[rest],
                delivered,
                draws[rest],
                [fates[i] for i in rest.tolist()],
                [experience[i] for i in rest.tolist()],
            )

    def _deliver(
        self,
        oids: np.ndarray,
        cid: np.ndarray,
        k: np.ndarray,
        codes: np.ndarray,
        promised: np.ndarray,
        delivered: np.ndarray,
        rows: np.ndarray,
        fates: list[Fate],
        experience: list[Experience],
    ) -> None:
        """Deliveries of sound, right items (:meth:`_ship`) whose buyers ask where they are or return them:
        :meth:`_delivered` and the return's steps for many orders at once (``rows``: their fates' rows, the
        same fates as ``fates``).

        A return's dates follow from its draws (request, transit back, refund), so
        only what touches shared things is an event: the ticket it may open and
        the units going back on the shelf.  Each order then settles, through the
        closings, when it is refunded or, if kept, delivered.
        """
        o, log, r, now, env = self.orders, self.log, self.scenario.returns, self.env.now, self.env
        late = is_late(delivered, promised)
        o.put("delivered", oids, delivered)
        log.add_many(delivered, "delivered", oids, cid, codes, late)
        return_u, request_e, transit_e, refund_e, ticket_u = fate.columns(
            rows, "return_u", "request_e", "transit_e", "refund_e", "return_ticket_u"
        )
        cell = o.take("cell", oids)
        returns = self._asks_returns(k, cell, late, return_u, request_e)
        requested = delivered + r.request_days_mean * 24.0 * request_e
        received = requested + r.transit_days_mean * 24.0 * transit_e
        refunded = received + r.refund_days_mean * 24.0 * refund_e
        ticket = ticket_u < self.scenario.service.return_ticket_probability
        settles = np.where(returns, refunded, delivered)
        units = o.take("units", oids)
        closings, slow_refund_h = self._closings, r.refund_promise_days * 24.0
        # each order's numbers as plain Python ones, a row at a time (the same values; numpy's scalars cost more)
        ids = zip(oids.tolist(), cid.tolist(), k.tolist(), units.tolist(), strict=True)
        flags = zip(late.tolist(), returns.tolist(), ticket.tolist(), strict=True)
        times = zip(requested.tolist(), received.tolist(), refunded.tolist(), settles.tolist(), strict=True)
        churns = self._churn_multipliers(oids, cell).tolist()
        f: Fate  # (typed: their fields are then read in C)
        e: Experience
        for (oid, c, sku, n), (is_late_, sent_back, asks), (t_ask, t_back, t_refund, t_end), f, e, churn in zip(
            ids, flags, times, fates, experience, churns, strict=True
        ):
            e.late = is_late_
            if sent_back:
                if asks:
                    self.desk.open_later(t_ask - now, "return_request", oid, c, self._service_watch(oid, f, e))
                call_later(env, t_back - now, self.inventory.put_back, sku, n)
                e.slow_refund = t_refund - t_back > slow_refund_h
            closings.push((t_end, oid, c, churn, f.closing, e))
        if returns.any():
            back = oids[returns]
            refund = o.take("revenue", back) - o.take("fee", back)
            o.put("returned", back, 1)
            o.put("returned_at", back, received[returns])
            o.put("refunded_at", back, refunded[returns])
            o.put("refund", back, refund)
            if r.free_returns:
                o.put("shipping_cost", back, r.label_cost, add=True)
            c, sku = cid[returns], codes[returns]
            log.add_many(requested[returns], "return_requested", back, c, sku, 0.0)
            log.add_many(received[returns], "return_received", back, c, sku, units[returns])
            log.add_many(refunded[returns], "refunded", back, c, sku, refund)

    def _collections_of(self, t: np.ndarray) -> np.ndarray:
        """:meth:`_collection` of many times."""
        if self.calendar.pauses:
            return self.calendar.collections_after_pauses(t, self.picking.next_collections)
        return self.picking.next_collections(t)

    def _maybe_wismo(
        self, oid: int, cid: int, picked: float, shipped: float, transit: float, fate: Fate, e: Experience
    ) -> bool:
        """A where-is-my-order ticket: likely once the promise passes, rare otherwise (fewer with a FAQ).

        A late parcel's ticket opens at the promised time, or when the order is
        picked if the promise has passed by then.  Returns whether the buyer asks.
        """
        cfg, promised, env = self.scenario.service, self.orders.promised[oid], self.env
        if shipped + transit > promised:
            if fate.wismo_u < cfg.wismo_per_late_order:
                watch = self._service_watch(oid, fate, e)
                self.desk.open_later(max(promised, picked) - env.now, "wismo", oid, cid, watch)
                return True
        elif fate.wismo_u < cfg.wismo_per_order:
            delay = shipped - env.now + fate.wismo_at * transit
            self.desk.open_later(delay, "wismo", oid, cid, self._service_watch(oid, fate, e))
            return True
        return False

    def _service_watch(self, oid: int, fate: Fate, e: Experience) -> OnAnswer | None:
        """What the first answer to a ticket about order ``oid`` does: a late one spoils its experience.

        The ticket counts as open from now (it is opened now or scheduled to
        open before the order settles) until its answer, and the order's
        review and churn decision wait for it (:meth:`_settle`).  The answer
        is applied by :meth:`_close_due`, in time order with the closings: if
        the order has settled by then, it closes at the answer's time.
        """
        if not self.scenario.service.enabled:
            return None
        sla = self.scenario.service.sla_hours
        e.open_tickets += 1

        def on_answer(at: float, waited: float) -> None:
            e.open_tickets -= 1
            if waited > sla:
                e.slow_service = True
            if e.closed:
                self._close_at(at, oid, fate, e)

        return on_answer

    def _delivered(self, oid: int, fate: Fate, e: Experience) -> None:
        """At the door: late against the promise?  Then the customer keeps the order or asks to return it."""
        now, o, r = self.env.now, self.orders, self.scenario.returns
        o.delivered[oid] = now
        e.late = bool(is_late(now, o.promised[oid]))
        k = o.sku[oid]
        self.log.add(now, "delivered", oid, o.customer[oid], self.demand.skus[k], float(e.late))
        e.defect = fate.defect
        if e.store_fault:  # the customer sends it back at once
            self._return_requested(oid, fate, e)
            return
        if self._asks_return(oid, k, e.late, fate):
            call_later(self.env, r.request_days_mean * 24.0 * fate.request_e, self._return_requested, oid, fate, e)
        else:
            self._settle(oid, fate, e)

    def _asks_return(self, oid: int, k: int, late: bool, fate: Fate) -> bool:
        """Does the buyer of a sound, right item (SKU ``k``) ask to return it, within the return window?"""
        r = self.scenario.returns
        p = min(
            1.0,
            self.return_p_k[k]
            * (r.late_multiplier if late else 1.0)
            * self.return_mult[self.orders.cell[oid] % self.n_arms],
        )
        return fate.return_u < p and r.request_days_mean * 24.0 * fate.request_e <= r.window_days * 24.0

    def _asks_returns(
        self, k: np.ndarray, cell: np.ndarray, late: np.ndarray, return_u: np.ndarray, request_e: np.ndarray
    ) -> np.ndarray:
        """:meth:`_asks_return` of many orders (SKUs ``k`` in cells ``cell``) from their draws."""
        r = self.scenario.returns
        p = np.minimum(
            1.0, self.return_p[k] * np.where(late, r.late_multiplier, 1.0) * self.return_mult_arr[cell % self.n_arms]
        )
        return (return_u < p) & (r.request_days_mean * 24.0 * request_e <= r.window_days * 24.0)

    def _kept(self, oid: int, at: float, fate: Fate) -> None:
        """An order known at its pick to end well at ``at``: delivered, kept, no ticket, no fault - late or not.

        Nothing that happens meanwhile can change that, so no event waits for
        it: the delivery is written now and the review and churn decision
        join the queue of closings (:meth:`_close_due`), applied in time order
        before anything next reads the customers or the rating.
        """
        o = self.orders
        o.delivered[oid] = at
        late = bool(is_late(at, o.promised[oid]))
        self.log.add(at, "delivered", oid, o.customer[oid], self.demand.skus[o.sku[oid]], float(late))
        self._close_at(at, oid, fate, self._final[1] if late else self._final[0])

    def _close_due(self, now: float) -> None:
        """Settle the orders in the closings whose time has come by ``now``, earliest first, and close those
        with no ticket waiting (kept orders from :meth:`_kept` and :meth:`_ship`, returns from :meth:`_deliver`,
        the rest from :meth:`_close_now`): the final experience becomes a review and the customer's decision
        to stay or churn.  The first answers to tickets due by then (``ServiceDesk.answers``) are applied in
        the same time order, after the closings due at the same moment, as their events would have been."""
        closings, desk = self._closings, self.desk
        if desk.openings.first <= now:
            desk.open_due(now)  # the tickets opened by now join the agents' queue: their answers are known
        answers = desk.answers
        if closings.first > now and answers.first > now:
            return
        reviews, customers = self.reviews, self.customers  # (their methods called on them: in C when compiled)
        # the closings' entries as their types (an Agenda holds plain tuples): their fields are then read in C
        draws: ReviewDraws
        e: Experience
        while True:
            if closings.first <= now and closings.first <= answers.first:  # at equal times, the closings first
                for at, oid, cid, churn, draws, e in closings.take_due(min(now, answers.first)):
                    e.settled = True  # a kept order's final experience says so already
                    if not e.open_tickets:  # settled with no ticket waiting: closed
                        bad = e.bad
                        reviews.maybe_review(at, oid, cid, e, draws, bad)
                        customers.settle(at, cid, bad, draws.churn_u, churn)
            elif answers.first <= now:  # the answers of one moment; one may close its order then
                for at, on_answer, waited in answers.take_due(answers.first):
                    on_answer(at, waited)
            else:
                return

    def _return_requested(self, oid: int, fate: Fate, e: Experience) -> None:
        now, o, r = self.env.now, self.orders, self.scenario.returns
        cid, sku = o.customer[oid], self.demand.skus[o.sku[oid]]
        store_fault = e.store_fault
        o.returned[oid] = True
        self.log.add(now, "return_requested", oid, cid, sku, 0.0)
        reason = "wrong_item" if e.wrong_item else "defect" if e.defect else "return_request"
        if store_fault or fate.return_ticket_u < self.scenario.service.return_ticket_probability:
            self.desk.open(reason, oid, cid, self._service_watch(oid, fate, e))
        if store_fault or r.free_returns:
            o.shipping_cost[oid] += r.label_cost
        if store_fault and self.replacements.replace(o.sku[oid], o.units[oid]):
            e.replaced = True  # the right or a sound item goes out at once: a second pick and parcel
            self.picking.pick(fate.pick_hours, lambda _started, done: self._reshipped(oid, fate, e, done))
        call_later(self.env, r.transit_days_mean * 24.0 * fate.transit_e, self._return_received, oid, fate, e)

    def _return_received(self, oid: int, fate: Fate, e: Experience) -> None:
        now, o = self.env.now, self.orders
        k = o.sku[oid]
        o.returned_at[oid] = now
        packed, restocked, o.written_off[oid] = self.replacements.received(oid, k, o.units[oid], e.defect)
        self.log.add(now, "return_received", oid, o.customer[oid], self.demand.skus[packed], restocked)
        if e.replaced:  # nothing to refund: the replacement settles the order
            return
        call_later(
            self.env,
            self.scenario.returns.refund_days_mean * 24.0 * fate.refund_e,
            self._refunded,
            oid,
            fate,
            e,
            restocked,
        )

    def _reshipped(self, oid: int, fate: Fate, e: Experience, picked: float) -> None:
        """A replacement is picked at ``picked`` (right this time) and travels like the order did; delivered,
        the order settles.  Called as soon as the pick's times are known, like :meth:`_picked`."""
        now, o = self.env.now, self.orders
        cid, option, sku = o.customer[oid], o.option[oid], self.demand.skus[o.sku[oid]]
        self.log.add(picked, "picked", oid, cid, sku, 0.0)
        shipped = self._collection(picked)
        cost = self.shipping_cost[option]
        o.shipping_cost[oid] += cost
        self.log.add(shipped, "shipped", oid, cid, sku, cost)
        extra_h = self.transit_extra_h[o.cell[oid] // self.n_arms]
        arrives = shipped + self._transit(option, shipped, extra_h, fate, 1.0)
        self.log.add(arrives, "delivered", oid, cid, sku, 0.0)
        call_later(self.env, arrives - now, self._settle, oid, fate, e)

    def _refunded(self, oid: int, fate: Fate, e: Experience, restocked: int) -> None:
        now, o, r = self.env.now, self.orders, self.scenario.returns
        k = o.sku[oid]
        o.refunded_at[oid] = now
        o.refund[oid] = float(o.revenue[oid] - (0.0 if e.store_fault else o.fee[oid]))
        e.slow_refund = now - o.returned_at[oid] > r.refund_promise_days * 24.0
        self.log.add(now, "refunded", oid, o.customer[oid], self.demand.skus[k], o.refund[oid])
        if self.selection:
            self.assortment.returned(k, o.goods[oid], restocked * self.unit_cost_k[k])
        self._settle(oid, fate, e)

    def _settle(self, oid: int, fate: Fate, e: Experience) -> None:
        """The order is over (kept or refunded); its experience is final once no ticket about it waits."""
        self._close_due(self.env.now)  # the answers due by now first: one before this moment does not close it
        e.settled = True
        if e.closed:
            self._close_now(oid, fate, e)

    def _close_now(self, oid: int, fate: Fate, e: Experience) -> None:
        """Close an order whose end was not known in advance, after the closings due by now (it joins them
        last, behind those due at this very time)."""
        now = self.env.now
        self._close_at(now, oid, fate, e)
        self._close_due(now)

    def _close_at(self, at: float, oid: int, fate: Fate, e: Experience) -> None:
        """Queue order ``oid`` to close at ``at`` with experience ``e``, behind the closings due then (one order;
        :meth:`_ship` and :meth:`_deliver` queue many at once)."""
        self._closings.push((at, oid, self.orders.customer[oid], self._churn_multiplier(oid), fate.closing, e))

    def _churn_multipliers(self, oids: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Churn multiplier of the customers of orders ``oids`` (in cells ``cells``): their arm's warranty
        multiplier if they bought the warranty, else 1."""
        warranty = self.orders.take("warranty", oids).astype(bool)
        return np.where(warranty, self.warranty_churn[cells % self.n_arms], 1.0)

    def _churn_multiplier(self, oid: int) -> float:
        """:meth:`_churn_multipliers` of one order (plain floats: numpy's calls cost more than the choice)."""
        o = self.orders
        return self.warranty_churn_k[o.cell[oid] % self.n_arms] if o.warranty[oid] else 1.0

    # --- after the run ----------------------------------------------------------------------------
    def cancel_unfinished(self) -> None:
        """Back-orders never filled by the end of the drain are cancelled and refunded."""
        end = self.env.now
        for unpicked in np.nonzero(np.isnan(np.asarray(self.orders.picked, dtype=float)))[0]:
            oid = int(unpicked)
            self.orders.cancelled_at[oid] = end
            self.orders.refund[oid] = self.orders.revenue[oid]
            self.log.add(
                end,
                "cancelled",
                oid,
                self.orders.customer[oid],
                self.demand.skus[self.orders.sku[oid]],
                self.orders.revenue[oid],
            )
