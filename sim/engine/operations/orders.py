"""The order book: every attribute of every order, indexed by order id.

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
import struct
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
#: the terminal statuses, in the order of :meth:`OrderBook.status_codes`
STATUSES = ("refunded", "delivered", "cancelled")


def labels(names: Sequence[str], codes: Any) -> pd.api.extensions.ExtensionArray:
    """The ``string`` column of ``names[codes]``: each name converted once and then taken, not once per row.

    (pandas converts a column of Python strings one by one: 90,000 orders' channels take 4 ms that way and
    under 1 ms taken from the channels' names.)
    """
    return pd.array(np.asarray(names, dtype=object), dtype="string").take(np.asarray(codes, dtype=np.intp))


#: numpy type of each ``array.array`` type code used by the book
_DTYPES = {"d": np.float64, "q": np.int64, "b": np.int8}
#: the book's three arrays and the attributes each holds, one row of numbers per order
_LAYOUT = {
    "q": ("channel", "group", "sku", "customer", "units", "option", "cell"),
    "d": (
        "placed",
        "revenue",
        "cogs",
        "promised",
        "fee",
        "goods",
        "shipping_cost",
        "refund",
        "picked",
        "shipped",
        "delivered",
        "returned_at",
        "refunded_at",
        "cancelled_at",
        "written_off",
    ),
    "b": ("returned", "is_repeat", "wrong_item", "member", "warranty"),
}


class Column:
    """One attribute of every order: ``book.customer[oid]`` reads it, ``book.picked[oid] = t`` writes it, and
    ``np.asarray(book.revenue)`` gives all of them (a copy)."""

    __slots__ = ("_data", "_stride", "_at")

    def __init__(self, data: array[Any], stride: int, at: int) -> None:
        self._data, self._stride, self._at = data, stride, at

    def __getitem__(self, oid: int) -> Any:
        return self._data[oid * self._stride + self._at]

    def __setitem__(self, oid: int, value: Any) -> None:
        self._data[oid * self._stride + self._at] = value

    def __len__(self) -> int:
        return len(self._data) // self._stride

    def view(self) -> np.ndarray:
        """A numpy view of the column; drop it before the next order is added (an array with a view cannot
        grow)."""
        return np.frombuffer(self._data, dtype=_DTYPES[self._data.typecode]).reshape(-1, self._stride)[:, self._at]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(self.view(), dtype=dtype)


class OrderBook:
    """Every order's attributes, a row of numbers per order in three typed ``array.array`` (integers, floats,
    flags; 8 bytes a number, where a list takes 32): an order is booked with three appends of packed bytes, and numpy
    reads the columns without a copy when the run is over.  Each attribute is a :class:`Column`."""

    def __init__(self) -> None:
        self._arrays: dict[str, array[Any]] = {code: array(code) for code in _LAYOUT}
        for code, names in _LAYOUT.items():
            for at, name in enumerate(names):
                setattr(self, name, Column(self._arrays[code], len(names), at))
        # an order's row of each type packed to bytes at once (struct), appended in one call
        (self._ints, self._pack_ints), (self._floats, self._pack_floats), (self._flags, self._pack_flags) = (
            (self._arrays[code].frombytes, struct.Struct(f"{len(names)}{code}").pack) for code, names in _LAYOUT.items()
        )
        self._count = 0

    # the columns, for type checkers (set in __init__)
    placed: Column
    channel: Column
    group: Column
    sku: Column
    customer: Column
    units: Column
    revenue: Column
    cogs: Column
    shipping_cost: Column
    refund: Column
    returned: Column
    is_repeat: Column
    option: Column
    picked: Column
    shipped: Column
    promised: Column
    delivered: Column
    returned_at: Column
    refunded_at: Column
    cancelled_at: Column
    wrong_item: Column
    fee: Column
    goods: Column
    cell: Column
    member: Column
    warranty: Column
    #: cost of returned goods thrown away (a defective item), 0 otherwise
    written_off: Column

    def __len__(self) -> int:
        return self._count

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
        oid = self._count
        self._ints(self._pack_ints(channel, group, sku, customer, units, option, cell))
        self._floats(
            self._pack_floats(placed, revenue, cogs, promised, fee, goods, 0.0, 0.0, NAN, NAN, NAN, NAN, NAN, NAN, 0.0)
        )
        self._flags(self._pack_flags(False, is_repeat, False, member, warranty))
        self._count = oid + 1
        return oid

    def take(self, column: str, oids: np.ndarray) -> np.ndarray:
        """The values of ``column`` for orders ``oids`` (a copy)."""
        col: Column = getattr(self, column)
        return col.view()[oids]

    def put(self, column: str, oids: np.ndarray, values: np.ndarray | float, add: bool = False) -> None:
        """Write (or with ``add``, add) ``values`` into ``column`` for orders ``oids``, many orders at once."""
        col: Column = getattr(self, column)
        view = col.view()
        if add:
            view[oids] += values
        else:
            view[oids] = values
        del view  # before the next order grows the array

    def status_codes(self) -> np.ndarray:
        """Terminal status of every order as an index of :data:`STATUSES` (exactly one each)."""
        refunded = ~np.isnan(np.asarray(self.refunded_at, dtype=float))
        delivered = ~np.isnan(np.asarray(self.delivered, dtype=float))
        return np.where(refunded, 0, np.where(delivered, 1, 2))

    def status(self) -> np.ndarray:
        """Terminal status of every order: refunded, delivered or cancelled (exactly one each)."""
        return np.asarray(STATUSES)[self.status_codes()]

    def frame(
        self,
        start: dt.date,
        channels: list[str],
        skus: list[str],
        options: list[str],
        variant: Any,
        market: Any,
    ) -> pd.DataFrame:
        """The orders table; ``variant`` and ``market`` are the labels of each order's cell and day (arrays of
        strings, or ``string`` columns such as :func:`labels` makes)."""

        placed = np.asarray(self.placed, dtype=float)
        delivered = np.asarray(self.delivered, dtype=float)
        promised = np.asarray(self.promised, dtype=float)
        n = len(placed)
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
                "status": labels(STATUSES, self.status_codes()),
                "picked_at": timestamps(start, self.picked),
                "shipped_at": timestamps(start, self.shipped),
                "promised_at": timestamps(start, self.promised),
                "delivered_at": timestamps(start, self.delivered),
                "returned_at": timestamps(start, self.returned_at),
                "refunded_at": timestamps(start, self.refunded_at),
                "late": is_late(delivered, promised),
                "wrong_item": np.asarray(self.wrong_item, dtype=bool),
                "delivery_option": labels(options, self.option),
                "variant": pd.array(variant, dtype="string"),
                "unit_price": np.asarray(self.goods, dtype=float) / np.maximum(np.asarray(self.units, dtype=float), 1),
                "delivery_fee": np.asarray(self.fee, dtype=float),
                "market": pd.array(market, dtype="string"),
                "member": np.asarray(self.member, dtype=bool),
                "warranty": np.asarray(self.warranty, dtype=bool),
                "written_off": np.asarray(self.written_off, dtype=float),
            }
        )
