"""Customers over time: acquisition cohorts, retention, RFM segments, historical LTV and CAC payback.

A customer's cohort is the calendar month of their first order in the table
and their age in a later month is the number of months since then (0 in the
acquisition month).  Months after the end of the data are not observed and
come back as NaN, never as 0, so a young cohort does not look like a churned
one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from playbook.data.loaders import check_frame, check_values
from sim.results.kpis import order_net

_ORDER_COLUMNS = ("customer_id", "placed_at", "revenue", "refund")
_MONEY = {"revenue": (0, None), "refund": (0, None)}


def _aged(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.Period]:
    """Orders with cohort (first-order month), age (months since it) and net (revenue - refund); last month."""
    check_frame(orders, _ORDER_COLUMNS, "orders", _MONEY)
    month = orders["placed_at"].dt.to_period("M")
    cohort = month.groupby(orders["customer_id"]).transform("min")
    age = (month.dt.year - cohort.dt.year) * 12 + (month.dt.month - cohort.dt.month)
    aged = pd.DataFrame(
        {
            "customer_id": orders["customer_id"],
            "cohort": cohort,
            "age": age,
            "net": order_net(orders),
        }
    )
    return aged, month.max()


def _observed(matrix: pd.DataFrame, last: pd.Period) -> pd.DataFrame:
    """Blank out (NaN) the cells of months after ``last``, which the data cannot have seen yet."""
    reach = np.array([(last - cohort).n for cohort in matrix.index])
    return matrix.where(np.arange(matrix.shape[1])[None, :] <= reach[:, None])


def cohort_sizes(orders: pd.DataFrame) -> pd.Series:
    """New customers per acquisition month: customers whose first order in the table falls in it."""
    aged, _ = _aged(orders)
    return aged.groupby("cohort")["customer_id"].nunique().rename("customers")


def retention_matrix(
    orders: pd.DataFrame, *, as_share: bool = True, through: dt.date | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Share of each cohort that orders again in each month of age.

    retention[c, m] = customers of cohort c with an order in month c + m /
    customers of cohort c (1 at m = 0 by construction); ``as_share=False``
    gives the customer counts.  Rows: cohorts (monthly periods), columns:
    age 0, 1, 2, ...; NaN where month c + m is after the data ends.

    ``through``: the last day the data covers (a simulated run's last day,
    an export's end), when it is known.  A month it ends inside of was only
    partly seen: its cells would read as a drop in retention, so that month
    counts as after the end, and a cohort acquired in it is left out.
    """
    aged, last = _aged(orders)
    if through is not None:
        day = pd.Timestamp(through)
        last = day.to_period("M") - (0 if day.is_month_end else 1)
        aged = aged[aged["cohort"] <= last]
    active = aged.groupby(["cohort", "age"])["customer_id"].nunique().unstack("age")
    active = _observed(active.reindex(columns=range(int(aged["age"].max()) + 1)).fillna(0), last)
    active = active.loc[:, active.notna().any()]
    return active.div(active[0], axis=0) if as_share else active


def historical_ltv(orders: pd.DataFrame, *, margin: float = 1.0) -> pd.DataFrame:
    """Cumulative value per acquired customer by cohort and month of age.

    ltv[c, m] = margin * sum of net revenue (revenue - refund) of cohort c's
    orders in ages 0..m / customers of cohort c.  With margin = 1 this is
    the revenue basis of ``sim.results.kpis.ltv``; give the gross margin share to get
    contribution.  What the cohorts actually spent, no forecast: see
    ``playbook.analysis.clv`` for that.  NaN where not yet observed.
    """
    check_values(margin, "margin", 0, 1)
    aged, last = _aged(orders)
    spend = aged.groupby(["cohort", "age"])["net"].sum().unstack("age")
    spend = spend.reindex(columns=range(int(aged["age"].max()) + 1)).fillna(0.0).cumsum(axis=1)
    sizes = aged.groupby("cohort")["customer_id"].nunique()
    return _observed(margin * spend.div(sizes, axis=0), last)


def monthly_cac(orders: pd.DataFrame, daily: pd.DataFrame) -> pd.Series:
    """CAC per acquisition month = marketing spend in the month / customers acquired in it.

    The monthly form of ``sim.results.kpis.cac``; NaN for a month without new customers.
    """
    check_frame(daily, ("date", "spend"), "daily", {"spend": (0, None)})
    spend = daily.groupby(daily["date"].dt.to_period("M"))["spend"].sum()
    return (spend / cohort_sizes(orders)).rename("cac")


def cac_payback_months(orders: pd.DataFrame, cac: float | pd.Series, *, margin: float = 1.0) -> pd.Series:
    """Months until a cohort's cumulative margin per customer pays back its acquisition cost.

    payback[c] = smallest k >= 1 with historical_ltv[c, k - 1] (margin basis)
    >= CAC_c, i.e. counting the acquisition month as month 1; NaN when not yet
    paid back in the observed months.  ``cac`` is one number or a Series by
    cohort (e.g. :func:`monthly_cac`).  Rule of thumb: under 12 months
    (Skok, "SaaS Metrics 2.0").
    """
    ltv = historical_ltv(orders, margin=margin)
    if isinstance(cac, pd.Series):
        cost = cac.reindex(ltv.index)
    else:
        cost = pd.Series(cac, index=ltv.index, dtype=float)
    check_values(cost.dropna(), "cac", 0)
    paid = ltv.ge(cost, axis=0).to_numpy()
    months = np.where(paid.any(axis=1), paid.argmax(axis=1) + 1.0, np.nan)
    return pd.Series(np.where(cost.isna(), np.nan, months), index=ltv.index, name="payback_months")


#: RFM segments from the recency and frequency quintile scores r, f (1-5): the first matching rule wins.
RFM_SEGMENTS = (
    ("champions", lambda r, f: (r >= 4) & (f >= 4)),
    ("loyal", lambda r, f: (r >= 3) & (f >= 3)),
    ("new", lambda r, f: r >= 4),
    ("promising", lambda r, f: r == 3),
    ("at_risk", lambda r, f: f >= 3),
    ("hibernating", lambda r, f: r >= 1),  # the rest
)


def rfm(orders: pd.DataFrame, *, as_of: str | dt.date | None = None) -> pd.DataFrame:
    """Recency, frequency, monetary value, their quintile scores and a segment per customer.

    recency = days from the last order to ``as_of`` (default: the day after
    the last order in the table), frequency = orders, monetary = sum of net
    revenue.  Each score is 1 + floor(5 * share of customers strictly worse),
    so ties share a score (all one-order customers get F = 1) and higher is
    better (recent = high R).  Segments follow :data:`RFM_SEGMENTS` on R and
    F: champions (R >= 4, F >= 4), loyal (R, F >= 3), new (R >= 4),
    promising (R = 3), at_risk (F >= 3), hibernating (the rest).
    """
    check_frame(orders, _ORDER_COLUMNS, "orders", _MONEY)
    end = pd.Timestamp(as_of) if as_of is not None else orders["placed_at"].max().normalize() + pd.Timedelta(days=1)
    by = orders.assign(net=orders["revenue"] - orders["refund"]).groupby("customer_id")
    out = pd.DataFrame(
        {
            "recency_days": (end - by["placed_at"].max()).dt.total_seconds() / 86400,
            "frequency": by.size(),
            "monetary": by["net"].sum(),
        }
    )
    if (out["recency_days"] < 0).any():
        raise ValueError("as_of must be on or after every order's placed_at")
    for score, column, sign in (("r", "recency_days", -1), ("f", "frequency", 1), ("m", "monetary", 1)):
        worse = (sign * out[column]).rank(method="min") - 1
        out[f"{score}_score"] = (1 + np.floor(5 * worse / len(out))).astype(int)
    r, f = out["r_score"], out["f_score"]
    out["segment"] = np.select([rule(r, f) for _, rule in RFM_SEGMENTS], [name for name, _ in RFM_SEGMENTS], "")
    return out
