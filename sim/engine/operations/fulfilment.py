"""Fulfilment: pickers in the warehouse and carriers on the road.

An order queues first-come for a picker (a ``sim.engine.operations.staffing.Crew``: one shift
or a staffing plan), takes a lognormal pick time, and is packed with the
wrong item with ``pick_error_probability``.  About half of a picker's time
is walking (``travel_share``), so a layout with shorter pick paths
(``path_length_factor`` 0.7) cuts the mean pick time by 0.5 x 0.3 = 15%.
Parcels wait for the carrier's daily collection, then travel for a
gamma-distributed lead time (plus a market's ``extra_delivery_days``); a
share of them hits a carrier incident that adds an exponential delay.  A
carrier disruption (``sim.engine.shocks``) stretches both while it lasts.  The
promised date shown at checkout is ``promise_days`` after the planned
dispatch: the first collection after the order's expected pick
(:meth:`Picking.ready_estimate`, ``StoreModel._promise``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from sim.engine.clock import HOURS_PER_DAY, next_daily
from sim.engine.operations.staffing import Crew
from sim.engine.shocks import Shocks
from sim.scenario.definition import Delivery, Warehouse


def pick_minutes(cfg: Warehouse) -> float:
    """Mean pick time of the layout: walking scales with the path length, the rest does not."""
    return cfg.pick_minutes_mean * (1.0 - cfg.travel_share + cfg.travel_share * cfg.path_length_factor)


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this mean and coefficient of variation."""
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


class Picking:
    """The warehouse floor."""

    def __init__(self, env: simpy.Environment, cfg: Warehouse, crew: Crew, rng: np.random.Generator) -> None:
        self.env = env
        self.crew = crew
        self.rng = rng
        self.mean_hours = pick_minutes(cfg) / 60.0
        self.mu, self.sigma = lognormal_params(self.mean_hours, cfg.pick_minutes_cv)
        self.error_p = cfg.pick_error_probability
        self.pickup_hour = cfg.carrier_pickup_hour

    def draw(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Pick hours and wrong-item flags of ``n`` orders, drawn in bulk (one day's orders at a time)."""
        hours = self.rng.lognormal(self.mu, self.sigma, n) if self.sigma else np.full(n, math.exp(self.mu))
        return hours, self.rng.random(n) < self.error_p

    def pick(self, hours: float, done: Callable[[float, float], None]) -> None:
        """Queue an order for a picker on duty; ``done(started, finished)`` once both times are known.

        On one shift they are known at once (the queue is computed as orders
        arrive, ``Crew.book``), so ``done`` is called now with times in the
        future; under a staffing plan it is called when the pick ends.
        """
        started = self.crew.book(hours)
        if started is None:
            self.crew.serve(hours, lambda began: done(began, self.env.now))
        else:
            done(started, started + hours)

    def ready_estimate(self, t: float, waiting: int) -> float:
        """When an order placed at ``t`` should be picked: after the ``waiting`` jobs queued ahead of it, in the
        crew's hours."""
        return self.crew.after_work(t, self._queue_hours(waiting))

    def ready_estimates(self, t: np.ndarray, waiting: np.ndarray) -> np.ndarray:
        """:meth:`ready_estimate` of many orders at once (a crew on one shift)."""
        return self.crew.after_work_many(t, self._queue_hours(waiting))

    def _queue_hours(self, waiting: Any) -> Any:
        """The crew's hours to work off ``waiting`` jobs and one more, at the mean pick time."""
        return (waiting + 1) * self.mean_hours / max(self.crew.size, 1)

    def next_collection(self, t: float) -> float:
        """The carrier's first collection at or after ``t`` (asked once or twice an order)."""
        return next_daily(t, self.pickup_hour)

    def next_collections(self, t: np.ndarray) -> np.ndarray:
        """:meth:`next_collection` of many times at once."""
        day = np.floor(t / HOURS_PER_DAY)
        candidate = day * HOURS_PER_DAY + self.pickup_hour
        return np.where(candidate >= t, candidate, candidate + HOURS_PER_DAY)


class Carriers:
    """Delivery options: choice, price to the customer, cost and lead time."""

    def __init__(self, cfg: Delivery, rng: np.random.Generator, shocks: Shocks) -> None:
        opts = list(cfg.options.values())
        self.shocks = shocks if shocks.carrier else None
        self.names = list(cfg.options)
        self.rng = rng
        self.share = np.array([o.share for o in opts])
        self.share = self.share / self.share.sum()
        self.fee = np.array([o.fee for o in opts])
        self.cost = np.array([o.cost for o in opts])
        self.promise_h = np.array([o.promise_days * 24.0 for o in opts])
        # gamma with mean m and cv v: shape 1/v^2, scale m v^2 (cv 0 means a fixed lead time)
        self.mean_h = np.array([o.lead_time_days_mean * 24.0 for o in opts])
        self.cv = np.array([o.lead_time_days_cv for o in opts])
        self.late_p = np.array([o.incident_probability for o in opts])
        self.late_mean_h = np.array([o.late_delay_days_mean * 24.0 for o in opts])
        #: the gamma's shape of each option's lead time (1 where the lead time is fixed, cv 0), worked out once
        self._shape = np.where(self.cv > 0, 1.0 / np.where(self.cv > 0, self.cv, 1.0) ** 2, 1.0)
        self._fixed_lead = bool((self.cv <= 0).any())
        # the same as plain lists, for one parcel at a time (:meth:`transit_hour`)
        self._mean_h, self._late_p, self._late_mean_h = (
            a.tolist() for a in (self.mean_h, self.late_p, self.late_mean_h)
        )

    def draw(self, options: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per order of a day: lead time as a multiple of its option's mean (gamma, mean 1, cv of the
        option), a uniform that decides a carrier incident, and a standard exponential for its delay."""
        n = len(options)
        shape = self._shape[options]
        lead = self.rng.standard_gamma(shape, n) / shape
        if self._fixed_lead:
            lead = np.where(self.cv[options] > 0, lead, 1.0)
        return lead, self.rng.random(n), self.rng.standard_exponential(n)

    def transit_hours(
        self,
        options: np.ndarray,
        collected: np.ndarray,
        extra_hours: np.ndarray,
        lead: np.ndarray,
        incident_u: np.ndarray,
        incident_delay: np.ndarray,
    ) -> np.ndarray:
        """Collection to door of parcels collected at ``collected``: the gamma lead time (+ a market's extra
        hours) plus, after an incident, a delay.

        ``lead``, ``incident_u`` and ``incident_delay`` are the orders' draws from :meth:`draw`; a carrier
        disruption at the collection stretches the mean and raises the incident probability.
        """
        m, late_p = self.mean_h[options], self.late_p[options]
        if self.shocks is not None:
            stretch, extra_late = self.shocks.carrier_at(options, collected)
            m, late_p = m * stretch, np.minimum(1.0, late_p + extra_late)
        hours = m * lead + extra_hours
        return np.where(incident_u < late_p, hours + self.late_mean_h[options] * incident_delay, hours)

    def transit_hour(
        self, option: int, collected: float, extra_hours: float, lead: float, incident_u: float, incident_delay: float
    ) -> float:
        """:meth:`transit_hours` of one parcel (a wrong pick, a replacement), the same float, in plain Python:
        numpy's calls on arrays of one cost ten times the arithmetic."""
        if self.shocks is not None:  # a disruption's stretch: rare enough for the many-parcel form
            one = (np.array([x]) for x in (collected, extra_hours, lead, incident_u, incident_delay))
            return float(self.transit_hours(np.array([option]), *one)[0])
        hours = self._mean_h[option] * lead + extra_hours
        return hours + self._late_mean_h[option] * incident_delay if incident_u < self._late_p[option] else hours
