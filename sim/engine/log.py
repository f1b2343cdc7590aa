"""A columnar event recorder: one Python list per column, no per-event dicts.

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


#: One event row: (time, kind, order_id, customer_id, sku, value).
ROW = np.dtype(
    [("time", "f8"), ("kind", "O"), ("order_id", "i8"), ("customer_id", "i8"), ("sku", "O"), ("value", "f8")]
)


class EventLog:
    """Append-only event rows; :meth:`frame` turns them into a DataFrame.

    A row is one tuple (time, kind, order_id, customer_id, sku, value): one
    list append per event is the cheapest record Python offers, and the
    columns are built once, at the end.
    """

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[tuple[float, str, int, int, str, float]] = []

    def add(
        self, time: float, kind: str, order_id: int = -1, customer_id: int = -1, sku: str = "", value: float = 0.0
    ) -> None:
        self.rows.append((time, kind, order_id, customer_id, sku, value))

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self, start: dt.date, channels_by_order: np.ndarray) -> pd.DataFrame:
        """The log as a table sorted by time (stable, so same-time events keep their order)."""
        # One structured array from the tuples (a C loop), about three times faster than zip(*rows).
        rows = np.array(self.rows, dtype=ROW)
        order = np.argsort(rows["time"], kind="stable")
        rows = rows[order]
        oid = rows["order_id"]
        chan = (
            np.where(oid >= 0, channels_by_order[np.clip(oid, 0, None)], "")
            if len(channels_by_order)
            else np.full(len(oid), "", dtype=object)
        )
        kinds = list(KINDS)
        index = {k: i for i, k in enumerate(kinds)}
        codes = np.fromiter((index[k] for k in rows["kind"]), dtype=np.int8, count=len(rows))
        return pd.DataFrame(
            {
                "time_h": rows["time"],
                "timestamp": timestamps(start, rows["time"]),
                "kind": pd.Categorical.from_codes(codes, categories=kinds),
                "order_id": oid,
                "customer_id": rows["customer_id"],
                "sku": pd.array(rows["sku"], dtype="string"),
                "channel": pd.array(chan.astype(object), dtype="string"),
                "value": rows["value"],
            }
        )
