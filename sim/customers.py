"""Customers, their experience, their reviews and whether they come back.

A customer is created at their first order.  When an order settles
(delivered and kept, or refunded), its customer's experience decides three
things - the guide's loop in numbers:

* a review, with a rating that loses stars for a late parcel, a wrong or
  defective item, a slow refund or a slow answer from the service desk; the
  live store rating feeds conversion and organic traffic (``sim.demand``);
* churn: the customer leaves with ``churn_probability``, plus
  ``bad_experience_churn`` after a bad order;
* otherwise the customer joins (or stays in) the active base, whose members
  come back at ``visit_rate_per_day`` through the repeat channels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.log import EventLog
from sim.scenario import Customers, Reviews


@dataclass
class Experience:
    """What went wrong with one order (all False for a flawless one)."""

    late: bool = False
    wrong_item: bool = False
    defect: bool = False
    slow_refund: bool = False
    slow_service: bool = False

    @property
    def bad(self) -> bool:
        return self.late or self.wrong_item or self.defect or self.slow_refund or self.slow_service


class ReviewBoard:
    """Reviews as they are posted, and the live average rating and count."""

    def __init__(self, cfg: Reviews, rng: np.random.Generator, log: EventLog) -> None:
        self.cfg = cfg
        self.rng = rng
        self.log = log
        self.count = float(cfg.initial_count)
        self.stars_total = cfg.initial_rating * cfg.initial_count
        self.order_id: list[int] = []
        self.customer_id: list[int] = []
        self.time: list[float] = []
        self.rating: list[int] = []

    @property
    def rating_now(self) -> float:
        return self.stars_total / self.count if self.count else self.cfg.initial_rating

    def expected_rating(self, e: Experience) -> float:
        c = self.cfg
        return (c.base_rating - c.penalty_late * e.late - c.penalty_wrong_item * e.wrong_item
                - c.penalty_defect * e.defect - c.penalty_slow_refund * e.slow_refund
                - c.penalty_slow_service * e.slow_service)

    def maybe_review(self, now: float, order_id: int, customer_id: int, e: Experience) -> None:
        if self.rng.random() >= self.cfg.review_probability:
            return
        stars = int(np.clip(np.rint(self.expected_rating(e) + self.rng.normal(0.0, self.cfg.noise_sd)), 1, 5))
        self.count += 1
        self.stars_total += stars
        self.order_id.append(order_id)
        self.customer_id.append(customer_id)
        self.time.append(now)
        self.rating.append(stars)
        self.log.add(now, "review_posted", order_id, customer_id, value=stars)


class CustomerBase:
    """Customer records and the active pool that generates repeat visits."""

    def __init__(self, cfg: Customers, rng: np.random.Generator, log: EventLog) -> None:
        self.cfg = cfg
        self.rng = rng
        self.log = log
        self.first_order: list[float] = []
        self.channel: list[int] = []
        self.orders: list[int] = []
        self.churned: list[bool] = []
        self._pool: list[int] = []
        self._slot: dict[int, int] = {}

    @property
    def active(self) -> int:
        return len(self._pool)

    def new(self, now: float, channel: int) -> int:
        cid = len(self.first_order)
        self.first_order.append(now)
        self.channel.append(channel)
        self.orders.append(0)
        self.churned.append(False)
        return cid

    def pick_active(self) -> int:
        """A random member of the active base (the one who is visiting)."""
        return self._pool[int(self.rng.integers(len(self._pool)))]

    def settle(self, now: float, cid: int, e: Experience) -> None:
        """After an order settles: churn, or join the active base."""
        if self.churned[cid]:
            return
        p = min(1.0, self.cfg.churn_probability + (self.cfg.bad_experience_churn if e.bad else 0.0))
        if self.rng.random() < p:
            self.churned[cid] = True
            self._leave(cid)
            self.log.add(now, "customer_churned", customer_id=cid, value=self.orders[cid])
        elif cid not in self._slot:
            self._slot[cid] = len(self._pool)
            self._pool.append(cid)

    def _leave(self, cid: int) -> None:
        slot = self._slot.pop(cid, None)
        if slot is None:
            return
        last = self._pool.pop()
        if last != cid:
            self._pool[slot] = last
            self._slot[last] = slot
