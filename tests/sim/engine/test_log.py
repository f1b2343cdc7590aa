"""The event log: rows in, a time-sorted table out, with every kind known and channels joined by order."""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pandas as pd
import pytest

from sim.engine.log import KINDS, EventLog, pack


def test_frame_sorts_by_time_then_life_cycle_and_joins_channels():
    log = EventLog()
    log.add(5.0, "shipped", order_id=1, customer_id=7, sku="tee", value=4.5)
    log.add(1.0, "order_placed", order_id=1, customer_id=7, sku="tee", value=25.0)
    log.add(
        5.0, "delivered", order_id=0, customer_id=3, sku="mug", value=1.0
    )  # same time: after "shipped" (life cycle order)
    log.add(2.0, "ticket_opened", value=12.0)  # no order: no channel
    assert len(log) == 4
    frame = log.frame(dt.date(2026, 1, 5), np.array(["email", "organic_search"], dtype=object))
    assert frame["time_h"].tolist() == [1.0, 2.0, 5.0, 5.0]
    assert frame["kind"].astype(str).tolist() == ["order_placed", "ticket_opened", "shipped", "delivered"]
    assert frame["channel"].tolist() == ["organic_search", "", "organic_search", "email"]
    assert frame["order_id"].tolist() == [1, -1, 1, 0] and frame["value"].tolist() == [25.0, 12.0, 4.5, 1.0]
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-01-05 01:00")
    assert list(frame["kind"].cat.categories) == list(KINDS)  # every kind, in the documented order


def test_an_empty_log_and_a_log_without_orders():
    log = EventLog()
    assert len(log.frame(dt.date(2026, 1, 5), np.array([], dtype=object))) == 0
    log.add(3.0, "restock_ordered", sku="tee", value=100.0)
    frame = log.frame(dt.date(2026, 1, 5), np.array([], dtype=object))
    assert frame["channel"].tolist() == [""] and frame["sku"].tolist() == ["tee"]


def test_an_unknown_kind_is_refused():
    log = EventLog()
    log.add(1.0, "teleported")
    with pytest.raises(KeyError, match="teleported"):
        log.frame(dt.date(2026, 1, 5), np.array([], dtype=object))


def test_the_baseline_run_logs_only_known_kinds(baseline_run):
    kinds = set(baseline_run.events["kind"].astype(str))
    assert kinds <= set(KINDS) and {"order_placed", "shipped", "delivered"} <= kinds


def test_rows_added_many_at_once_sort_with_the_rest_by_time_then_life_cycle():
    log = EventLog()
    log.add(5.0, "shipped", order_id=2, customer_id=7, sku="mug", value=4.5)
    codes = log.sku_codes(["tee", "mug"])
    log.add_many(np.array([5.0, 5.0, 1.0]), "picked", np.array([3, 1, 1]), np.array([8, 9, 9]), codes[[0, 0, 1]], 0.0)
    frame = log.frame(dt.date(2026, 1, 5), np.array(["email"] * 4, dtype=object))
    # at 5.0: picked before shipped (the life of an order), then by order id, whatever the writing order
    assert list(zip(frame["time_h"], frame["kind"].astype(str), frame["order_id"], frame["sku"], strict=True)) == [
        (1.0, "picked", 1, "mug"),
        (5.0, "picked", 1, "tee"),
        (5.0, "picked", 3, "tee"),
        (5.0, "shipped", 2, "mug"),
    ]


class _Deliveries:
    """A part that keeps its own columns of late deliveries (a stand-in for the review board)."""

    def __init__(self, log: EventLog) -> None:
        self.time: list[float] = []
        self.order_id: list[int] = []
        self.reads = 0
        log.derive(self)

    def row_count(self) -> int:
        return len(self.time)

    def row_block(self) -> np.ndarray:
        self.reads += 1
        return pack(self.time, "delivered", self.order_id, 9, -1, 1.0)


def test_rows_derived_from_a_part_s_columns_are_counted_and_framed_as_if_added():
    log, added = EventLog(), EventLog()
    part = _Deliveries(log)
    for t, kind, oid in ((4.0, "shipped", 1), (1.0, "order_placed", 1), (4.0, "shipped", 0)):
        log.add(t, kind, oid, 9, "tee", 2.0)
        added.add(t, kind, oid, 9, "tee", 2.0)
    for t, oid in ((4.0, 1), (2.0, 0)):
        part.time.append(t)
        part.order_id.append(oid)
        added.add(t, "delivered", oid, 9, "", 1.0)
    assert len(log) == len(added) == 5 and part.reads == 0  # counted from the part's columns, no block built
    channels = np.array(["email", "organic_search"], dtype=object)
    pd.testing.assert_frame_equal(log.frame(dt.date(2026, 1, 5), channels), added.frame(dt.date(2026, 1, 5), channels))
    part.time.append(9.0)  # a row more after a first frame: the next frame has it
    part.order_id.append(1)
    assert len(log) == 6 and log.frame(dt.date(2026, 1, 5), channels)["time_h"].iloc[-1] == 9.0


def test_a_pickled_log_keeps_the_derived_rows_without_their_source():
    log = EventLog()
    part = _Deliveries(log)
    log.add(1.0, "order_placed", 0, 9, "tee", 2.0)
    part.time.append(3.0)
    part.order_id.append(0)
    back = pickle.loads(pickle.dumps(log))
    part.time.append(5.0)  # the source changes after the trip: the copy does not
    part.order_id.append(0)
    frame = back.frame(dt.date(2026, 1, 5), np.array(["email"], dtype=object))
    assert len(back) == 2 and frame["kind"].astype(str).tolist() == ["order_placed", "delivered"]
    assert frame["sku"].tolist() == ["tee", ""] and frame["time_h"].tolist() == [1.0, 3.0]
