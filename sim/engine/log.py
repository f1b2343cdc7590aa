"""The event recorder: rows appended as tuples, packed into a numpy array once a day.

Every state change of an order, ticket, review, customer or purchase order is
one row: ``time`` (model hours), ``kind``, the ids it concerns and one numeric
``value`` (units, money or hours, as the kind says).  The log is the audit
trail the guide asks for (stage 8: every order traceable end to end); the
other tables are derived views of the same run.

Some parts keep the facts of their events in columns of their own anyway:
the review board keeps every review (time, order, customer, stars) for the
reviews table.  Such a part registers itself as a :class:`RowSource`
(:meth:`EventLog.derive`) instead of adding a row per event, and the log asks
it for its rows, one packed block, only when it is counted or framed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.engine.clock import timestamps

#: Event kinds and what ``value`` holds for each.
KINDS = {
    "order_placed": "revenue",
    "backordered": "units short",
    "pick_started": "hours queued for a picker",
    "picked": "1 if the wrong item was packed",
    "shipped": "shipping cost",
    "delivered": "1 if late against the promise",
    "return_requested": "0",
    "return_received": "units restocked",
    "refunded": "refund amount",
    "cancelled": "refund amount",
    "ticket_opened": "ticket id",
    "ticket_answered": "hours to first response",
    "ticket_resolved": "ticket id",
    "review_posted": "stars",
    "customer_churned": "orders placed",
    "restock_ordered": "units",
    "restock_received": "units",
    "sku_killed": "conversion at the review",
    "sku_kept": "conversion at the review",
}


#: One event row as packed: the kind and the SKU as codes (the SKU's index in ``EventLog.sku_names``, -1 for
#: none), 37 bytes a row.
ROW = np.dtype(
    [("time", "f8"), ("kind", "i1"), ("order_id", "i8"), ("customer_id", "i8"), ("sku", "i4"), ("value", "f8")]
)
#: each kind's index in KINDS: its code in the table's categorical column
_KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}


def kind_code(kind: str) -> int:
    """The code of an event kind in the packed log (its index in :data:`KINDS`)."""
    return _KIND_CODES[kind]


def pack(
    times: Iterable[float] | np.ndarray,
    kinds: str | np.ndarray,
    order_ids: Iterable[int] | np.ndarray | int,
    customer_ids: Iterable[int] | np.ndarray | int,
    sku_codes: Iterable[int] | np.ndarray | int,
    values: Iterable[float] | np.ndarray | float,
) -> np.ndarray:
    """Rows as one :data:`ROW` block, column by column: ``kinds`` one kind for all or each row's code
    (:func:`kind_code`), SKUs as codes (:meth:`EventLog.sku_codes`; -1 for none), a scalar for a column
    that is the same in every row."""
    times = np.asarray(times, dtype=np.float64)
    block = np.empty(len(times), dtype=ROW)
    block["time"] = times
    block["kind"] = _KIND_CODES[kinds] if isinstance(kinds, str) else kinds
    block["order_id"] = order_ids
    block["customer_id"] = customer_ids
    block["sku"] = sku_codes
    block["value"] = values
    return block


class RowSource(Protocol):
    """A part of the model whose own columns hold the facts of some events: the log's rows of those kinds
    are made from them, one block, when the log is counted or framed (:meth:`EventLog.derive`).

    The review board is one: it keeps every review for the reviews table, so
    writing a ``review_posted`` row per review as well (tens of thousands a
    growth year, each a call and a tuple) would record the same facts twice.
    """

    def row_count(self) -> int:
        """How many rows the source has now (what :meth:`row_block` would give)."""
        ...

    def row_block(self) -> np.ndarray:
        """Every row so far as one :data:`ROW` block (:func:`pack`), in the order they happened."""
        ...


class EventLog:
    """Append-only event rows; :meth:`frame` turns them into a DataFrame.

    A row is one tuple (time, kind, order_id, customer_id, sku, value): one
    list append per event is the cheapest record Python offers.  A tuple and
    its numbers take about 180 bytes, so :meth:`compact` (called by the
    model once a day) packs the rows added since into a numpy array of 37
    bytes a row, kinds and SKUs as small codes: a growth year's 600,000
    events take 20 MiB instead of 100.

    Rows of the kinds a :class:`RowSource` keeps are not added but derived
    (:meth:`derive`): counted by ``len`` and placed in :meth:`frame` as if
    they had been added.  A kind comes either from one source or from
    :meth:`add`: the table's sort keeps rows with equal keys (time, kind,
    order, customer) in the order written only within one source.
    """

    __slots__ = ("rows", "_packed", "_count", "sku_names", "_sku_codes", "_sources")

    def __init__(self) -> None:
        self.rows: list[tuple[float, str, int, int, str, float]] = []
        self._packed: list[np.ndarray] = []
        self._count = 0
        #: SKU names in the order they were first logged; a row's ``sku`` code indexes this list
        self.sku_names: list[str] = []
        self._sku_codes: dict[str, int] = {"": -1}
        self._sources: list[RowSource] = []

    def add(
        self, time: float, kind: str, order_id: int = -1, customer_id: int = -1, sku: str = "", value: float = 0.0
    ) -> None:
        self.rows.append((time, kind, order_id, customer_id, sku, value))

    def __len__(self) -> int:
        return self._count + len(self.rows) + sum(source.row_count() for source in self._sources)

    def derive(self, source: RowSource) -> None:
        """Take ``source``'s rows from it when the log is counted or framed, instead of one :meth:`add` each."""
        self._sources.append(source)

    def __getstate__(self) -> dict[str, Any]:
        """The log as pickled (a ``Result`` keeps it for its events table): the derived rows packed with the
        rest, without their sources (model parts, tied to SimPy's environment)."""
        blocks = self._blocks()
        return {
            "rows": [],
            "_packed": blocks,
            "_count": sum(len(block) for block in blocks),
            "sku_names": self.sku_names,
            "_sku_codes": self._sku_codes,
            "_sources": [],
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def compact(self) -> None:
        """Pack the rows added since the last call into a numpy array (column by column, in C loops).

        An unknown kind raises ``KeyError`` naming it.
        """
        if not self.rows:
            return
        times, kinds, order_ids, customer_ids, skus, values = zip(*self.rows, strict=True)
        n = len(times)
        self.sku_codes(dict.fromkeys(skus))
        block = np.empty(n, dtype=ROW)
        block["time"] = times
        block["kind"] = np.fromiter(map(_KIND_CODES.__getitem__, kinds), dtype=np.int8, count=n)
        block["order_id"] = order_ids
        block["customer_id"] = customer_ids
        block["sku"] = np.fromiter(map(self._sku_codes.__getitem__, skus), dtype=np.int32, count=n)
        block["value"] = values
        self._packed.append(block)
        self._count += n
        self.rows.clear()  # the same list: a bound ``rows.append`` stays valid

    def sku_codes(self, names: Iterable[str]) -> np.ndarray:
        """The codes of SKU ``names`` (learning new ones), for :meth:`add_many`."""
        codes = self._sku_codes
        for name in names:
            if name not in codes:
                codes[name] = len(self.sku_names)
                self.sku_names.append(name)
        return np.array([codes[name] for name in names], dtype=np.int32)

    def add_many(
        self,
        times: np.ndarray,
        kinds: str | np.ndarray,
        order_ids: np.ndarray,
        customer_ids: np.ndarray,
        sku_codes: np.ndarray,
        values: np.ndarray | float,
    ) -> None:
        """Many rows at once, after the rows added one by one so far; ``kinds``: one kind for all, or each
        row's code (:func:`kind_code`)."""
        self.compact()
        block = pack(times, kinds, order_ids, customer_ids, sku_codes, values)
        self._packed.append(block)
        self._count += len(block)

    def _blocks(self) -> list[np.ndarray]:
        """The packed rows (made one block, kept so) and each source's block after them."""
        self.compact()
        if len(self._packed) > 1:
            self._packed = [np.concatenate(self._packed)]
        return [*self._packed, *(source.row_block() for source in self._sources)]

    def frame(self, start: dt.date, channels_by_order: np.ndarray) -> pd.DataFrame:
        """The log as a table sorted by time; events at the same time in the order of :data:`KINDS` (the
        life of an order: placed before picked before shipped ...), then by order and customer id.

        The order does not depend on when a row was written, so a step worked
        out ahead (``StoreModel._ship``) and the same step logged at its
        moment give the same table.
        """
        blocks = self._blocks()
        rows = np.concatenate(blocks) if blocks else np.zeros(0, dtype=ROW)
        order = np.lexsort((rows["customer_id"], rows["order_id"], rows["kind"], rows["time"]))
        rows = rows[order]
        oid = rows["order_id"]
        chan = (
            np.where(oid >= 0, channels_by_order[np.clip(oid, 0, None)], "")
            if len(channels_by_order)
            else np.full(len(oid), "", dtype=object)
        )
        sku = np.asarray([*self.sku_names, ""], dtype=object)[rows["sku"]]  # code -1: the last entry, ""
        return pd.DataFrame(
            {
                "time_h": rows["time"],
                "timestamp": timestamps(start, rows["time"]),
                "kind": pd.Categorical.from_codes(rows["kind"], categories=list(KINDS)),
                "order_id": oid,
                "customer_id": rows["customer_id"],
                "sku": pd.array(sku, dtype="string"),
                "channel": pd.array(chan.astype(object), dtype="string"),
                "value": rows["value"],
            }
        )
