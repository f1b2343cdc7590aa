"""The column contract of the tables that the simulation writes and the playbook reads.

One orders schema serves simulated and real data: ``sim.results.result.Result.orders``
and every loader in ``playbook.data.loaders`` produce these columns, so every KPI in
``sim.results.kpis`` and every analysis in ``playbook`` accepts both.  A real export
rarely has every column; ``REQUIRED_ORDER_COLUMNS`` are the ones a loader must
fill, the rest are optional and the KPIs that need them say so by name.

The simulation's lever tables (``channels``, ``sku_daily``, ``skus``,
``markets``, ``variants``, ``labour``, ``programmes``) have no real-data
twin; ``sim.results.result`` documents their columns.

Timestamps are timezone-naive ``datetime64[ns]`` in the store's local time
(the scenario's ``time.start_date`` for simulated data; loaders convert real
exports to one named time zone and drop the offset).  Money is in the
scenario's (or export's) currency, stated in the scenario file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

#: Orders: one row per order.  name -> (dtype, meaning)
ORDER_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "order_id": ("int64", "unique order number"),
    "customer_id": ("int64", "customer number (hashed to int64 by loaders when asked)"),
    "placed_at": ("datetime64[ns]", "when the order was placed"),
    "channel": ("string", "traffic channel of the session that ordered ('unknown' for real data without it)"),
    "sku": ("string", "product ordered (simulation: one SKU per order; real data: 'mixed' for several)"),
    "units": ("int64", "units ordered"),
    "revenue": ("float64", "gross order value paid by the customer, before refunds, including shipping fee"),
    "cogs": ("float64", "cost of the goods in the order"),
    "shipping_cost": ("float64", "what the store paid carriers for the parcel and any return parcel"),
    "refund": ("float64", "money given back (0 when nothing was refunded)"),
    "returned": ("bool", "the order was sent back (refunded, or replaced: refund 0, status delivered)"),
    "is_repeat": ("bool", "the customer had ordered before"),
    "status": ("string", "terminal status: delivered, refunded, cancelled (or open for real data in flight)"),
    "picked_at": ("datetime64[ns]", "pick finished (NaT when not picked)"),
    "shipped_at": ("datetime64[ns]", "handed to the carrier"),
    "promised_at": ("datetime64[ns]", "delivery date promised at checkout"),
    "delivered_at": ("datetime64[ns]", "delivered to the customer"),
    "returned_at": ("datetime64[ns]", "return parcel received back"),
    "refunded_at": ("datetime64[ns]", "refund paid"),
    "late": ("bool", "delivered after the promised time"),
    "wrong_item": ("bool", "the warehouse picked the wrong item"),
    "delivery_option": ("string", "standard, express or pickup"),
    "variant": ("string", "A/B test arm of the session ('' outside a test)"),
    "unit_price": ("float64", "price paid per unit after promotions, member price and bundle discount"),
    "delivery_fee": ("float64", "delivery fee paid (0 above a free-shipping threshold)"),
    "market": ("string", "market the customer buys from"),
    "member": ("bool", "bought as a member of the membership programme"),
    "warranty": ("bool", "bought the extended warranty"),
    "written_off": ("float64", "cost of returned goods thrown away (defective), 0 otherwise"),
}

#: The columns every orders table must have, simulated or real.
REQUIRED_ORDER_COLUMNS: Final[tuple[str, ...]] = (
    "order_id",
    "customer_id",
    "placed_at",
    "revenue",
    "refund",
)

#: Tickets: one row per service ticket.
TICKET_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "ticket_id": ("int64", "unique ticket number"),
    "order_id": ("int64", "order the ticket is about (-1 for pre-sales questions)"),
    "customer_id": ("int64", "customer (-1 for a visitor who has not ordered)"),
    "reason": ("string", "wismo, wrong_item, defect, return_request or pre_sales"),
    "opened_at": ("datetime64[ns]", "ticket opened"),
    "first_response_at": ("datetime64[ns]", "first answer from the AI assistant or an agent"),
    "resolved_at": ("datetime64[ns]", "ticket closed"),
    "handled_by": ("string", "ai or agent"),
}

#: Daily: one row per day and channel.
DAILY_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "date": ("datetime64[ns]", "calendar day"),
    "channel": ("string", "traffic channel"),
    "sessions": ("int64", "sessions that started"),
    "returning_sessions": ("int64", "of which by returning visitors or customers"),
    "views": ("int64", "sessions that viewed a product (did not bounce)"),
    "views_out_of_stock": ("int64", "product views that found the product out of stock"),
    "carts": ("int64", "sessions that added to cart"),
    "checkouts": ("int64", "sessions that started checkout"),
    "lost_sales": ("int64", "completed checkouts that found the shelf empty (stockout_policy: lost)"),
    "orders": ("int64", "orders placed"),
    "revenue": ("float64", "gross revenue of those orders"),
    "spend": ("float64", "marketing spend"),
    "new_customers": ("int64", "first orders"),
}

#: Customers: one row per customer.
CUSTOMER_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "customer_id": ("int64", "customer number"),
    "first_order_at": ("datetime64[ns]", "first order"),
    "acquisition_channel": ("string", "channel of the first order"),
    "orders": ("int64", "orders placed in the horizon"),
    "revenue": ("float64", "gross revenue"),
    "refund": ("float64", "refunds"),
    "churned": ("bool", "the customer has stopped buying (simulation only)"),
    "segment": ("string", "CRM segment the customer belongs to (simulation only)"),
    "member": ("bool", "member of the membership programme at the end (simulation only)"),
}

#: Reviews: one row per review.
REVIEW_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "order_id": ("int64", "order reviewed"),
    "customer_id": ("int64", "reviewer"),
    "reviewed_at": ("datetime64[ns]", "when the review was posted"),
    "rating": ("int64", "stars, 1 to 5"),
}


def missing_columns(frame_columns: Iterable[str], required: Iterable[str]) -> list[str]:
    """Names in ``required`` that ``frame_columns`` lacks, in order."""
    have = set(frame_columns)
    return [c for c in required if c not in have]
