"""The order book: what counts as late, one terminal status per order, and the orders table's schema."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from sim.engine.operations.orders import OrderBook, is_late
from sim.results.tables import ORDER_COLUMNS


def test_late_means_after_the_promise_and_never_before_delivery():
    assert not is_late(10.0, 10.0) and is_late(10.000001, 10.0) and not is_late(9.0, 10.0)
    assert not is_late(math.nan, 10.0)  # not delivered yet
    assert is_late(np.array([9.0, 10.0, 11.0, np.nan]), 10.0).tolist() == [False, False, True, False]
    t = pd.Series(pd.to_datetime(["2026-01-05 10:00", "2026-01-05 11:00", None]))
    assert is_late(t, pd.Timestamp("2026-01-05 10:00")).tolist() == [False, True, False]


def _book() -> OrderBook:
    """Three orders: delivered late, refunded, never picked (cancelled at the end)."""
    book = OrderBook()
    for i in range(3):
        oid = book.new(
            placed=1.0 + i,
            channel=i % 2,
            group=0,
            sku=i,
            customer=10 + i,
            units=2,
            revenue=50.0,
            cogs=18.0,
            is_repeat=i == 1,
            option=0,
            promised=72.0,
            fee=4.0,
            goods=46.0,
            cell=0,
            member=False,
            warranty=i == 2,
        )
        assert oid == i
    book.picked[0], book.shipped[0], book.delivered[0] = 20.0, 30.0, 80.0
    book.picked[1], book.shipped[1], book.delivered[1] = 21.0, 30.0, 60.0
    book.returned[1], book.returned_at[1], book.refunded_at[1], book.refund[1] = True, 200.0, 230.0, 46.0
    book.cancelled_at[2], book.refund[2] = 500.0, 50.0
    return book


def test_every_order_has_exactly_one_terminal_status():
    assert _book().status().tolist() == ["delivered", "refunded", "cancelled"]


def test_the_frame_has_the_orders_schema_with_calendar_times():
    book = _book()
    frame = book.frame(
        dt.date(2026, 1, 5),
        ["email", "organic_search"],
        ["tee", "hoodie", "mug"],
        ["standard"],
        np.array(["", "", ""], dtype=object),
        np.array(["home"] * 3, dtype=object),
    )
    assert set(ORDER_COLUMNS) <= set(frame.columns) and len(frame) == 3
    assert frame["order_id"].tolist() == [0, 1, 2] and frame["sku"].tolist() == ["tee", "hoodie", "mug"]
    assert frame["channel"].tolist() == ["email", "organic_search", "email"]
    assert frame["late"].tolist() == [True, False, False]
    assert frame["placed_at"].iloc[0] == pd.Timestamp("2026-01-05 01:00")
    assert frame["delivered_at"].isna().tolist() == [False, False, True]
    assert frame["unit_price"].tolist() == [23.0] * 3 and frame["warranty"].tolist() == [False, False, True]
    assert frame["returned"].dtype == bool and frame["units"].dtype == np.int64


def test_an_empty_book_gives_an_empty_table():
    frame = OrderBook().frame(
        dt.date(2026, 1, 5), ["email"], ["tee"], ["standard"], np.array([], dtype=object), np.array([], dtype=object)
    )
    assert len(frame) == 0 and "order_id" in frame.columns


def test_columns_read_and_write_one_order_and_many():
    book = _book()
    assert book.customer[2] == 12 and len(book.customer) == 3 and np.asarray(book.units).tolist() == [2, 2, 2]
    book.put("shipping_cost", np.array([0, 2]), np.array([4.5, 6.0]), add=True)
    book.put("shipping_cost", np.array([0]), 1.0, add=True)
    assert np.asarray(book.shipping_cost).tolist() == [5.5, 0.0, 6.0]
    assert book.take("revenue", np.array([2, 0])).tolist() == [50.0, 50.0]
    oid = book.new(9.0, 1, 0, 0, 13, 1, 10.0, 3.0, False, 0, 80.0, 0.0, 10.0, 0, True, False)
    assert oid == 3 and book.member[3] and math.isnan(book.picked[3]), "the book still grows after a bulk write"


def test_a_new_order_holds_what_it_was_booked_with_and_nothing_of_the_steps_to_come():
    """Every attribute read back by name: the booked ones as given, the steps to come not happened yet."""
    book = OrderBook()
    given = dict(placed=3.5, channel=2, group=1, sku=4, customer=77, units=3, revenue=99.5, cogs=30.25)
    given |= dict(is_repeat=True, option=1, promised=96.0, fee=6.0, goods=93.5, cell=5, member=True, warranty=True)
    oid = book.new(**given)
    assert {name: getattr(book, name)[oid] for name in given} == given
    steps = ("picked", "shipped", "delivered", "returned_at", "refunded_at", "cancelled_at")
    assert all(math.isnan(getattr(book, name)[oid]) for name in steps)
    assert [getattr(book, name)[oid] for name in ("shipping_cost", "refund", "written_off")] == [0.0, 0.0, 0.0]
    assert not book.returned[oid] and not book.wrong_item[oid]
