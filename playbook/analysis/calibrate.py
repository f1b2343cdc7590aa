"""Calibration: a simulation scenario estimated from a store's own order history (the bridge to ``sim``).

:func:`calibrate` reads an orders table in the ``sim.results.tables`` schema (what
every ``playbook.data.loaders`` loader returns) and gives a :class:`Calibration`: a
validated :class:`sim.Scenario` built so that simulating it over the same
horizon gives back the data's order rate, order values, return rate,
customers and repeat-purchase rate; the estimated parameters (value, unit,
estimator, data used); the parameters left at the base scenario's values and
why; and the observed KPIs beside what the scenario is expected to give.
:func:`write_scenario` writes the scenario as YAML with a header naming the
source.

What orders can and cannot tell.  Orders say when people bought, what they
paid and who came back.  They carry no sessions, so conversion (the
``funnel`` and ``page`` fields, channel intents, the channel mix) is not
estimable: the scenario keeps the base funnel and derives the sessions that
this funnel needs to bring the observed new customers.  Capacity (pickers,
agents and their hours) and stock are not estimable either - the orders were
evidently served - so they are sized to the twin's own load, up or down from
the base's: a shop a third of the base's size must not carry the base's
wage bill (it made the bundled Shopify sample's twin lose money).

Estimators (T = horizon in days, C customers, R = repeat-purchase rate, M =
orders per customer):

* **Seasonality.**  Weekly profile: orders placed on weekday d / number of
  weekdays d in the horizon, scaled to mean 1 (profiles are shapes).  Hourly
  profile: orders by hour of day the same way, only when the timestamps carry
  a time of day.  Both leave out one-off spike days (a sales day such as
  Double 11: far more orders than a Poisson day at the local median level),
  which would otherwise repeat in the twin every week.
* **Acquisition.**  New customers (first orders) are counted in 28-day
  blocks.  When a chi-square dispersion test rejects a constant rate (1%
  level) - CDNOW's customers all arrived in its first 12 weeks - every block
  below the busiest one becomes a traffic shock (``risk.traffic_shocks``)
  scaling all channels by rate / busiest rate, so the simulation acquires
  customers when the data did.  Shocks leave existing customers' visits
  alone.
* **Order value.**  The orders, sorted by value, are cut into ``bands``
  groups of equal size; each becomes a SKU priced at its group's mean value,
  with demand weight its share of orders.  Then sum(weight x price) is the
  observed AOV and every quantile is reproduced to within one band.  Orders
  are one unit (``catalogue.extra_units_mean`` = 0) and delivery fees are 0,
  because an order's value in the data already contains its units and any
  fee: adding either would count it twice.
* **Returns** (when the data has ``returned``): one return probability p for
  every SKU from r = f + (1 - f) p L, f the share of orders the scenario
  returns for the store's fault (pick errors, defects) and L = 1 +
  (late_multiplier - 1) x the scenario's share of late parcels (``late_share``).
* **Repeat purchases.**  A simulated customer joins the active base when the
  first order settles (``d`` days later on average), orders at a rate while
  active (visits x the funnel's conversion for customers) and leaves with
  probability p = 1 - q when each order settles, d days after it.  Customers
  differ in rate - one rate cannot give CDNOW's R = 0.49 together with its
  M = 2.96 - so a BG/NBD fit (``playbook.analysis.clv``) gives the Gamma(r, alpha)
  spread of purchase rates, cut into ``rate_classes`` equal-share segments
  at their conditional means lambda_k.  Two numbers then fit the horizon: a
  scale s on every lambda_k, and q, solve
  ``R = mean_w mean_k q (1 - exp(-s lambda_k u_t))`` and
  ``M = mean_w (1 + mean_k q s lambda_k A_k(u_t))`` by least squares (exact
  when reachable), with A_k(u) = min(u, d) + (1 - exp(-s lambda_k p (u -
  d)+)) / (s lambda_k p) the expected days active, over the days u_t = T - t
  - 1/2 - d that customers acquired on day t spend in the base, weighted by
  day t's acquisition.  This is an analytic approximation, not a search by
  simulation.  Churn after a bad experience (late parcels, pick errors,
  defects, slow refunds at the scenario's rates) is part of p and is taken
  off ``customers.churn_probability``.
* **Sessions.**  All channel volumes - free channels' sessions_per_day and
  paid channels' daily_budget alike (cost per click kept) - are scaled by one
  factor so that the base funnel's conversion of new visitors gives C /
  sum_t w_t first orders a day; with R and M matched the order rate C M / T
  follows.
* **Capacity and stock** (sized, not estimated): pickers and agents by Erlang
  C (``playbook.analysis.staffing.agents_for_sla``: 90% of picks started within an
  hour on duty, of tickets answered within the SLA and one shift) on the
  expected peak day: the fewest people at the base's hours, at least one,
  and a crew of one gets the shortest quarter-hour shift from the base's
  start that still meets the target (:func:`crew_size`).  Wages per hour,
  cost per click, carrier rates and the cost ratio of goods stay the base's;
  paid budgets scale with sessions (above), so every cost line follows the
  twin's volume.  A base staffing plan (``crew``) is kept, not resized.
  Each SKU's reorder point covers twice its peak demand over the supplier
  lead time plus a week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import math
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats
from scipy.optimize import least_squares
from scipy.special import expit

import sim.results.kpis as kpis
from playbook.analysis.clv import BGNBD, customer_summary
from playbook.analysis.staffing import agents_for_sla
from playbook.data.loaders import check_frame, check_values
from sim.engine.operations.fulfilment import pick_minutes
from sim.engine.sales.demand import CUSTOMER, Demand, review_multiplier
from sim.engine.sales.marketing import Marketing
from sim.engine.sales.offer import build_offer
from sim.engine.sales.variants import build_cells
from sim.engine.shocks import Shocks
from sim.outputs import write_text_atomic
from sim.scenario.definition import Scenario, Shift
from sim.scenario.schema import rows as schema_rows

#: Fewest orders and days that calibrate at all.
MIN_ORDERS, MIN_DAYS = 20, 7
#: Fewest orders per weekday (per hour of day) on average before that profile is estimated.
MIN_PER_BIN = 10
#: One-off spike days (left out of the profiles): half-width of the window of the local median, and the
#: chance a Poisson day at that level has so many orders, over the whole horizon (Bonferroni).
SPIKE_WINDOW_DAYS, SPIKE_LEVEL = 14, 0.001
#: Customers with a repeat purchase needed to fit purchase rates.
MIN_REPEATERS = 5
#: Acquisition: block length, and the level at which a constant rate is rejected.
BLOCK_DAYS, CONSTANT_RATE_LEVEL = 28, 0.01
#: Staffing: this share of tickets answered within the SLA, of picks started within PICK_HOURS.
STAFF_SHARE, PICK_HOURS = 0.9, 1.0
#: Staffing: a one-person crew's shift is shortened in steps of this many hours.
SHIFT_STEP_HOURS = 0.25
#: Stock: the reorder point covers this multiple of the peak demand over the supplier lead time plus a week.
STOCK_COVER = 2.0
#: Largest customers.visit_rate_per_day and segment visit_rate_multiplier the schema allows.
MAX_VISIT_RATE, MAX_VISIT_MULTIPLIER = 10.0, 20.0

#: What order data cannot tell, kept from the base scenario whatever the data.
NOT_ESTIMABLE = (
    ("funnel.*, page.*", "conversion needs sessions, which order data does not contain"),
    (
        "traffic.channels.* mix, intent, returning_share and the other channel fields",
        "sessions per channel are not in order data; all channel volumes are scaled by one factor",
    ),
    ("reviews.*", "ratings are not in order data"),
    (
        "customers.repeat_channel_mix, customers.bad_experience_churn",
        "the channel a customer returns through and the reason they leave are not in order data",
    ),
    (
        "catalogue.skus.*.elasticity, defect_probability, supplier_lead_time_days",
        "prices did not vary within a value band and stock is not in order data (base SKUs' demand-weighted means)",
    ),
    ("delivery.options.* other than fee; returns.*", "fulfilment times and carrier costs are not used"),
    (
        "warehouse.* other than pickers and shift; service.* other than agents and shift",
        "work times and wages are not in order data",
    ),
    ("pricing.*, crm.*, warranty, markets, selection, ab_test", "strategy levers: the base scenario's choice"),
)


@dataclasses.dataclass(frozen=True)
class Calibration:
    """A calibrated scenario and how each part of it was obtained.

    ``parameters``: one row per estimated field (parameter, value, unit,
    estimator, data); ``defaults``: fields left at the base scenario's values
    and the reason; ``checks``: observed KPIs and what the scenario is
    expected to give (index: KPI); ``source``, ``first_day``, ``days``: the
    data and its horizon.
    """

    scenario: Scenario
    parameters: pd.DataFrame
    defaults: pd.DataFrame
    checks: pd.DataFrame
    source: str
    first_day: dt.date
    days: int


@dataclasses.dataclass(frozen=True)
class RepeatModel:
    """Repeat purchases of equal-share classes: ``rates`` (orders a day while active), ``stay`` = q per order.

    A customer joins the active base ``settle`` days after the first order if
    it does not churn then (probability q), orders at rate lambda_k while
    active, and each order settles ``settle`` days later with another churn
    decision; so after joining it is active at time t with probability 1
    for t < settle and exp(-lambda_k p (t - settle)) after (p = 1 - q).
    ``ages`` are the days in the base that customers acquired on each day of
    the horizon get before it ends (u_t), ``weights`` how many are acquired
    that day (relative).
    """

    rates: np.ndarray
    stay: float
    settle: float
    ages: np.ndarray
    weights: np.ndarray

    def _active_days(self, u: ArrayLike) -> np.ndarray:
        """Expected days active within u days of joining, per class.

        min(u, d) + (1 - exp(-lambda p (u - d)+)) / (lambda p): a customer
        stays active until d days after the order that makes it churn, and
        that order comes at rate lambda p.
        """
        u = np.asarray(u, dtype=float)[..., None]
        late, rate = np.broadcast_arrays(np.maximum(u - self.settle, 0.0), self.rates * (1.0 - self.stay))
        tail = np.divide(-np.expm1(-rate * late), rate, out=late.copy(), where=rate > 0)  # late where p = 0
        return np.minimum(u, self.settle) + tail

    def repeats(self, u: ArrayLike) -> np.ndarray:
        """Expected repeat orders within u days of joining: q mean_k lambda_k x (days active)."""
        return self.stay * (self.rates * self._active_days(u)).mean(axis=-1)

    def repeat_rate(self) -> float:
        """Share of customers with a repeat order: mean_w mean_k q (1 - exp(-lambda_k u_t))."""
        reach = -np.expm1(-self.rates * self.ages[:, None]).mean(axis=1)
        return float(self.stay * np.average(reach, weights=self.weights))

    def orders_per_customer(self) -> float:
        return float(np.average(1.0 + self.repeats(self.ages), weights=self.weights))

    def daily_orders(self, new: np.ndarray) -> np.ndarray:
        """Expected orders each day: ``new`` first orders plus the repeats of earlier ones (a convolution).

        Repeat hazard ``lag`` days after a first order: the increase of
        ``repeats`` over that day of membership (0 before joining).
        """
        joined = np.maximum(np.arange(len(new) + 1) - self.settle, 0.0)
        hazard = np.diff(self.repeats(joined))
        return new + np.convolve(new, hazard)[: len(new)]


class _Record:
    """The overrides being built, the parameter rows that explain them, and the fields kept."""

    def __init__(self) -> None:
        self.overrides: dict[str, Any] = {}
        self.rows: list[tuple[str, Any, str, str]] = []
        self.kept: list[tuple[str, str]] = list(NOT_ESTIMABLE)

    def set(self, path: str, value: Any, estimator: str, data: str) -> None:
        self.overrides[path] = value
        self.rows.append((path, value, estimator, data))

    def note(self, path: str, value: Any, estimator: str, data: str) -> None:
        self.rows.append((path, value, estimator, data))

    def keep(self, path: str, reason: str) -> None:
        self.kept.append((path, reason))


def calibrate(
    orders: pd.DataFrame,
    base: Scenario | None = None,
    *,
    horizon_days: int | None = None,
    bands: int = 10,
    rate_classes: int = 3,
    name: str | None = None,
) -> Calibration:
    """Estimate a scenario from ``orders`` (``sim.results.tables`` schema); the estimators are in the module docstring.

    ``base`` supplies everything orders cannot tell (default: the schema
    defaults).  ``horizon_days`` is the observed period from the first order's
    day (default: through the last order's day; it may be longer, never
    shorter).  ``bands`` is the number of order-value bands (SKUs),
    ``rate_classes`` the number of customer segments by purchase rate.
    Raises ``ValueError`` naming the column and what is allowed for missing
    columns, missing or negative values, or too little history.
    """
    base = Scenario() if base is None else base
    first, days = _check_orders(orders, horizon_days)
    for arg, value in (("bands", bands), ("rate_classes", rate_classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} = {value!r}: allowed: an integer >= 1")
    source = str(orders.attrs.get("source", "orders"))
    customers = orders["customer_id"].nunique()
    rec = _Record()
    rec.set("meta.name", name or f"calibrated_{Path(source).stem}"[:80], "calibrated_ + source name", source)
    rec.set(
        "meta.description",
        f"Calibrated by playbook.analysis.calibrate from {source}: {len(orders):,} orders of "
        f"{customers:,} customers, {first} to {first + dt.timedelta(days=days - 1)}.",
        "-",
        source,
    )
    rec.set("time.start_date", first.isoformat(), "day of the first order", "orders.placed_at")
    rec.set("time.days", days, "first to last order day, or horizon_days", "orders.placed_at")
    currency = str(orders.attrs.get("currency", base.money.currency))
    rec.set("money.currency", currency, "the currency the loader recorded (orders.attrs)", source)
    if currency != base.money.currency:
        rec.keep(
            "unit costs (wages, cost per click, carrier rates, fixed costs)",
            f"the base's numbers, which are in {base.money.currency}, are read as {currency} unconverted: "
            f"give a base scenario in {currency} (e.g. data/scenarios/china_store.yaml for CNY) or set them",
        )
    _seasonality(orders, first, days, rec)
    _flat_year(rec, source)
    share, return_rate = _catalogue(orders, base, rec, bands)
    shaped = base.with_overrides(rec.overrides)  # its funnel gives the conversions; its traffic is at weight 1
    acquisition = _acquisition(orders, first, days, rec)
    weekly = np.asarray(shaped.traffic.weekly_profile, dtype=float)
    weights = weekly[(first.weekday() + np.arange(days)) % 7] / weekly.mean() * acquisition
    settle = _settle_days(shaped, return_rate)
    bad = shaped.customers.bad_experience_churn * _bad_share(shaped, return_rate)
    funnel = _funnel(shaped)
    model = _repeat_model(orders, days, weights, settle, bad, rate_classes, MAX_VISIT_RATE * funnel.customer)
    new_per_day = customers / weights.sum()  # first orders a day at acquisition weight 1
    peak = _traffic_and_customers(shaped, funnel, model, new_per_day, weights, bad, rec)
    _capacity(shaped, share, peak, return_rate, rec)
    scenario = base.with_overrides(rec.overrides)
    expected_aov = float(np.dot(share, [k.price for k in scenario.catalogue.skus.values()]))
    checks = pd.DataFrame(
        {
            "observed": [
                len(orders) / days,
                kpis.average_order_value(orders),
                kpis.repeat_purchase_rate(orders),
                float(customers),
                len(orders) / customers,
            ],
            "expected": [
                customers * model.orders_per_customer() / days,
                expected_aov,
                model.repeat_rate(),
                new_per_day * weights.sum(),
                model.orders_per_customer(),
            ],
        },
        index=pd.Index(
            ["order_rate_per_day", "average_order_value", "repeat_purchase_rate", "customers", "orders_per_customer"],
            name="kpi",
        ),
    )
    if "returned" in orders:
        checks.loc["return_rate"] = [kpis.return_rate(orders), return_rate]
    return Calibration(
        scenario, _table(rec.rows), pd.DataFrame(rec.kept, columns=["parameter", "reason"]), checks, source, first, days
    )


def _flat_year(rec: _Record, source: str) -> None:
    """Switch off the base's year (monthly traffic, category seasons, sales days).

    The rates estimated below are the export's own period's, its season and
    sales days included; the base's calendar on top would count them twice
    (a winter export on the baseline's calendar came out 16% too busy).
    """
    why = "flat: the export's period already carries its season and sales days"
    rec.set("calendar.monthly_traffic", [1.0] * 12, why, source)
    rec.set("calendar.category_season", {}, why, source)
    rec.set("calendar.sales_days", {}, why, source)


def _check_orders(orders: pd.DataFrame, horizon_days: int | None) -> tuple[dt.date, int]:
    """Validate ``orders``; return the first order's day and the horizon in days."""
    if not isinstance(orders, pd.DataFrame):
        raise ValueError(
            f"orders must be a pandas DataFrame in the sim.results.tables schema, got {type(orders).__name__}"
        )
    check_frame(
        orders, ("customer_id", "placed_at", "revenue", "refund"), "orders", {"revenue": (0, None), "refund": (0, None)}
    )
    if not pd.api.types.is_datetime64_any_dtype(orders["placed_at"]) or orders["placed_at"].isna().any():
        raise ValueError(
            "orders.placed_at must be timezone-naive datetimes with no missing value "
            "(load files with playbook.data.loaders)"
        )
    if orders["customer_id"].isna().any():
        raise ValueError("orders.customer_id has missing values; allowed: a customer id on every order")
    if "returned" in orders and orders["returned"].isna().any():
        raise ValueError("orders.returned has missing values; allowed: True or False on every order")
    if "cogs" in orders:
        check_values(orders["cogs"], "orders.cogs", 0)
    day = orders["placed_at"].dt.normalize()
    span = (day.max() - day.min()).days + 1
    days = span if horizon_days is None else horizon_days
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or not span <= days <= 3650:
        raise ValueError(
            f"horizon_days = {horizon_days!r}: allowed: an integer from {span} (the days the orders span) to 3650"
        )
    if len(orders) < MIN_ORDERS or span < MIN_DAYS:
        raise ValueError(
            f"orders: too little history to calibrate: {len(orders)} orders over {span} days; "
            f"allowed: at least {MIN_ORDERS} orders over at least {MIN_DAYS} days"
        )
    return day.min().date(), int(days)


def _table(rows: list[tuple[str, Any, str, str]]) -> pd.DataFrame:
    """The parameter rows with each field's unit from the scenario schema (``sim.scenario.schema``)."""
    units = {r["path"].replace("<name>", "*"): r["unit"] for r in schema_rows()}

    def unit(path: str) -> str:
        return next((u for pattern, u in units.items() if fnmatch.fnmatchcase(path, pattern)), "-")

    table = pd.DataFrame(rows, columns=["parameter", "value", "estimator", "data"])
    table.insert(2, "unit", [unit(p) for p in table["parameter"]])
    return table


def _days_since(orders: pd.DataFrame, first: dt.date) -> pd.Series:
    return (orders["placed_at"].dt.normalize() - pd.Timestamp(first)).dt.days


# --- seasonality and acquisition ----------------------------------------------------------------------------


def _profile(counts: np.ndarray, exposure: np.ndarray) -> list[float]:
    """Orders per exposed period, scaled to mean 1."""
    rate = counts / exposure
    return [round(float(v), 4) for v in rate / rate.mean()]


def spike_days(orders: pd.DataFrame, first: dt.date, days: int) -> np.ndarray:
    """Days (from ``first``) with a one-off spike: more orders than a Poisson day at the local level allows.

    The local level is the median count of the 29 days around the day; a day
    is a spike when a Poisson count at that level reaches its count with
    probability below :data:`SPIKE_LEVEL` / ``days`` (a Bonferroni bound over
    the horizon).  The Taobao sample's 11 November (94 orders against a
    local median of 7) is one; weekday rhythms and seasons, which move
    many days together, are not.
    """
    counts = pd.Series(np.bincount(_days_since(orders, first), minlength=days).astype(float))
    local = counts.rolling(2 * SPIKE_WINDOW_DAYS + 1, center=True, min_periods=1).median().clip(lower=0.5)
    return np.flatnonzero(stats.poisson.sf(counts - 1, local) < SPIKE_LEVEL / days)


def _seasonality(orders: pd.DataFrame, first: dt.date, days: int, rec: _Record) -> None:
    """Weekly and hourly profiles of an ordinary day: one-off spike days (:func:`spike_days`) left out.

    A sales day folded into the weekly shape would repeat every week: the
    Taobao sample's Double 11 fell on a Monday and made every Monday of its
    twin 2.7 times as busy (and its simulated order rate 4 points too high).
    The spike's orders still count in every rate; only the shapes leave them out.
    """
    spikes = spike_days(orders, first, days)
    ordinary = ~_days_since(orders, first).isin(spikes).to_numpy()
    placed, n = orders["placed_at"][ordinary], int(ordinary.sum())
    left_out = (
        f", leaving out {len(spikes)} one-off spike day(s) ("
        + ", ".join(f"{first + dt.timedelta(days=int(d))}" for d in spikes[:5])
        + (", ..." if len(spikes) > 5 else "")
        + ")"
        if len(spikes)
        else ""
    )
    if n >= 7 * MIN_PER_BIN and days - len(spikes) >= 14:
        exposure = np.bincount([(first.weekday() + i) % 7 for i in range(days) if i not in spikes], minlength=7)
        rec.set(
            "traffic.weekly_profile",
            _profile(np.bincount(placed.dt.day_of_week, minlength=7), exposure),
            "orders per weekday / weekdays in the horizon, mean 1" + left_out,
            "orders.placed_at",
        )
    else:
        rec.keep(
            "traffic.weekly_profile",
            f"needs {7 * MIN_PER_BIN} orders over 14 days or more; the data has {n} over {days}",
        )
    timed = bool((placed != placed.dt.normalize()).any())
    if timed and n >= 24 * MIN_PER_BIN:
        rec.set(
            "traffic.hourly_profile",
            _profile(np.bincount(placed.dt.hour, minlength=24), np.ones(24)),
            "orders per hour of day, mean 1" + left_out,
            "orders.placed_at",
        )
    else:
        rec.keep(
            "traffic.hourly_profile",
            f"needs {24 * MIN_PER_BIN} orders with a time of day; the data has {n}"
            if timed
            else "the timestamps are dates without a time of day",
        )


def _acquisition(orders: pd.DataFrame, first: dt.date, days: int, rec: _Record) -> np.ndarray:
    """Each day's acquisition weight (1 in the busiest 28-day block); traffic shocks for the other blocks.

    All ones when a chi-square test of the block counts against a constant
    rate (expected counts in proportion to the blocks' lengths) does not
    reject it at ``CONSTANT_RATE_LEVEL``.  The last block's level carries on
    after the horizon (its shock lasts to the schema's 3650 days), so a
    longer run does not jump back to the busiest block's traffic.
    """
    new = _days_since(orders, first).groupby(orders["customer_id"]).min().to_numpy()
    block = np.arange(days) // BLOCK_DAYS
    counts = np.bincount(new // BLOCK_DAYS, minlength=block[-1] + 1).astype(float)
    length = np.bincount(block).astype(float)
    expected = counts.sum() * length / days
    p_value = (
        float(stats.chi2.sf(((counts - expected) ** 2 / expected).sum(), len(counts) - 1)) if len(counts) > 1 else 1.0
    )
    if p_value >= CONSTANT_RATE_LEVEL:
        rec.keep(
            "risk.traffic_shocks (acquisition schedule)",
            f"new customers per {BLOCK_DAYS} days are consistent "
            f"with a constant rate (chi-square p = {p_value:.2g}): none added",
        )
        return np.ones(days)
    level = np.round(counts / length / (counts / length).max(), 4)
    start = 0
    for b in range(1, len(level) + 1):  # one shock per run of equal levels below 1
        if b < len(level) and level[b] == level[start]:
            continue
        if level[start] < 1:
            when = first + dt.timedelta(days=start * BLOCK_DAYS)
            span = int(length[start:b].sum()) if b < len(level) else 3650 - start * BLOCK_DAYS
            rec.set(
                f"risk.traffic_shocks.acquisition_{when:%Y%m%d}",
                {
                    "start": when.isoformat(),
                    "days": span,
                    "multiplier": float(level[start]),
                    "channels": [],
                    "recovery_days": 0,
                },
                f"new customers a day in these {BLOCK_DAYS}-day blocks / in the busiest block (chi-square "
                f"p = {p_value:.2g} against a constant rate)",
                "orders.customer_id, placed_at (first orders)",
            )
        start = b
    return level[block]


# --- catalogue: value bands, costs, returns -------------------------------------------------------------


def value_bands(values: ArrayLike, bands: int) -> list[np.ndarray]:
    """``values`` sorted and cut into ``bands`` groups of (nearly) equal size, lowest first.

    A leading group whose mean is 0 (free orders) is merged with the next, as
    a SKU's price must be positive; ``ValueError`` if every value is 0.
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    groups = np.array_split(ordered, min(bands, len(ordered)))
    while len(groups) > 1 and groups[0].mean() <= 0:
        groups = [np.concatenate(groups[:2])] + groups[2:]
    if groups[0].mean() <= 0:
        raise ValueError("orders.revenue is 0 on every order: there is no order value to set prices from")
    return groups


def _store_faults(s: Scenario, defect: float) -> float:
    """Share of orders returned for the store's fault: 1 - (1 - pick error) (1 - defect)."""
    return 1.0 - (1.0 - s.warehouse.pick_error_probability) * (1.0 - defect)


def _catalogue(orders: pd.DataFrame, base: Scenario, rec: _Record, bands: int) -> tuple[np.ndarray, float]:
    """Value-band SKUs with costs and return probability; returns their order shares and the expected return rate."""
    revenue = orders["revenue"].to_numpy(dtype=float)
    groups = value_bands(revenue, bands)
    sizes = np.array([len(g) for g in groups])
    share = sizes / sizes.sum()
    prices = np.array([round(float(g.mean()), 2) for g in groups])
    old = list(base.catalogue.skus.values())
    w = np.array([k.demand_weight for k in old], dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(old), 1 / len(old))
    kept = {
        f: round(float(np.dot(w, [getattr(k, f) for k in old])), 4)
        for f in ("elasticity", "defect_probability", "supplier_lead_time_days")
    }
    if "cogs" in orders:
        cogs = orders["cogs"].to_numpy(dtype=float)[np.argsort(revenue, kind="stable")]
        costs = np.array([round(float(c.mean()), 2) for c in np.split(cogs, np.cumsum(sizes)[:-1])])
    else:
        ratio = float(np.dot(w, [k.unit_cost / k.price for k in old]))
        costs = np.round(prices * ratio, 2)
        rec.keep("catalogue.skus.*.unit_cost", f"the data has no cogs: price x {ratio:.3f}, the base SKUs' cost ratio")
    faults = _store_faults(base, kept["defect_probability"])
    lift = 1.0 + (base.returns.late_multiplier - 1.0) * late_share(base)
    if "returned" in orders:
        observed = float(orders["returned"].astype(bool).mean())
        p_return = min(1.0, max(0.0, (observed - faults) / ((1.0 - faults) * lift)))
    else:
        p_return = float(np.dot(w, [k.return_probability for k in old]))
        rec.keep(
            "catalogue.skus.*.return_probability",
            f"the data has no returned column: {p_return:.3f}, the base SKUs' mean",
        )
    p_return = round(p_return, 4)
    skus = {
        f"value_{i + 1:02d}": {
            "demand_weight": round(float(share[i]) * 100, 4),
            "price": float(prices[i]),
            "reference_price": float(prices[i]),
            "unit_cost": float(costs[i]),
            "return_probability": p_return,
            **kept,
        }
        for i in range(len(groups))
    }
    rec.overrides["catalogue.skus"] = skus  # explained one field at a time below
    for sku, spec in skus.items():
        rec.note(f"catalogue.skus.{sku}.price", spec["price"], "mean value of the band's orders", "orders.revenue")
        rec.note(
            f"catalogue.skus.{sku}.demand_weight",
            spec["demand_weight"],
            f"% of orders in the band ({len(groups)} equal-count bands of order value)",
            "orders.revenue",
        )
    if "cogs" in orders:
        rec.note(
            "catalogue.skus.*.unit_cost",
            f"{costs.min():.2f} to {costs.max():.2f}",
            "mean cost of goods of the band's orders",
            "orders.cogs",
        )
    if "returned" in orders:
        rec.note(
            "catalogue.skus.*.return_probability",
            p_return,
            f"(r - f) / ((1 - f) L): r returned share, f = {faults:.3f} pick errors and defects, L = {lift:.3f} "
            f"late-parcel lift",
            "orders.returned",
        )
    rec.set("catalogue.extra_units_mean", 0.0, "0: a band's price is the whole order value", "orders.revenue")
    for option in base.delivery.options:
        rec.set(
            f"delivery.options.{option}.fee", 0.0, "0: order values already contain any delivery fee", "orders.revenue"
        )
    rec.set("delivery.reference_fee", 0.0, "0: the fee the funnel's checkout step was observed at", "orders.revenue")
    return share, faults + (1 - faults) * p_return * lift


# --- customers: repeat purchases -------------------------------------------------------------------------


def late_share(s: Scenario) -> float:
    """Expected share of parcels delivered after the promise, from the scenario's carriers.

    The promise counts from the planned dispatch (``sim.engine.model``: the
    first collection after the order's expected pick), so with the crew sized
    not to bind a parcel is late when the gamma lead time (+ with
    ``incident_probability`` an exponential incident delay, integrated at 16
    quantiles) exceeds the promise: P = (1 - l) S(promise) + l E[S(promise -
    X)], S the gamma survival function, averaged over the week's orders.
    """
    hour = np.arange(168) + 0.5  # hour of a week from Monday 00:00
    traffic = s.traffic
    weight = (
        np.asarray(traffic.hourly_profile)[(hour % 24).astype(int)]
        * np.asarray(traffic.weekly_profile)[(hour // 24).astype(int)]
    )
    incident = -np.log1p(-(np.arange(16) + 0.5) / 16)  # Exp(1) at 16 quantiles
    total = 0.0
    for o in s.delivery.options.values():
        # the promise counts from the planned dispatch (sim.engine.model.StoreModel._promise), not from the order
        margin = np.full(len(hour), o.promise_days * 24.0)
        lead, cv2 = o.lead_time_days_mean * 24.0, o.lead_time_days_cv**2

        def survival(x: np.ndarray, lead: float = lead, cv2: float = cv2) -> np.ndarray:
            return stats.gamma.sf(x, 1.0 / cv2, scale=lead * cv2) if cv2 > 0 else (x < lead).astype(float)

        late = (1 - o.incident_probability) * survival(margin) + o.incident_probability * survival(
            margin[:, None] - o.late_delay_days_mean * 24.0 * incident
        ).mean(axis=1)
        total += o.share * float(np.average(late, weights=weight))
    return total


def _settle_days(s: Scenario, return_rate: float) -> float:
    """Mean days from an order to its settlement (when the customer joins the active base or leaves).

    About a day to pick and reach the daily collection + the carrier's mean
    lead time + incident delays, and for returned orders the request,
    return transit and refund delays.
    """
    ship = sum(
        o.share * (o.lead_time_days_mean + o.incident_probability * o.late_delay_days_mean)
        for o in s.delivery.options.values()
    )
    r = s.returns
    return 1.0 + ship + return_rate * (r.request_days_mean + r.transit_days_mean + r.refund_days_mean)


def _bad_share(s: Scenario, return_rate: float) -> float:
    """Share of orders with a bad experience: 1 - prod(1 - x) over late parcels, pick errors, defects, slow refunds.

    A refund is slow with probability exp(-promise / mean) (exponential
    refund time).  Slow answers from the desk are left out: it is sized not
    to bind.
    """
    skus = list(s.catalogue.skus.values())
    w = np.array([k.demand_weight for k in skus]) / sum(k.demand_weight for k in skus)
    defect = float(np.dot(w, [k.defect_probability for k in skus]))
    r = s.returns
    slow = return_rate * math.exp(-r.refund_promise_days / r.refund_days_mean) if r.refund_days_mean else 0.0
    return 1.0 - (1 - late_share(s)) * (1 - s.warehouse.pick_error_probability) * (1 - defect) * (1 - slow)


def rate_classes_of(fit: BGNBD, classes: int) -> np.ndarray:
    """Conditional means of the BG/NBD purchase rate Gamma(r, alpha) in ``classes`` equal-probability classes.

    E[lambda | class] = K r / alpha (G_{r+1}(b) - G_{r+1}(a)) for the class
    between Gamma(r) quantiles a and b, G_{r+1} the Gamma(r + 1, alpha)
    distribution function; their mean is r / alpha, the rates' mean.
    """
    edges = stats.gamma.ppf(np.linspace(0, 1, classes + 1), fit.r, scale=1 / fit.alpha)
    return fit.r / fit.alpha * classes * np.diff(stats.gamma.cdf(edges, fit.r + 1, scale=1 / fit.alpha))


def reference_rate(rates: np.ndarray) -> float:
    """The rate that ``customers.visit_rate_per_day`` stands for: the classes' geometric mean, or max / 20.

    Segment multipliers are rate / reference, so they stay within the
    schema's 0-20.
    """
    return max(float(np.exp(np.log(rates).mean())), float(rates.max()) / MAX_VISIT_MULTIPLIER)


def _repeat_model(
    orders: pd.DataFrame, days: int, weights: np.ndarray, settle: float, bad: float, classes: int, max_reference: float
) -> RepeatModel:
    """Purchase-rate classes from a BG/NBD fit; their scale and the stay probability solve R and M.

    Least squares on the relative gaps, with the scale bounded so that the
    reference rate stays below ``max_reference`` (the visit rate's upper
    bound x a visit's conversion): where R and M cannot both be reached the
    result is the closest compromise, and the ``checks`` table shows it.
    """
    first = pd.Timestamp(orders["placed_at"].min().normalize())
    summary = customer_summary(orders, first + pd.Timedelta(days=days - 1), unit_days=1.0)
    repeaters = int((summary["frequency"] > 0).sum())
    if repeaters < MIN_REPEATERS:
        raise ValueError(
            f"orders: too little history to estimate repeat purchases: {repeaters} customer(s) bought "
            f"on two or more days; allowed: at least {MIN_REPEATERS}"
        )
    try:
        fit = BGNBD.fit(summary["frequency"], summary["recency"], summary["T"])
    except RuntimeError as exc:
        raise ValueError(f"orders: the purchase-rate (BG/NBD) fit failed on this history: {exc}") from None
    rates = rate_classes_of(fit, classes)
    ages = np.maximum(days - np.arange(days) - 0.5 - settle, 0.0)
    per_customer = orders.groupby("customer_id").size()
    target = np.array([float((per_customer >= 2).mean()), float(per_customer.mean())])
    top = 1.0 - bad  # stay probability when churn_probability is 0

    def model(theta: np.ndarray) -> RepeatModel:
        return RepeatModel(rates * np.exp(theta[0]), top * float(expit(theta[1])), settle, ages, weights)

    def gap(theta: np.ndarray) -> np.ndarray:
        m = model(theta)
        return np.array([m.repeat_rate(), m.orders_per_customer()]) / target - 1.0

    top_scale = math.log(max_reference / reference_rate(rates))
    start = np.array([min(0.0, top_scale - 1e-6), 0.0])
    return model(least_squares(gap, start, bounds=([-20.0, -30.0], [top_scale, 30.0])).x)


# --- traffic and the customer base -------------------------------------------------------------------------


class Funnel(NamedTuple):
    """What the base scenario's funnel does with a session, on its first day."""

    volume: np.ndarray  # sessions a day per channel
    new: np.ndarray  # per channel: chance that a (non-customer) session is a first order
    customer: float  # chance that an active customer's visit is an order (over the repeat channel mix)
    view: float  # share of sessions that view a product


def _funnel(s: Scenario) -> Funnel:
    """The conversions of the scenario's own funnel.

    From the scenario's own funnel (``sim.engine.sales.demand``, ``sim.engine.sales.offer``,
    ``sim.engine.sales.marketing``) on its first day at the initial review multiplier:
    P(order) = (1 - bounce) x sum_k share_k P(cart | k) x P(checkout | cart)
    x P(order | checkout, k), averaged over markets and A/B arms, with new
    sessions mixing prospects and returning visitors by each channel's
    returning_share.
    """
    cells = build_cells(s, 1)
    demand = Demand(s, cells, [build_offer(arm, 1) for arm in cells.arms.scenarios], s.time.start_date.weekday())
    mult = review_multiplier(s.reviews.initial_rating, s.reviews.initial_count, s.reviews)
    free, paid, _ = Marketing(s, 1, Shocks(s, 1)).today(
        0, mult, s.reviews.initial_count, np.zeros(len(demand.channels))
    )
    cart = np.minimum(demand.base_cart * demand.price_mult[0] * mult, 1.0)  # [C, G, X, K]
    after = demand.view_p[:, None] * demand.cart_to_checkout * demand.checkout_to_order  # [X, K]
    order = np.einsum("cgxk,xk,k,x->cg", cart, after, demand.sku_share, demand.cell_share[0])
    new = (1 - demand.returning_share) * order[:, 0] + demand.returning_share * order[:, 1]
    volume, customer = 24.0 * (free + paid), float(demand.repeat_mix @ order[:, CUSTOMER])
    if volume @ new <= 0:
        raise ValueError(
            "base scenario: its channels bring no sessions that can order; allowed: at least one "
            "channel with sessions_per_day or daily_budget > 0"
        )
    if customer <= 0:
        raise ValueError(
            "base scenario: customers.repeat_channel_mix is empty, so customers never come back; "
            "allowed: a mix over channels that can order"
        )
    return Funnel(volume, new, customer, float(demand.view_p @ demand.cell_share[0]))


def _traffic_and_customers(
    s: Scenario, funnel: Funnel, model: RepeatModel, new_per_day: float, weights: np.ndarray, bad: float, rec: _Record
) -> dict[str, float]:
    """Channel volumes for ``new_per_day`` first orders, visit rates, segments and churn; returns the peak day."""
    volume, new, customer, view_p = funnel
    scale = new_per_day / float(volume @ new)
    how = (
        f"x {scale:.4g}: the base funnel's new-customer conversion then gives {new_per_day:.4g} first orders a "
        f"day (before the acquisition schedule)"
    )
    for name, ch in s.traffic.channels.items():
        if ch.sessions_per_day > 0:
            rec.set(
                f"traffic.channels.{name}.sessions_per_day",
                round(ch.sessions_per_day * scale, 2),
                how,
                "orders.customer_id, placed_at (first orders)",
            )
        if ch.daily_budget > 0:
            rec.set(
                f"traffic.channels.{name}.daily_budget",
                round(ch.daily_budget * scale, 2),
                how + "; cost_per_click kept",
                "orders.customer_id, placed_at (first orders)",
            )
    rates = model.rates
    ref = reference_rate(rates)
    visits = ref / customer
    rec.set(
        "customers.visit_rate_per_day",
        round(visits, 6),
        f"reference purchase rate / P(order | customer visit) = {ref:.4g} / {customer:.4g}",
        "per-customer frequency, recency, age (BG/NBD, playbook.analysis.clv); repeat_purchase_rate, "
        "orders per customer",
    )
    segments = {
        f"rate_{k + 1}": {
            "share": 1.0 / len(rates),
            "churn_multiplier": 1.0,
            "visit_rate_multiplier": round(float(r / ref), 6),
        }
        for k, r in enumerate(rates)
    }
    rec.set(
        "customers.segments",
        segments if len(rates) > 1 else {},
        f"{len(rates)} equal-share classes of the BG/NBD purchase rate at their conditional means, scaled "
        f"with the stay probability to match R and M: rates {', '.join(f'{r:.3g}' for r in rates)} a day",
        "per-customer frequency, recency, age; repeat_purchase_rate, orders per customer",
    )
    rec.set(
        "customers.churn_probability",
        round(1.0 - model.stay - bad, 4),
        f"1 - q - {bad:.4f} (the bad-experience churn); q = {model.stay:.4f} solves R and M with the rate scale",
        "repeat_purchase_rate, orders per customer",
    )
    new_daily = new_per_day * weights
    orders = model.daily_orders(new_daily)
    sessions = scale * float(volume.sum()) * float(weights.max()) + float((orders - new_daily).max()) / customer
    return {"orders": float(orders.max()), "views": sessions * view_p}


# --- capacity and stock ------------------------------------------------------------------------------------------


def crew_size(per_day: float, minutes: float, shift: Shift, people: int, target_hours: float) -> tuple[int, Shift]:
    """People and shift for ``per_day`` jobs of ``minutes`` each: the fewest that meet the SLA, never more than needed.

    Erlang C (``playbook.analysis.staffing.agents_for_sla``) with the day's
    jobs spread over the shift's open hours: :data:`STAFF_SHARE` of them
    started within ``target_hours`` of on-duty time (at most one shift: a job
    still waiting after a whole shift is answered a day late).  First the head
    count at the base's hours (at least one person, up or down from
    ``people``); a crew of one whose work fills less than its shift then
    gets the shortest shift, in steps of :data:`SHIFT_STEP_HOURS` from the
    base's start, that still meets the SLA - a shop with a tenth of the
    base's orders does not pay for the base's hours.  Weekdays and start
    hour are the base's.  A base of 0 people (a desk the AI assistant
    answers alone) stays at 0.
    """
    open_days = len(shift.weekdays) / 7.0
    length = shift.end_hour - shift.start_hour

    def needed(hours: float) -> int:
        return agents_for_sla(per_day / (hours * open_days), 60.0 / minutes, min(target_hours, hours), STAFF_SHARE)

    if people < 1:  # a desk the AI assistant answers alone stays so: a strategy, not a size
        return 0, shift
    crew = needed(length)
    if crew > 1:
        return crew, shift
    steps = np.arange(SHIFT_STEP_HOURS, length, SHIFT_STEP_HOURS)
    # the shortest shift on which one person meets the SLA (so is also not overloaded)
    fit = next((float(h) for h in steps if needed(float(h)) == 1), None)
    end = shift.start_hour + fit if fit is not None else shift.end_hour
    return 1, shift.model_copy(update={"end_hour": round(end, 4)})


def _sized(rec: _Record, section: str, team: str, base: tuple[int, Shift], sized: tuple[int, Shift], how: str) -> None:
    """Record the head count and the shift of ``section`` (the rule in ``how``) and say how they moved from the base."""
    (people, shift), (now, hours) = base, sized
    moved = (
        f"base: {people} x {shift.end_hour - shift.start_hour:g} h, twin: {now} x "
        f"{hours.end_hour - hours.start_hour:g} h a working day"
    )
    rec.set(f"{section}.{team}", now, f"{how}; {moved} (sized, not estimated)", "order rate")
    rec.set(
        f"{section}.shift",
        hours.model_dump(),
        "the base's start hour and weekdays; the end hour from the same rule (sized, not estimated)",
        "order rate",
    )


def _capacity(s: Scenario, share: np.ndarray, peak: dict[str, float], return_rate: float, rec: _Record) -> None:
    """Pickers, agents and their hours sized to the peak day's load (:func:`crew_size`); stock; crew plans kept."""
    wh, desk = s.warehouse, s.service
    if wh.crew:
        rec.keep("warehouse.crew", "the base's staffing plan is kept (a plan is not resized: set your own)")
    else:
        minutes = pick_minutes(wh)
        sized = crew_size(peak["orders"], minutes, wh.shift, wh.pickers, PICK_HOURS)
        how = (
            f"Erlang C: {STAFF_SHARE:.0%} of the peak day's {peak['orders']:.4g} picks of {minutes:.3g} min started "
            f"within {PICK_HOURS:g} h on duty; the fewest pickers, then for one picker the shortest shift"
        )
        _sized(rec, "warehouse", "pickers", (wh.pickers, wh.shift), sized, how)
    if desk.enabled and desk.crew:
        rec.keep("service.crew", "the base's staffing plan is kept (a plan is not resized: set your own)")
    elif desk.enabled:
        faults = _store_faults(s, float(np.dot(share, [k.defect_probability for k in s.catalogue.skus.values()])))
        late = late_share(s)
        per_order = (
            (1 - late) * desk.wismo_per_order
            + late * desk.wismo_per_late_order
            + faults
            + max(return_rate - faults, 0.0) * desk.return_ticket_probability
        )
        tickets = (peak["orders"] * per_order + peak["views"] * desk.pre_sales_per_view) * (1 - desk.ai_share)
        sized = crew_size(tickets, desk.handle_minutes_mean, desk.shift, desk.agents, desk.sla_hours)
        how = (
            f"Erlang C: {STAFF_SHARE:.0%} of the peak day's {tickets:.4g} agent tickets of "
            f"{desk.handle_minutes_mean:g} min answered within the SLA ({desk.sla_hours:g} h, at most one shift "
            "on duty); the fewest agents, then for one agent the shortest shift"
        )
        _sized(rec, "service", "agents", (desk.agents, desk.shift), sized, how)
    lead = np.array([k.supplier_lead_time_days for k in s.catalogue.skus.values()])
    demand = peak["orders"] * share
    point = np.ceil(STOCK_COVER * demand * (lead + 7)).astype(int)
    quantity = np.ceil(28 * demand).astype(int) + 1
    for spec, rp, rq in zip(rec.overrides["catalogue.skus"].values(), point, quantity, strict=True):
        spec.update(reorder_point=int(rp), reorder_quantity=int(rq), initial_stock=int(rp + rq))
    rec.note(
        "catalogue.skus.*.initial_stock, reorder_point, reorder_quantity",
        f"{int(point.sum() + quantity.sum())} units in all",
        f"reorder point {STOCK_COVER:g} x peak demand over lead time + 7 days, quantity 28 days "
        "(not estimable: sized so the shelf never empties)",
        "order rate, orders.revenue (band shares)",
    )


# --- writing --------------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


#: Words on the first line of every scenario written here: mark the file as ours (``python -m playbook calibrate
#: --force`` overwrites only files that carry them).
SCENARIO_MARK = "a scenario calibrated by playbook.analysis.calibrate from"


def is_calibrated_file(path: str | Path) -> bool:
    """Whether ``path`` starts with the header :func:`scenario_text` writes (so it is ours to overwrite)."""
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith("# ") and SCENARIO_MARK in first


def scenario_text(calibration: Calibration, *, regenerate: str = "", made_on: str = "") -> str:
    """The scenario as YAML under a header: source, period, units, what was kept and why, what to expect.

    ``made_on`` (a date) and ``regenerate`` (how the file was made) are
    optional header lines.
    """
    c, s = calibration, calibration.scenario
    lines = [
        f"{s.meta.name}: {SCENARIO_MARK} {c.source}",
        f"data: {s.meta.description.removeprefix('Calibrated by playbook.analysis.calibrate from ')}",
    ]
    if made_on:
        lines.append(f"calibrated on: {made_on}")
    lines += [
        f"units: time in hours on the model clock (durations carry their unit in their name: _days, _hours, "
        f"_minutes, _s); money in {s.money.currency}",
        "estimated: " + ", ".join(dict.fromkeys(".".join(p.split(".")[:2]) for p in c.parameters["parameter"])),
        "left at the base scenario's values (not estimable from these orders):",
    ]
    lines += [f"  {p}: {why}" for p, why in c.defaults.itertuples(index=False)]
    lines.append("expected from this scenario (observed in the data):")
    lines += [f"  {k}: {_number(row.expected)} ({_number(row.observed)})" for k, row in c.checks.iterrows()]
    if regenerate:
        lines.append(f"regenerate: {regenerate}")
    return "".join(f"# {line}\n" for line in lines) + s.to_yaml()


def write_scenario(calibration: Calibration, path: str | Path, *, regenerate: str = "") -> Path:
    """Write :func:`scenario_text` to ``path`` atomically (``sim.outputs.write_text_atomic``).

    The text goes to a temporary file beside ``path`` that is renamed over
    it, so a failed write never leaves half a file.
    """
    path = Path(path)
    write_text_atomic(path, scenario_text(calibration, regenerate=regenerate))
    return path


#: The committed example: CDNOW master calibrated on the schema defaults.
CDNOW_EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "calibrated_cdnow.yaml"


def write_cdnow_example(path: str | Path = CDNOW_EXAMPLE) -> Path:
    """Calibrate the full CDNOW history (``playbook.data.datasets.cdnow_master``) and write it to ``path``."""
    from playbook.data.datasets import cdnow_master

    how = "python -c 'from playbook.analysis.calibrate import write_cdnow_example; write_cdnow_example()'"
    return write_scenario(calibrate(cdnow_master()), path, regenerate=how)
