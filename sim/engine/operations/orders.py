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
from collections.abc import Sequence
from itertools import accumulate
from typing import Any, Final

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


NAN: Final = math.nan
#: the terminal statuses, in the order of :meth:`OrderBook.status_codes`
STATUSES = ("refunded", "delivered", "cancelled")


def labels(names: Sequence[str], codes: Any) -> pd.api.extensions.ExtensionArray:
    """The ``string`` column of ``names[codes]``: each name converted once and then taken, not once per row.

    (pandas converts a column of Python strings one by one: 90,000 orders' channels take 4 ms that way and
    under 1 ms taken from the channels' names.)
    """
    return pd.array(np.asarray(names, dtype=object), dtype="string").take(np.asarray(codes, dtype=np.intp))


#: the attributes of an order (struct codes: 8-byte integers, floats, 1-byte flags), in the order of a row: those
#: known when it is booked, then those of the steps to come with their values until they happen
_BOOKED = (
    ("q", ("channel", "group", "sku", "customer", "units", "option", "cell")),
    ("d", ("placed", "revenue", "cogs", "promised", "fee", "goods")),
    ("b", ("is_repeat", "member", "warranty")),
)
#: (typed ``object``: as a float, mypy's promotion would make the compiled module's ``False`` a ``0.0``)
_LATER: tuple[tuple[str, tuple[str, ...], object], ...] = (
    ("d", ("shipping_cost", "refund", "written_off"), 0.0),
    ("d", ("picked", "shipped", "delivered", "returned_at", "refunded_at", "cancelled_at"), NAN),
    ("b", ("returned", "wrong_item"), False),
)
_LAYOUT = _BOOKED + tuple((code, names) for code, names, _ in _LATER)
#: one order's row of bytes: native types, no padding between fields, padded to whole 8 bytes at the end
_BOOKED_FORMAT = "=" + "".join(code * len(names) for code, names in _BOOKED)
_LATER_FORMAT = "".join(code * len(names) for code, names, _ in _LATER)
_LATER_FORMAT += f"{-struct.calcsize(_BOOKED_FORMAT + _LATER_FORMAT) % 8}x"
_ROW = struct.Struct(_BOOKED_FORMAT + _LATER_FORMAT)
#: the part of a row known when the order is booked
_BOOKED_ROW = struct.Struct(_BOOKED_FORMAT)
#: the steps to come of a new order, as they are until they happen: no cost yet, no times (nan), no flags
_NOT_YET = struct.pack("=" + _LATER_FORMAT, *(value for _, names, value in _LATER for _ in names))
#: each attribute's struct code and byte offset in a row
_CODE = {name: code for code, names in _LAYOUT for name in names}
_OFFSET = dict(zip(_CODE, accumulate((struct.calcsize(code) for code in _CODE.values()), initial=0), strict=False))
#: the same row as numpy reads it
ROW_DTYPE = np.dtype(
    {
        "names": list(_CODE),
        "formats": [{"q": np.int64, "d": np.float64, "b": np.int8}[code] for code in _CODE.values()],
        "offsets": list(_OFFSET.values()),
        "itemsize": _ROW.size,
    }
)


class Column:
    """One attribute of every order: ``book.customer[oid]`` reads it, ``book.picked[oid] = t`` writes it, and
    ``np.asarray(book.revenue)`` gives all of them (a copy)."""

    __slots__ = ("_data", "_name", "_at", "_read", "_write")

    def __init__(self, data: bytearray, name: str) -> None:
        self._data, self._name = data, name
        self._at = _OFFSET[name]
        one = struct.Struct("=" + _CODE[name])
        self._read, self._write = one.unpack_from, one.pack_into

    def __getitem__(self, oid: int) -> Any:
        return self._read(self._data, oid * _ROW.size + self._at)[0]

    def __setitem__(self, oid: int, value: Any) -> None:
        self._write(self._data, oid * _ROW.size + self._at, value)

    def __len__(self) -> int:
        return len(self._data) // _ROW.size

    def view(self) -> np.ndarray:
        """A numpy view of the column; drop it before the next order is added (a buffer with a view cannot
        grow)."""
        return np.frombuffer(self._data, dtype=ROW_DTYPE)[self._name]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(self.view(), dtype=dtype)


class OrderBook:
    """Every order's attributes, one row of bytes per order in one ``bytearray`` (8 bytes a number, 1 a flag,
    where a list takes 32): an order is booked with one append of packed bytes, and numpy reads the columns
    without a copy (a structured view, :data:`ROW_DTYPE`) when the run is over.  Each attribute is a
    :class:`Column`."""

    def __init__(self) -> None:
        self._data = bytearray()
        for name in _CODE:
            setattr(self, name, Column(self._data, name))
        self._append, self._pack = self._data.extend, _BOOKED_ROW.pack
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
        # in _BOOKED's order, then the steps to come (two appends: packing their 11 constants each time costs more)
        # fmt: off
        self._append(self._pack(
            channel, group, sku, customer, units, option, cell, placed, revenue, cogs, promised, fee, goods,
            is_repeat, member, warranty,
        ))
        # fmt: on
        self._append(_NOT_YET)
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
            },
            copy=False,  # every column above is made here: pandas need not copy them again
        )
