"""Wrong and defective items put right: a replacement or a refund, and where the units go.

Say a buyer orders a mug and the picker packs the poster from the next bin.
The mug never left the shelf - it is back in stock at the pick - and a
poster did (:meth:`Replacements.mispick`).  The buyer sends the poster back
and, with ``returns.replacement_probability``, asks for the mug they ordered
(:meth:`Replacements.replace`): the store picks and ships one at once (a
second pick and a second parcel) and refunds nothing; otherwise, or when the
mug is out of stock, the order is refunded in full.  The returned poster is
sellable again when it arrives; a defective item comes back too but is thrown
away, written off at cost (:meth:`Replacements.received`,
``measures()["write_off_cost"]``).  The buyer's review counts the fault less
after a replacement (``reviews.replacement_recovery``,
``sim.engine.aftersales.customers.ReviewBoard``).
"""

from __future__ import annotations

import numpy as np

from sim.engine.operations.inventory import Inventory
from sim.scenario.definition import Returns


class Replacements:
    """The store's side of wrong and defective items: which SKU was packed, replacement or refund, write-offs."""

    def __init__(self, cfg: Returns, inventory: Inventory, unit_cost: np.ndarray, rng: np.random.Generator) -> None:
        self.p = cfg.replacement_probability
        self.inventory = inventory
        self.unit_cost = unit_cost
        self.rng = rng
        #: defective units returned and thrown away, at cost, per SKU
        self.written_off = np.zeros(len(unit_cost))
        #: order id -> the SKU packed instead of the one ordered (wrong picks not yet back)
        self.packed: dict[int, int] = {}

    def mispick(self, oid: int, k: int, units: int) -> int:
        """The SKU packed instead of ``k``: the next one along the shelves with ``units`` on hand.

        Its units leave the shelf and ``k``'s go back; with no other SKU in
        stock nothing else can be packed, and the pick is right after all (``k``).
        """
        on_hand, n = self.inventory.on_hand, len(self.unit_cost)
        for step in range(1, n):
            j = (k + step) % n
            if on_hand[j] >= units:
                self.inventory.put_back(k, units)
                self.inventory.reserve(j, units)
                self.packed[oid] = j
                return j
        return k

    def replace(self, k: int, units: int) -> bool:
        """The buyer of a wrong or defective item asks for a replacement and SKU ``k`` has the units: take them.

        One uniform of the returns stream per call, in stock or not, so a
        stock-out does not shift later draws.
        """
        wants = self.rng.random() < self.p
        if wants and self.inventory.on_hand[k] >= units:
            self.inventory.reserve(k, units)
            return True
        return False

    def received(self, oid: int, k: int, units: int, defect: bool) -> tuple[int, int, float]:
        """The return parcel of order ``oid`` (SKU ``k``) arrives: (SKU in it, units restocked, cost written off).

        A sellable item goes back on the shelf; a defective one is written off at its unit cost.
        """
        packed = self.packed.pop(oid, k)
        if defect:
            lost = float(units * self.unit_cost[packed])
            self.written_off[packed] += lost
            return packed, 0, lost
        self.inventory.put_back(packed, units)
        return packed, units, 0.0
