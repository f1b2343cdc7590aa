"""Fulfilment: pickers in the warehouse and carriers on the road.

An order queues first-come for a picker (a SimPy ``Resource`` with one slot
per picker on shift), takes a lognormal pick time, and is packed with the
wrong item with ``pick_error_probability``.  Parcels wait for the carrier's
daily collection, then travel for a gamma-distributed lead time; a share of
them hits a carrier incident that adds an exponential delay.  The promised
date shown at checkout is ``promise_days`` after the order.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim.clock import ShiftClock, next_daily
from sim.scenario import Delivery, Warehouse


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this mean and coefficient of variation."""
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


class Picking:
    """The warehouse floor."""

    def __init__(self, env: simpy.Environment, cfg: Warehouse, clock: ShiftClock, rng: np.random.Generator) -> None:
        self.env = env
        self.clock = clock
        self.rng = rng
        self.pickers = simpy.Resource(env, capacity=cfg.pickers)
        self.mu, self.sigma = lognormal_params(cfg.pick_minutes_mean / 60.0, cfg.pick_minutes_cv)
        self.error_p = cfg.pick_error_probability
        self.pickup_hour = cfg.carrier_pickup_hour

    def pick(self):
        """Process: wait for the shift and a picker, pick.  Returns (time the pick started, wrong item?)."""
        env = self.env
        arrived = env.now
        wait = self.clock.delay_until_open(arrived)
        if wait:
            yield env.timeout(wait)
        with self.pickers.request() as req:
            yield req
            wait = self.clock.delay_until_open(env.now)
            if wait:  # queued past closing: first in line next shift
                yield env.timeout(wait)
            started = env.now
            yield env.timeout(self.rng.lognormal(self.mu, self.sigma) if self.sigma else math.exp(self.mu))
        return started, bool(self.rng.random() < self.error_p)

    def next_collection(self, t: float) -> float:
        return next_daily(t, self.pickup_hour)


class Carriers:
    """Delivery options: choice, price to the customer, cost and lead time."""

    def __init__(self, cfg: Delivery, rng: np.random.Generator) -> None:
        opts = list(cfg.options.values())
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
        self.late_p = np.array([o.late_probability for o in opts])
        self.late_mean_h = np.array([o.late_delay_days_mean * 24.0 for o in opts])

    def choose(self) -> int:
        return int(self.rng.choice(len(self.share), p=self.share))

    def transit_hours(self, option: int) -> float:
        """Collection to door: gamma lead time plus, after an incident, an exponential delay."""
        m, v = self.mean_h[option], self.cv[option]
        hours = self.rng.gamma(1.0 / (v * v), m * v * v) if v > 0 else m
        if self.rng.random() < self.late_p[option]:
            hours += self.rng.exponential(self.late_mean_h[option]) if self.late_mean_h[option] > 0 else 0.0
        return float(hours)
