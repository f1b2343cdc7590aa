"""The plain orders CSV: a file whose header already uses the orders schema's column names.

A store whose shop system is not Shopify writes (or exports and renames)
``order_id, customer_id, placed_at, revenue, refund`` plus whatever other
schema columns it has, one row per order; ``data/samples/orders_sample.csv``
is one.
"""

from __future__ import annotations

from os import PathLike

import pandas as pd

from playbook.data.options import check_options
from playbook.data.rows import finish, read_rows
from sim.results.tables import ORDER_COLUMNS, REQUIRED_ORDER_COLUMNS


def load_orders_csv(
    path: str | PathLike[str],
    *,
    tz: str,
    currency: str,
    naive_tz: str | None = None,
    errors: str = "raise",
    hash_ids: bool = False,
    salt: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sep: str = ",",
    encoding: str | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load a CSV whose header uses ``sim.results.tables.ORDER_COLUMNS`` names, one row per order.

    Required columns: ``REQUIRED_ORDER_COLUMNS`` (order_id, customer_id,
    placed_at, revenue, refund); any other schema column present is parsed to
    its schema dtype; other columns are not loaded and are listed in
    ``attrs["ignored_columns"]``.  Timestamps are ISO 8601.  Bad rows: a
    missing or non-integer id, a repeated ``order_id``, a negative or
    non-finite amount, a refund above the revenue, negative units, a
    ``currency`` cell other than ``currency``.  With ``hash_ids`` the customer
    ids are hashed with ``salt`` (any text id is accepted); otherwise they
    must be integers.  The file is UTF-8 unless ``encoding=`` says otherwise.
    """
    currency = check_options(
        errors=errors, tz=tz, naive_tz=naive_tz, currency=currency, encoding=encoding, sep=sep,
        hash_ids=hash_ids, salt=salt,
    )  # fmt: skip
    rows, name = read_rows(
        path, required=REQUIRED_ORDER_COLUMNS, what="", sep=sep, encoding=encoding, decimal=decimal, thousands=thousands
    )
    raw = rows.raw
    orders = pd.DataFrame(index=raw.index)
    orders["order_id"] = rows.ids("order_id", "missing order_id")
    orders["customer_id"] = rows.customers("customer_id", hash_ids, salt, numeric=True)
    for column in (c for c in ORDER_COLUMNS if c in raw and c not in orders):
        dtype = ORDER_COLUMNS[column][0]
        if dtype.startswith("datetime"):
            orders[column] = rows.times(column, tz, naive_tz, required=column == "placed_at")
        elif dtype == "float64":
            negative = (
                "negative refund (refunds are positive amounts)"
                if column == "refund"
                else f"negative {column} that is not a refund (refunds go in 'refund')"
            )
            orders[column] = rows.money(column, required=column == "revenue", negative=negative)
        elif dtype == "int64":
            orders[column] = rows.counts(column, column)
        elif dtype == "bool":
            orders[column] = rows.flags(column)
        else:
            orders[column] = rows.text(column)
    rows.not_above(orders["refund"], orders["revenue"], "refund", "revenue")
    if "currency" in raw:
        rows.currency("currency", currency)
    order_ids = rows.text("order_id")
    rows.duplicates(order_ids[order_ids != ""], "order_id", "order_id")
    ignored = [c for c in raw.columns if c not in ORDER_COLUMNS and c != "currency"]
    return finish(orders, rows, name, errors, currency=currency, tz=tz, ignored_columns=ignored, rows_read=len(raw))
