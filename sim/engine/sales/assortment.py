"""Test-and-kill selection (stage 1): candidate SKUs, their review, and the stock a killed SKU leaves behind.

Candidates (``selection.candidates``) start with small stock - their own
``initial_stock``, or an even share of ``test_budget`` at unit cost - and
are not reordered during the test unless ``restock_during_test``.  At the
start of day ``review_after_days`` each candidate is judged on what the
test showed:

* conversion = orders wanted / product views while it was in stock (demand,
  whether or not stock was left to fill it);
* gross margin = (goods revenue - refunds - cost of the goods kept) /
  (goods revenue - refunds) of its orders so far (-1 with no sales).

Below either threshold it is killed: its product views go to the other SKUs
from then on, it is never reordered, and what is left on the shelf is dead
stock (``dead_stock_value``, at unit cost).  Otherwise it joins the regular
range and its reorder policy starts.

Example: five candidates with a 2,000 test budget at unit cost 10 start with
40 units each; after 28 days those converting under 1% of views are killed.
"""

from __future__ import annotations

import numpy as np

from sim.engine.log import EventLog
from sim.engine.operations.inventory import Inventory
from sim.scenario.definition import Scenario


class Assortment:
    def __init__(self, s: Scenario) -> None:
        sel = s.selection
        self.names = list(s.catalogue.skus)
        skus = list(s.catalogue.skus.values())
        self.unit_cost = np.array([k.unit_cost for k in skus])
        self.candidate = np.array([n in sel.candidates for n in self.names])
        self.active = bool(self.candidate.any())
        self.cfg = sel
        self.initial_stock = np.array([k.initial_stock for k in skus], dtype=np.int64)
        if self.active and sel.test_budget > 0:
            per_sku = sel.test_budget / int(self.candidate.sum())
            for k in np.nonzero(self.candidate)[0]:
                if self.unit_cost[k] > 0:
                    self.initial_stock[k] = int(per_sku // self.unit_cost[k])
        self.live = np.ones(len(skus), dtype=bool)
        self.killed_day = np.full(len(skus), -1, dtype=np.int64)
        # what the test has shown so far, per SKU
        self.views = np.zeros(len(skus))
        self.wanted = np.zeros(len(skus))
        self.goods = np.zeros(len(skus))
        self.refunded = np.zeros(len(skus))
        self.cogs_kept = np.zeros(len(skus))

    @property
    def review_day(self) -> int:
        return self.cfg.review_after_days if self.active else -1

    def start(self, inventory: Inventory) -> None:
        if not self.cfg.restock_during_test:
            inventory.reorder_allowed[self.candidate] = False

    def observe_day(self, views: np.ndarray, wanted: np.ndarray, in_stock: np.ndarray) -> None:
        self.views += np.where(in_stock, views, 0)
        self.wanted += np.where(in_stock, wanted, 0)

    def sold(self, k: int, goods: float, cogs: float) -> None:
        self.goods[k] += goods
        self.cogs_kept[k] += cogs

    def returned(self, k: int, refund_goods: float, cogs_back: float) -> None:
        self.refunded[k] += refund_goods
        self.cogs_kept[k] -= cogs_back

    def conversion(self) -> np.ndarray:
        return np.divide(self.wanted, self.views, out=np.zeros_like(self.views), where=self.views > 0)

    def margin(self) -> np.ndarray:
        net = self.goods - self.refunded
        return np.divide(net - self.cogs_kept, net, out=np.full_like(net, -1.0), where=net > 0)

    def review(self, day: int, inventory: Inventory, log: EventLog) -> bool:
        """Judge every candidate; returns True when the live range changed."""
        conv, margin = self.conversion(), self.margin()
        changed = False
        for k in np.nonzero(self.candidate & self.live)[0]:
            kill = conv[k] < self.cfg.kill_below_conversion or margin[k] < self.cfg.kill_below_margin
            if kill:
                self.live[k] = False
                self.killed_day[k] = day
                inventory.reorder_allowed[k] = False
                changed = True
            else:
                inventory.reorder_allowed[k] = True
                inventory.reorder_if_low(int(k))
            log.add(day * 24.0, "sku_killed" if kill else "sku_kept", sku=self.names[k], value=float(conv[k]))
        return changed

    def dead_stock(self, on_hand: np.ndarray) -> np.ndarray:
        """Money left on the shelf of killed SKUs, per SKU (unit cost x units on hand)."""
        return np.where(self.live, 0.0, np.maximum(on_hand, 0) * self.unit_cost)
