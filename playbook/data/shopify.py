"""The Shopify "Export orders" CSV: one row per line item, order-level fields on each order's first row."""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from playbook.data.options import check_options
from playbook.data.reading import Table
from playbook.data.rows import Rows, finish, read_rows

SHOPIFY_REQUIRED = ("Id", "Name", "Email", "Created at", "Total", "Lineitem quantity")
_OPTIONAL = (
    "Refunded Amount",
    "Financial Status",
    "Fulfillment Status",
    "Fulfilled at",
    "Cancelled at",
    "Source",
    "Lineitem sku",
    "Currency",
)


def load_shopify_csv(
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
    """Load a Shopify "Export orders" CSV (one row per line item) into one row per order.

    The first row of each order ``Name`` carries the order-level fields; the
    following rows with the same ``Name`` are its other line items.  Mapping:
    order_id = Id; customer_id = hashed ``Email`` (``hash_ids``) or customers
    numbered 1, 2, ... by first appearance; placed_at = Created at; revenue =
    Total (what the customer paid: subtotal after discounts + shipping +
    taxes); refund = Refunded Amount; units = sum of Lineitem quantity; sku =
    the one Lineitem sku or 'mixed'; channel = Source (Shopify's sales
    channel: web, pos, ...); shipped_at = Fulfilled at; status = cancelled
    (Cancelled at set or Financial Status voided), refunded (Financial Status
    refunded), delivered (Fulfillment Status fulfilled: Shopify records
    shipment, not delivery) or open; returned = Financial Status refunded or
    partially_refunded (the export has no return flag, so refunds stand in).

    Bad rows: missing Name, Id or Email; an Id that is not an integer of at
    most 19 digits; unparseable dates or numbers (``22,19`` needs
    ``decimal=","``); a negative, infinite or absurd Total; a Refunded Amount
    above the Total; a negative quantity or one above a million; a Currency
    other than ``currency``; an order Name that appears again with its own
    order-level fields (a duplicated order: the repeat and its lines are
    dropped, the first copy kept) and an Id used by two order Names.  A bad
    line drops its whole order, and the order's other lines are reported with
    it.  Shopify writes UTF-8; another encoding needs ``encoding=``.
    """
    currency = check_options(
        errors=errors, tz=tz, naive_tz=naive_tz, currency=currency, encoding=encoding, sep=sep,
        hash_ids=hash_ids, salt=salt,
    )  # fmt: skip
    rows, name_of_file = read_rows(
        path, required=SHOPIFY_REQUIRED, what="Shopify ", sep=sep, encoding=encoding, decimal=decimal,
        thousands=thousands,
    )  # fmt: skip
    raw = rows.raw
    for optional in _OPTIONAL:
        if optional not in raw:
            raw[optional] = ""
    name = rows.text("Name")
    rows.flag(name == "", "Name", "missing Name (order number)")
    # An order starts where the Name changes or a row carries order-level fields (a Total).
    starts = ((name != name.shift()) | (rows.text("Total") != "")).to_numpy()
    group = np.cumsum(starts) - 1
    repeated = name[starts & (name != "").to_numpy()]
    rows.duplicates(repeated, "Name", "order")
    ids = rows.text("Id")[starts & ~name.duplicated().to_numpy() & (rows.text("Id") != "").to_numpy()]
    rows.duplicates(ids, "Id", "Id under another order Name")
    units = rows.counts("Lineitem quantity", "quantity")
    lines = pd.DataFrame({"units": units, "sku": rows.text("Lineitem sku")}).groupby(group)

    first = raw[starts].reset_index(drop=True)
    head = Rows(Table(first, rows.rows[starts]), rows.numbers)
    orders = pd.DataFrame(index=first.index)
    orders["order_id"] = head.ids("Id", "missing Id (order id)")
    orders["customer_id"] = head.customers("Email", hash_ids, salt, numeric=False)
    orders["placed_at"] = head.times("Created at", tz, naive_tz, required=True)
    orders["revenue"] = head.money("Total", required=True, negative="negative Total that is not a refund")
    orders["refund"] = head.money("Refunded Amount", required=False, negative="negative Refunded Amount")
    head.not_above(orders["refund"], orders["revenue"], "Refunded Amount", "Total")
    head.currency("Currency", currency)
    orders["units"] = lines["units"].sum().to_numpy()
    orders["sku"] = lines["sku"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "mixed").to_numpy()
    orders["channel"] = head.text("Source").replace("", "unknown")
    orders["shipped_at"] = head.times("Fulfilled at", tz, naive_tz, required=False)
    financial = head.text("Financial Status").str.lower()
    cancelled = (head.text("Cancelled at") != "") | (financial == "voided")
    fulfilled = head.text("Fulfillment Status").str.lower() == "fulfilled"
    orders["status"] = np.select(
        [cancelled, financial == "refunded", fulfilled], ["cancelled", "refunded", "delivered"], "open"
    )
    orders["returned"] = financial.isin(["refunded", "partially_refunded"])
    rows.problems += head.problems
    return finish(orders, rows, name_of_file, errors, currency=currency, tz=tz, group=group, rows_read=len(raw))
