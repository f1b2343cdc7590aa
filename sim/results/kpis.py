"""KPI definitions: one function per KPI, shared by simulated and real data.

Each function takes the tables it needs (see ``sim.results.tables`` for the columns)
and returns one float; its docstring states the formula.  The simulation's
``Result.kpis()`` and the playbook's reports on a store's own export call the
same functions through :func:`compute`, so "conversion rate" means one thing
everywhere.

A KPI whose inputs are absent (a real export without sessions, say) is left
out of :func:`compute`'s answer and named in :func:`unavailable`; a KPI whose
denominator is zero is ``nan`` only when the quantity is undefined (no orders,
no tickets), never because of missing data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.operations.orders import is_late
from sim.scenario.definition import Service

#: The first-response target SLA attainment is measured against when none is given: the schema's
#: default of ``service.sla_hours`` (one fact, one place: the simulated store and a real one alike).
DEFAULT_SLA_HOURS: float = Service.model_fields["sla_hours"].default

Tables = Mapping[str, pd.DataFrame]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 3600.0


# --- traffic and sales -----------------------------------------------------


def sessions(daily: pd.DataFrame) -> float:
    """Sessions = sum of daily.sessions."""
    return float(daily["sessions"].sum())


def bounce_rate(daily: pd.DataFrame) -> float:
    """Bounce rate = 1 - product views / sessions (sessions that left without viewing a product)."""
    return 1.0 - _ratio(daily["views"].sum(), daily["sessions"].sum())


def orders(orders: pd.DataFrame) -> float:
    """Orders = number of rows of the orders table."""
    return float(len(orders))


def conversion_rate(orders: pd.DataFrame, daily: pd.DataFrame) -> float:
    """Conversion rate = orders / sessions."""
    return _ratio(len(orders), daily["sessions"].sum())


def revenue(orders: pd.DataFrame) -> float:
    """Revenue (gross) = sum of orders.revenue, before refunds."""
    return float(orders["revenue"].sum())


def refunds(orders: pd.DataFrame) -> float:
    """Refunds = sum of orders.refund."""
    return float(orders["refund"].sum())


def order_net(orders: pd.DataFrame) -> pd.Series:
    """Net revenue of each order = revenue - refund (what the store keeps of it).

    The one definition of "net": :func:`net_revenue`, LTV, cohorts and the
    CLV models' spend all read it from here.
    """
    return orders["revenue"] - orders["refund"]


def net_revenue(orders: pd.DataFrame) -> float:
    """Net revenue = sum(orders.revenue) - sum(orders.refund) (the total of :func:`order_net`)."""
    return float(orders["revenue"].sum() - orders["refund"].sum())


def average_order_value(orders: pd.DataFrame) -> float:
    """Average order value (AOV) = sum(orders.revenue) / orders."""
    return _ratio(orders["revenue"].sum(), len(orders))


def kept_cogs(orders: pd.DataFrame) -> float:
    """COGS of kept orders = cogs of orders not returned, or returned with nothing refunded.

    Refunded goods go back to stock, so they carry no cost of goods; an order
    sent back and replaced (a wrong or defective item exchanged, refund 0) does:
    the customer keeps the replacement.  The one definition: gross margin and
    the profit and loss (``sim.results.measures``) both ask here.
    """
    kept = ~orders["returned"].astype(bool) | (orders["refund"] <= 0)
    return float(orders.loc[kept, "cogs"].sum())


def write_offs(orders: pd.DataFrame) -> float:
    """Write-offs = sum of orders.written_off: returned goods thrown away at cost (0 where the column is absent)."""
    return float(orders["written_off"].sum()) if "written_off" in orders else 0.0


def gross_margin(orders: pd.DataFrame) -> float:
    """Gross margin = (net revenue - COGS of kept orders - write-offs - shipping cost) / net revenue.

    COGS of kept orders: :func:`kept_cogs`; a defective item sent back costs its goods all the same
    (:func:`write_offs`).
    """
    net = net_revenue(orders)
    profit = net - kept_cogs(orders) - write_offs(orders) - orders["shipping_cost"].sum()
    return _ratio(profit, net)


def marketing_spend(daily: pd.DataFrame) -> float:
    """Marketing spend = sum of daily.spend."""
    return float(daily["spend"].sum())


def new_customers(orders: pd.DataFrame) -> float:
    """New customers = number of distinct customer_id whose first order is in the table."""
    return float(orders["customer_id"].nunique())


def cac(orders: pd.DataFrame, daily: pd.DataFrame) -> float:
    """Customer acquisition cost (CAC) = marketing spend / new customers."""
    return _ratio(daily["spend"].sum(), orders["customer_id"].nunique())


def cac_by_channel(daily: pd.DataFrame) -> pd.Series:
    """CAC per channel = spend of the channel / its new customers (nan where it acquired none).

    Not a scalar KPI, so not in :data:`KPIS`; ``Result.channels`` carries the
    same figure for a simulated store.
    """
    g = daily.groupby("channel", observed=True)[["spend", "new_customers"]].sum()
    return (g["spend"] / g["new_customers"].where(g["new_customers"] > 0)).rename("cac")


# --- customers ---------------------------------------------------------------


def repeat_purchase_rate(orders: pd.DataFrame) -> float:
    """Repeat-purchase rate = customers with >= 2 orders / customers with >= 1 order."""
    counts = orders["customer_id"].value_counts(sort=False)  # = groupby size (both drop a missing id), 5x faster
    return _ratio((counts >= 2).sum(), len(counts))


def ltv(orders: pd.DataFrame) -> float:
    """Historical LTV over the horizon = net revenue / customers (revenue basis, undiscounted)."""
    return _ratio(net_revenue(orders), orders["customer_id"].nunique())


def ltv_to_cac(orders: pd.DataFrame, daily: pd.DataFrame) -> float:
    """LTV / CAC = (net revenue / customers) / (spend / customers) = net revenue / spend."""
    return _ratio(net_revenue(orders), daily["spend"].sum())


# --- after-sales and fulfilment ----------------------------------------------


def return_rate(orders: pd.DataFrame) -> float:
    """Return rate = returned orders / delivered orders (delivered_at set; all orders if absent)."""
    base = orders if "delivered_at" not in orders else orders[orders["delivered_at"].notna()]
    return _ratio(base["returned"].astype(bool).sum(), len(base))


def on_time_delivery_rate(orders: pd.DataFrame) -> float:
    """On-time delivery rate = orders delivered at or before promised_at / delivered orders."""
    done = orders[orders["delivered_at"].notna()]
    return _ratio((~is_late(done["delivered_at"], done["promised_at"])).sum(), len(done))


def pick_error_rate(orders: pd.DataFrame) -> float:
    """Pick error rate = picked orders with the wrong item / picked orders."""
    picked = orders[orders["picked_at"].notna()]
    return _ratio(picked["wrong_item"].astype(bool).sum(), len(picked))


def mean_fulfilment_hours(orders: pd.DataFrame) -> float:
    """Mean order-to-carrier time = mean(shipped_at - placed_at), hours (queue for a picker, pick, collection)."""
    return float(_hours(orders["shipped_at"], orders["placed_at"]).mean())


def mean_delivery_hours(orders: pd.DataFrame) -> float:
    """Mean order-to-door time = mean(delivered_at - placed_at), in hours."""
    return float(_hours(orders["delivered_at"], orders["placed_at"]).mean())


def stockout_rate(daily: pd.DataFrame) -> float:
    """Stock-out rate = product views that found the product out of stock / product views."""
    return _ratio(daily["views_out_of_stock"].sum(), daily["views"].sum())


# --- service desk ---------------------------------------------------------------


def tickets_per_order(tickets: pd.DataFrame, orders: pd.DataFrame) -> float:
    """Tickets per order = tickets / orders."""
    return _ratio(len(tickets), len(orders))


def _first_response_hours(tickets: pd.DataFrame) -> pd.Series:
    return _hours(tickets["first_response_at"], tickets["opened_at"]).dropna()


def first_response_mean_hours(tickets: pd.DataFrame) -> float:
    """Mean first-response time = mean(first_response_at - opened_at), hours."""
    waits = _first_response_hours(tickets)
    return float(waits.mean()) if len(waits) else float("nan")


def first_response_p90_hours(tickets: pd.DataFrame) -> float:
    """p90 first-response time = 90th percentile of (first_response_at - opened_at), hours."""
    waits = _first_response_hours(tickets)
    return float(np.percentile(waits, 90)) if len(waits) else float("nan")


def sla_attainment(tickets: pd.DataFrame, sla_hours: float) -> float:
    """SLA attainment = tickets answered within ``sla_hours`` of opening / tickets answered."""
    waits = _first_response_hours(tickets)
    return _ratio((waits <= sla_hours).sum(), len(waits))


def ai_resolution_share(tickets: pd.DataFrame) -> float:
    """AI share = tickets handled_by == 'ai' / tickets."""
    return _ratio((tickets["handled_by"] == "ai").sum(), len(tickets))


def average_rating(reviews: pd.DataFrame) -> float:
    """Average review rating = mean of reviews.rating (stars) over reviews posted in the horizon."""
    return float(reviews["rating"].mean()) if len(reviews) else float("nan")


# --- the registry -----------------------------------------------------------------


@dataclass(frozen=True)
class KPI:
    """One KPI: its name, unit, the function and the tables/columns it reads."""

    name: str
    unit: str
    func: Callable[..., float]
    tables: tuple[str, ...]
    columns: tuple[str, ...] = ()
    #: True when a higher value is better (used by reports and sweeps).
    higher_is_better: bool = True


KPIS: tuple[KPI, ...] = (
    KPI("sessions", "sessions", sessions, ("daily",), ("sessions",)),
    KPI("bounce_rate", "share", bounce_rate, ("daily",), ("sessions", "views"), higher_is_better=False),
    KPI("orders", "orders", orders, ("orders",)),
    KPI("conversion_rate", "share", conversion_rate, ("orders", "daily"), ("sessions",)),
    KPI("average_order_value", "money", average_order_value, ("orders",)),
    KPI("revenue", "money", revenue, ("orders",)),
    KPI("refunds", "money", refunds, ("orders",), higher_is_better=False),
    KPI("net_revenue", "money", net_revenue, ("orders",)),
    KPI("gross_margin", "share", gross_margin, ("orders",), ("cogs", "shipping_cost", "returned")),
    KPI("marketing_spend", "money", marketing_spend, ("daily",), ("spend",), higher_is_better=False),
    KPI("new_customers", "customers", new_customers, ("orders",)),
    KPI("cac", "money", cac, ("orders", "daily"), ("spend",), higher_is_better=False),
    KPI("repeat_purchase_rate", "share", repeat_purchase_rate, ("orders",)),
    KPI("ltv", "money", ltv, ("orders",)),
    KPI("ltv_to_cac", "ratio", ltv_to_cac, ("orders", "daily"), ("spend",)),
    KPI("return_rate", "share", return_rate, ("orders",), ("returned",), higher_is_better=False),
    KPI("on_time_delivery_rate", "share", on_time_delivery_rate, ("orders",), ("delivered_at", "promised_at")),
    KPI("mean_fulfilment_hours", "hours", mean_fulfilment_hours, ("orders",), ("shipped_at",), higher_is_better=False),
    KPI("mean_delivery_hours", "hours", mean_delivery_hours, ("orders",), ("delivered_at",), higher_is_better=False),
    KPI("pick_error_rate", "share", pick_error_rate, ("orders",), ("picked_at", "wrong_item"), higher_is_better=False),
    KPI("stockout_rate", "share", stockout_rate, ("daily",), ("views", "views_out_of_stock"), higher_is_better=False),
    KPI("tickets_per_order", "tickets/order", tickets_per_order, ("tickets", "orders"), higher_is_better=False),
    KPI("first_response_mean_hours", "hours", first_response_mean_hours, ("tickets",), higher_is_better=False),
    KPI("first_response_p90_hours", "hours", first_response_p90_hours, ("tickets",), higher_is_better=False),
    KPI("sla_attainment", "share", sla_attainment, ("tickets",)),
    KPI("ai_resolution_share", "share", ai_resolution_share, ("tickets",), ("handled_by",)),
    KPI("average_rating", "stars", average_rating, ("reviews",), ("rating",)),
)

KPI_NAMES: tuple[str, ...] = tuple(k.name for k in KPIS)
KPI_BY_NAME: dict[str, KPI] = {k.name: k for k in KPIS}


def _available(kpi: KPI, tables: Tables) -> bool:
    if any(tables.get(t) is None for t in kpi.tables):
        return False
    cols = set().union(*(tables[t].columns for t in kpi.tables))
    return all(c in cols for c in kpi.columns)


def unavailable(tables: Tables) -> list[str]:
    """Names of KPIs that ``tables`` lacks the tables or columns for."""
    return [k.name for k in KPIS if not _available(k, tables)]


def compute(tables: Tables, sla_hours: float = DEFAULT_SLA_HOURS) -> dict[str, float]:
    """Every KPI that ``tables`` supports, in registry order.

    ``tables`` maps table names ('orders', 'daily', 'tickets', 'reviews') to
    frames in the ``sim.results.tables`` schema; ``sla_hours`` is the first-response
    target that ``sla_attainment`` is measured against.
    """
    out: dict[str, float] = {}
    for kpi in KPIS:
        if not _available(kpi, tables):
            continue
        args = [tables[t] for t in kpi.tables]
        value = kpi.func(*args, sla_hours) if kpi.func is sla_attainment else kpi.func(*args)
        out[kpi.name] = float(value)
    return out
