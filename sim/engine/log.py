"""The event recorder: rows appended as tuples, packed into a numpy array once a day.

Every state change of an order, ticket, review, customer or purchase order is
one row: ``time`` (model hours), ``kind``, the ids it concerns and one numeric
``value`` (units, money or hours, as the kind says).  The log is the audit
trail the guide asks for (stage 8: every order traceable end to end); the
other tables are derived views of the same run.
"""

from __future__ import annotations

import datetime as dt

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


#: One event row as stored: (time, kind, order_id, customer_id, sku, value), 48 bytes (the strings are shared).
ROW = np.dtype(
    [("time", "f8"), ("kind", "O"), ("order_id", "i8"), ("customer_id", "i8"), ("sku", "O"), ("value", "f8")]
)
#: each kind's index in KINDS: its code in the table's categorical column
_KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}


class EventLog:
    """Append-only event rows; :meth:`frame` turns them into a DataFrame.

    A row is one tuple (time, kind, order_id, customer_id, sku, value): one
    list append per event is the cheapest record Python offers.  A tuple and
    its numbers take about 180 bytes, so :meth:`compact` (called by the
    model once a day) moves the rows into a packed numpy array of 48 bytes
    a row: a growth year's 600,000 events take 30 MiB instead of 100.
    """

    __slots__ = ("rows", "_packed", "_count")

    def __init__(self) -> None:
        self.rows: list[tuple[float, str, int, int, str, float]] = []
        self._packed: list[np.ndarray] = []
        self._count = 0

    def add(
        self, time: float, kind: str, order_id: int = -1, customer_id: int = -1, sku: str = "", value: float = 0.0
    ) -> None:
        self.rows.append((time, kind, order_id, customer_id, sku, value))

    def __len__(self) -> int:
        return self._count + len(self.rows)

    def compact(self) -> None:
        """Pack the rows added since the last call into a numpy array (one C loop over the tuples)."""
        if self.rows:
            self._packed.append(np.array(self.rows, dtype=ROW))
            self._count += len(self.rows)
            self.rows = []

    def frame(self, start: dt.date, channels_by_order: np.ndarray) -> pd.DataFrame:
        """The log as a table sorted by time (stable, so same-time events keep their order)."""
        self.compact()
        rows = np.concatenate(self._packed) if self._packed else np.zeros(0, dtype=ROW)
        self._packed = [rows] if len(rows) else []
        order = np.argsort(rows["time"], kind="stable")
        rows = rows[order]
        # an unknown kind raises KeyError naming it
        codes = np.fromiter(map(_KIND_CODES.__getitem__, rows["kind"]), dtype=np.int8, count=len(rows))
        oid = rows["order_id"]
        chan = (
            np.where(oid >= 0, channels_by_order[np.clip(oid, 0, None)], "")
            if len(channels_by_order)
            else np.full(len(oid), "", dtype=object)
        )
        return pd.DataFrame(
            {
                "time_h": rows["time"],
                "timestamp": timestamps(start, rows["time"]),
                "kind": pd.Categorical.from_codes(codes, categories=list(KINDS)),
                "order_id": oid,
                "customer_id": rows["customer_id"],
                "sku": pd.array(rows["sku"], dtype="string"),
                "channel": pd.array(chan.astype(object), dtype="string"),
                "value": rows["value"],
            }
        )
