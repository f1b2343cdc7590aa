"""The order book: one typed column per order attribute, indexed by order id.

Each order's steps on the SimPy clock (``sim.engine.model``: placed, picked,
shipped, delivered, returned, refunded) write its timestamps here as its
life goes on.  Times are model hours
(``nan`` until the step happens); :meth:`OrderBook.frame` turns them into the
``sim.results.tables.ORDER_COLUMNS`` schema with calendar timestamps, plus the
lever columns ``unit_price`` (goods value per unit after promotion, bundle
and member price), ``delivery_fee``, ``market``, ``member`` and ``warranty``.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.clock import timestamps


def is_late(delivered: Any, promised: Any) -> Any:
    """Late = delivered after the promised time; on time = at or before it.  The one definition.

    Works on model hours (floats, arrays; ``nan`` = not delivered yet, never
    late) and on timestamps (``NaT`` likewise): the model's experience of a
    parcel, the orders table's ``late`` column and the on-time KPI all ask here.
    """
    return delivered > promised


NAN = math.nan
#: numpy type of each ``array.array`` type code used by the book
_DTYPES = {"d": np.float64, "q": np.int64, "b": np.int8}


class OrderBook:
    """Columns of typed ``array.array`` (8 bytes a number where a list takes 32), appended to as orders are
    placed and read by numpy without a copy when the run is over."""

    def __init__(self) -> None:
        self.placed = array("d")
        self.channel = array("q")
        self.group = array("q")
        self.sku = array("q")
        self.customer = array("q")
        self.units = array("q")
        self.revenue = array("d")
        self.cogs = array("d")
        self.shipping_cost = array("d")
        self.refund = array("d")
        self.returned = array("b")
        self.is_repeat = array("b")
        self.option = array("q")
        self.picked = array("d")
        self.shipped = array("d")
        self.promised = array("d")
        self.delivered = array("d")
        self.returned_at = array("d")
        self.refunded_at = array("d")
        self.cancelled_at = array("d")
        self.wrong_item = array("b")
        self.fee = array("d")
        self.goods = array("d")
        self.cell = array("q")
        self.member = array("b")
        self.warranty = array("b")
        #: cost of returned goods thrown away (a defective item), 0 otherwise
        self.written_off = array("d")

    def __len__(self) -> int:
        return len(self.placed)

    def new(
        self,
        placed: float,
        channel: int,
        group: int,
        sku: int,
        customer: int,
        units: int,
        revenue: float,
        cogs: float,
        is_repeat: bool,
        option: int,
        promised: float,
        fee: float,
        goods: float,
        cell: int,
        member: bool,
        warranty: bool,
    ) -> int:
        oid = len(self.placed)
        self.placed.append(placed)
        self.channel.append(channel)
        self.group.append(group)
        self.sku.append(sku)
        self.customer.append(customer)
        self.units.append(units)
        self.revenue.append(revenue)
        self.cogs.append(cogs)
        self.shipping_cost.append(0.0)
        self.refund.append(0.0)
        self.returned.append(False)
        self.is_repeat.append(is_repeat)
        self.option.append(option)
        for col in (self.picked, self.shipped, self.delivered, self.returned_at, self.refunded_at, self.cancelled_at):
            col.append(NAN)
        self.promised.append(promised)
        self.wrong_item.append(False)
        self.fee.append(fee)
        self.goods.append(goods)
        self.cell.append(cell)
        self.member.append(member)
        self.warranty.append(warranty)
        self.written_off.append(0.0)
        return oid

    def take(self, column: str, oids: np.ndarray) -> np.ndarray:
        """The values of ``column`` for orders ``oids`` (a copy)."""
        col = getattr(self, column)
        return np.frombuffer(col, dtype=_DTYPES[col.typecode])[oids]

    def put(self, column: str, oids: np.ndarray, values: np.ndarray, add: bool = False) -> None:
        """Write (or with ``add``, add) ``values`` into ``column`` for orders ``oids``, many orders at once.

        Writes through a numpy view of the column, dropped before returning: an
        ``array.array`` with a view on it cannot grow, and the next order appends.
        """
        col = getattr(self, column)
        view = np.frombuffer(col, dtype=_DTYPES[col.typecode])
        if add:
            view[oids] += values
        else:
            view[oids] = values
        del view

    def status(self) -> np.ndarray:
        """Terminal status of every order: refunded, delivered or cancelled (exactly one each)."""
        refunded = ~np.isnan(np.asarray(self.refunded_at, dtype=float))
        delivered = ~np.isnan(np.asarray(self.delivered, dtype=float))
        return np.where(refunded, "refunded", np.where(delivered, "delivered", "cancelled"))

    def frame(
        self,
        start: dt.date,
        channels: list[str],
        skus: list[str],
        options: list[str],
        variant: np.ndarray,
        market: np.ndarray,
    ) -> pd.DataFrame:
        """The orders table; ``variant`` and ``market`` are the labels of each order's cell and day."""

        placed = np.asarray(self.placed, dtype=float)
        delivered = np.asarray(self.delivered, dtype=float)
        promised = np.asarray(self.promised, dtype=float)
        n = len(placed)

        def labels(names: Sequence[str], idx: Sequence[int]) -> pd.arrays.StringArray:
            return pd.array(np.asarray(names, dtype=object)[np.asarray(idx, dtype=int)] if n else [], dtype="string")

        return pd.DataFrame(
            {
                "order_id": np.arange(n, dtype=np.int64),
                "customer_id": np.asarray(self.customer, dtype=np.int64),
                "placed_at": timestamps(start, self.placed),
                "channel": labels(channels, self.channel),
                "sku": labels(skus, self.sku),
                "units": np.asarray(self.units, dtype=np.int64),
                "revenue": np.asarray(self.revenue, dtype=float),
                "cogs": np.asarray(self.cogs, dtype=float),
                "shipping_cost": np.asarray(self.shipping_cost, dtype=float),
                "refund": np.asarray(self.refund, dtype=float),
                "returned": np.asarray(self.returned, dtype=bool),
                "is_repeat": np.asarray(self.is_repeat, dtype=bool),
                "status": pd.array(self.status(), dtype="string"),
                "picked_at": timestamps(start, self.picked),
                "shipped_at": timestamps(start, self.shipped),
                "promised_at": timestamps(start, self.promised),
                "delivered_at": timestamps(start, self.delivered),
                "returned_at": timestamps(start, self.returned_at),
                "refunded_at": timestamps(start, self.refunded_at),
                "late": is_late(delivered, promised),
                "wrong_item": np.asarray(self.wrong_item, dtype=bool),
                "delivery_option": labels(options, self.option),
                "variant": pd.array(np.asarray(variant, dtype=object), dtype="string"),
                "unit_price": np.asarray(self.goods, dtype=float) / np.maximum(np.asarray(self.units, dtype=float), 1),
                "delivery_fee": np.asarray(self.fee, dtype=float),
                "market": pd.array(np.asarray(market, dtype=object), dtype="string"),
                "member": np.asarray(self.member, dtype=bool),
                "warranty": np.asarray(self.warranty, dtype=bool),
                "written_off": np.asarray(self.written_off, dtype=float),
            }
        )
