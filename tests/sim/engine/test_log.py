"""The event log: rows in, a time-sorted table out, with every kind known and channels joined by order."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.engine.log import KINDS, EventLog


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
