"""The one orders schema: simulated runs and the loaders of real data produce it."""

from __future__ import annotations

from sim.results.tables import (
    CUSTOMER_COLUMNS,
    DAILY_COLUMNS,
    ORDER_COLUMNS,
    REQUIRED_ORDER_COLUMNS,
    REVIEW_COLUMNS,
    TICKET_COLUMNS,
    missing_columns,
)


def test_missing_columns_keeps_the_required_order():
    assert missing_columns(["order_id", "revenue"], ["placed_at", "order_id", "refund"]) == ["placed_at", "refund"]
    assert missing_columns(ORDER_COLUMNS, REQUIRED_ORDER_COLUMNS) == []


def test_every_column_has_a_dtype_and_a_description():
    for table in (ORDER_COLUMNS, TICKET_COLUMNS, DAILY_COLUMNS, CUSTOMER_COLUMNS, REVIEW_COLUMNS):
        for name, (dtype, text) in table.items():
            assert dtype and len(text) > 5, name
    assert ORDER_COLUMNS["late"][0] == "bool" and ORDER_COLUMNS["placed_at"][0] == "datetime64[ns]"


def test_a_simulated_run_has_every_order_column(baseline_run):
    assert missing_columns(baseline_run.orders.columns, ORDER_COLUMNS) == []
    assert missing_columns(baseline_run.tickets.columns, TICKET_COLUMNS) == []
