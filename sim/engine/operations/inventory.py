"""Stock on hand, purchase orders and back-orders, per SKU.

Stock is reserved when an order is placed.  When the position (on hand plus
on order) falls to the reorder point, a purchase order of the reorder
quantity goes to the supplier and arrives after the supplier lead time.  With
``stockout_policy: backorder`` stock may go negative: the short orders wait
in a first-come queue and are released as purchase orders arrive.

A supplier delay (``sim.engine.shocks``) adds days to purchase orders placed while
it lasts.  SKUs under a test-and-kill launch (``sim.engine.sales.assortment``) are not
reordered until they pass their review, and never once killed
(``reorder_allowed``).  The stock on hand at every midnight is what the
holding cost is charged on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator

import numpy as np
import simpy

from sim.engine.log import EventLog
from sim.engine.shocks import Shocks
from sim.scenario.definition import Catalogue


class Inventory:
    def __init__(
        self, env: simpy.Environment, catalogue: Catalogue, log: EventLog, initial_stock: np.ndarray, shocks: Shocks
    ) -> None:
        self.env = env
        self.log = log
        self.shocks = shocks if shocks.supplier else None
        skus = list(catalogue.skus.values())
        self.names = list(catalogue.skus)
        #: units on hand and on order per SKU, read and written an order at a time: lists of plain ints (numpy's
        #: scalars cost more than the arithmetic, and the compiled engine indexes a list in C)
        self.on_hand: list[int] = np.asarray(initial_stock, dtype=np.int64).tolist()
        self.reorder_allowed = np.ones(len(skus), dtype=bool)
        self.on_order: list[int] = [0] * len(skus)
        self.reorder_point = np.array([k.reorder_point for k in skus], dtype=np.int64)
        self.reorder_quantity = np.array([k.reorder_quantity for k in skus], dtype=np.int64)
        #: plain floats: a delay of numpy's type would make the clock a numpy float from then on
        self.lead_time_h = [k.supplier_lead_time_days * 24.0 for k in skus]
        # plain ints, read at every sale (a numpy scalar costs more than the comparison)
        self._point: list[int] = self.reorder_point.tolist()
        self._quantity: list[int] = self.reorder_quantity.tolist()
        #: [day, sku] demand expected over the next lead time relative to an average day (a calendar), or None
        self.ahead = shocks.calendar.ahead
        #: per SKU, the highest reorder point :meth:`_policy` can give on any day (a rounded product rises with
        #: its factor): a position above it needs no policy worked out, the case of nearly every sale
        self._top_point = (
            self._point
            if self.ahead is None
            else [int(round(p * float(f))) for p, f in zip(self._point, self.ahead.max(axis=0), strict=True)]
        )
        self._waiting: list[deque[list]] = [deque() for _ in skus]

    def in_stock(self) -> np.ndarray:
        return np.array(self.on_hand, dtype=np.int64) > 0

    def reserve(self, k: int, units: int) -> simpy.Event | None:
        """Take ``units`` of SKU ``k``; return an event that fires when a back-order is filled, else None."""
        before = self.on_hand[k]
        self.on_hand[k] = before - units
        self._maybe_reorder(k)
        short = units - max(before, 0)
        if short <= 0:
            return None
        filled = self.env.event()
        self._waiting[k].append([filled, short])
        return filled

    def put_back(self, k: int, units: int) -> None:
        """Returned, sellable units go back on the shelf."""
        self._receive(k, units)

    def _policy(self, k: int) -> tuple[int, int]:
        """(reorder point, quantity) of SKU ``k`` now: scaled by the demand the calendar expects ahead, if any."""
        point, qty = self._point[k], self._quantity[k]
        if self.ahead is None or qty == 0:
            return point, qty
        f = self.ahead[min(int(self.env.now // 24), len(self.ahead) - 1), k]
        return int(round(point * f)), max(1, int(round(qty * max(f, 1.0))))

    def _maybe_reorder(self, k: int) -> None:
        if self.on_hand[k] + self.on_order[k] > self._top_point[k]:
            return
        point, step = self._policy(k)
        if step > 0 and self.on_hand[k] + self.on_order[k] <= point and self.reorder_allowed[k]:
            qty = step
            # Order enough to lift the position above the reorder point even after a deep back-order.
            while self.on_hand[k] + self.on_order[k] + qty <= point:
                qty += step
            self.on_order[k] += qty
            self.log.add(self.env.now, "restock_ordered", sku=self.names[k], value=qty)
            self.env.process(self._deliver_po(k, qty))

    def reorder_if_low(self, k: int) -> None:
        """Check SKU ``k`` against its reorder point now (e.g. once a candidate passes its review)."""
        self._maybe_reorder(k)

    def _deliver_po(self, k: int, qty: int) -> Generator[simpy.Event, None, None]:
        delay = self.lead_time_h[k]
        if self.shocks is not None:
            delay += self.shocks.supplier_extra_hours(k, self.env.now)
        yield self.env.timeout(delay)
        self.on_order[k] -= qty
        self.log.add(self.env.now, "restock_received", sku=self.names[k], value=qty)
        self._receive(k, qty)

    def _receive(self, k: int, units: int) -> None:
        self.on_hand[k] += units
        queue = self._waiting[k]
        while queue and units > 0:
            entry = queue[0]
            take = min(units, entry[1])
            entry[1] -= take
            units -= take
            if entry[1] == 0:
                queue.popleft()
                entry[0].succeed()
        self._maybe_reorder(k)
