"""The store's year: seasons, platform sales days, carrier pauses and slow carriers at peaks.

Everything here is known before the run, so it is computed once as arrays
over the horizon's days (``calendar`` in the scenario):

* ``traffic[day]``: the month's weight (``monthly_traffic``, scaled to a
  mean of 1 over the year) times the sales days' ``traffic_multiplier`` -
  applied to every channel with the dated shocks (``sim.engine.shocks``);
* ``cart[day, sku]``: the SKU category's month weight (``category_season``,
  mean 1) times the sales days' ``conversion_multiplier``;
* ``discount[day]``: the sales days' price cut, shown against the was price
  (``sim.engine.sales.pricing``);
* ``peaks``: hours from a sales day's start to ``peak_days_after`` its end,
  when carriers take ``peak_lead_time_multiplier`` times as long;
* ``pauses``: hours without carrier collections (Chinese New Year);
* ``ahead[day, sku]``: the demand expected over the next supplier lead time
  relative to an ordinary day, so that reorder points rise before a peak.

A concrete year: monthly traffic 0.8 in February and 1.45 in December
(mean 1), Black Friday at 3x the traffic and 20% off - that day's sessions
are 3 x 1.25 = 3.75 times an average day's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator

import numpy as np

from sim.scenario.definition import Scenario
from sim.scenario.levers import SalesDay

HOURS = 24.0


class Calendar:
    def __init__(self, s: Scenario, days: int) -> None:
        cal, start = s.calendar, s.time.start_date
        dates = [start + dt.timedelta(days=d) for d in range(days)]
        months = np.array([d.month - 1 for d in dates], dtype=int)
        monthly = np.asarray(cal.monthly_traffic, dtype=float)
        self.traffic = monthly[months] / monthly.mean()
        skus = list(s.catalogue.skus.values())
        self.cart = np.ones((days, len(skus)))
        for col, k in enumerate(skus):
            season = cal.category_season.get(k.category)
            if season is not None:
                w = np.asarray(season, dtype=float)
                self.cart[:, col] = w[months] / w.mean()
        self.discount = sales_discount(s, days)
        self.peaks: list[tuple[float, float]] = []
        for event, first in sales_days(s, days):
            rows = slice(min(max(first, 0), days), min(max(first + event.days, 0), days))
            self.traffic[rows] *= event.traffic_multiplier
            self.cart[rows] *= event.conversion_multiplier
            if cal.peak_lead_time_multiplier > 1 and first + event.days + cal.peak_days_after > 0:
                self.peaks.append((first * HOURS, (first + event.days + cal.peak_days_after) * HOURS))
        self.peak_multiplier = cal.peak_lead_time_multiplier
        #: the days (indices, maybe past the horizon) inside a peak: peaks start and end at midnight
        self.peak_days = frozenset(d for t0, t1 in self.peaks for d in range(int(t0 // HOURS), int(t1 // HOURS)))
        self.pauses = [
            (((p.start or start) - start).days * HOURS, (((p.start or start) - start).days + p.days) * HOURS)
            for p in cal.carrier_pauses.values()
        ]
        #: no season, no sales day: the model runs exactly as without a calendar
        self.flat = bool((self.traffic == 1.0).all() and (self.cart == 1.0).all() and not self.discount.any())
        elasticity = np.array([k.elasticity for k in skus])
        demand = self.traffic[:, None] * self.cart * (1.0 - self.discount[:, None]) ** elasticity[None, :]
        lead = np.array([k.supplier_lead_time_days for k in skus], dtype=float)
        self.ahead = None if self.flat or not cal.reorder_ahead else _ahead(demand, lead)

    def peak_stretch(self, t: float) -> float:
        """Carrier lead-time multiplier of a parcel collected at ``t``: ``peak_lead_time_multiplier`` in a peak."""
        return self.peak_multiplier if math.floor(t / HOURS) in self.peak_days else 1.0

    def peak_stretches(self, t: np.ndarray) -> np.ndarray:
        """:meth:`peak_stretch` of many times at once."""
        if not self.peak_days:
            return np.ones(len(t))
        return np.where(np.isin(np.floor(t / HOURS), list(self.peak_days)), self.peak_multiplier, 1.0)

    def collection_after_pauses(self, t: float, next_collection: Callable[[float], float]) -> float:
        """The first collection at or after ``t`` that falls outside every carrier pause."""
        c = next_collection(t)
        moved = True
        while moved:
            moved = False
            for t0, t1 in self.pauses:
                if t0 <= c < t1:
                    c, moved = next_collection(t1), True
        return c

    def collections_after_pauses(
        self, t: np.ndarray, next_collections: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """:meth:`collection_after_pauses` of many times at once."""
        c = next_collections(t)
        moved = True
        while moved:
            moved = False
            for t0, t1 in self.pauses:
                inside = (t0 <= c) & (c < t1)
                if inside.any():
                    c = np.where(inside, next_collections(np.full(len(c), t1)), c)
                    moved = True
        return c


def sales_days(s: Scenario, days: int) -> Iterator[tuple[SalesDay, int]]:
    """(sales day, index of its first day) for every year the horizon touches (the index may be < 0)."""
    start = s.time.start_date
    years = range(start.year, (start + dt.timedelta(days=max(days - 1, 0))).year + 1)
    for event in s.calendar.sales_days.values():
        for year in years:
            yield event, (dt.date(year, event.month, event.day) - start).days


def sales_discount(s: Scenario, days: int) -> np.ndarray:
    """The sales days' price cut on each day of the horizon (the deepest when two overlap)."""
    discount = np.zeros(days)
    for event, first in sales_days(s, days):
        rows = slice(min(max(first, 0), days), min(max(first + event.days, 0), days))
        discount[rows] = np.maximum(discount[rows], event.discount)
    return discount


def _ahead(demand: np.ndarray, lead_days: np.ndarray) -> np.ndarray:
    """Per day and SKU: mean demand factor over the next lead time (+1 day) relative to the horizon's mean."""
    days, n = demand.shape
    out = np.ones((days, n))
    cumulative = np.vstack([np.zeros((1, n)), np.cumsum(demand, axis=0)])
    for k in range(n):
        window = int(lead_days[k]) + 1
        ends = np.minimum(np.arange(days) + window, days)
        starts = np.arange(days)
        mean_ahead = (cumulative[ends, k] - cumulative[starts, k]) / (ends - starts)
        out[:, k] = mean_ahead / demand[:, k].mean()
    return out
