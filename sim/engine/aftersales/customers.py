"""Customers, their experience, their reviews and whether they come back.

A customer is created at their first order.  When an order settles
(delivered and kept, or refunded) and every ticket about it has been
answered, its customer's experience decides three things - the guide's
loop in numbers:

* a review, with a rating that loses stars for a late parcel, a wrong or
  defective item (less when the store sent a replacement:
  ``reviews.replacement_recovery``), a slow refund or a slow answer from the service desk; the
  live store rating feeds conversion and organic traffic (``sim.engine.sales.demand``);
  a review prompt (``crm.review_prompts``) turns some silent buyers into
  reviewers: ``p = 1 - (1 - review_probability) (1 - response_rate)``;
* churn: the customer leaves with ``churn_probability``, plus
  ``bad_experience_churn`` after a bad order, times the multipliers of the
  customer's segment, membership and warranty;
* otherwise the customer joins (or stays in) the active base, whose members
  come back at ``visit_rate_per_day`` (times their segment's and
  membership's visit multipliers) through the repeat channels.

Customers are kept in one pool per *class* - segment x member - so that
classes that visit more often also order more often: a returning
customer's order goes to a class with probability proportional to its
active count x visit weight x conversion weight, then to a random member of
it.  A store without segments or membership has one class and draws exactly
as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.engine.log import EventLog, pack
from sim.scenario.definition import Customers, Reviews
from sim.scenario.levers import Membership, ReviewPrompts, Segment


@dataclass(slots=True, init=False)
class Experience:
    """What went wrong with one order (all False for a flawless one), and whether it is over yet.

    The order's review and its customer's churn decision wait until the order
    has settled *and* every ticket about it has been answered
    (``open_tickets`` back to 0): a slow answer after delivery still counts.

    The ``__init__`` is written out (``init=False``) and holds the defaults (a
    flawless order, no ticket, not settled): mypyc compiles a written one into
    a C constructor and calls a dataclass-made one through Python, at ten times
    the cost (so for :class:`ReviewDraws` and ``sim.engine.fate.Fate``).
    """

    late: bool
    wrong_item: bool
    defect: bool
    slow_refund: bool
    slow_service: bool
    #: the wrong or defective item was replaced (reshipped), not refunded
    replaced: bool
    #: tickets about this order opened (or scheduled) and not answered yet
    open_tickets: int
    #: delivered and kept, or refunded
    settled: bool

    def __init__(
        self,
        late: bool = False,
        wrong_item: bool = False,
        defect: bool = False,
        slow_refund: bool = False,
        slow_service: bool = False,
        replaced: bool = False,
        open_tickets: int = 0,
        settled: bool = False,
    ) -> None:
        self.late, self.wrong_item, self.defect = late, wrong_item, defect
        self.slow_refund, self.slow_service, self.replaced = slow_refund, slow_service, replaced
        self.open_tickets, self.settled = open_tickets, settled

    @property
    def bad(self) -> bool:
        return self.late or self.wrong_item or self.defect or self.slow_refund or self.slow_service

    @property
    def store_fault(self) -> bool:
        """The store sent the wrong item or a defective one: returned at once, label and refund on the store."""
        return self.wrong_item or self.defect

    @property
    def closed(self) -> bool:
        """Settled with no ticket waiting: the experience is final."""
        return self.settled and not self.open_tickets


class ReviewBoard:
    """Reviews as they are posted, and the live rating (recency-weighted) and count.

    Platforms show recent experience: Taobao/Tmall shop ratings average the
    last 180 days, Google seller ratings the last 12 months.  The live rating
    here weights each review by ``0.5 ** (age / rating_half_life_days)``, so
    a store that starts answering slowly loses stars within weeks, whatever
    its history.  The review *count* (social proof) is all-time, as shown.

    Who reviews and what they give are J-shaped (Hu, Pavlou & Zhang 2009;
    Schoenmueller, Netzer & Stahl 2020): after a bad experience a buyer
    reviews ``bad_experience_review_multiplier`` times as often, and a share
    ``extreme_share`` of reviewers give 1 or 5 stars (5 with probability
    ``(expected - 1) / 4``, which keeps the expected rating of the
    experience), the rest a rounded normal around it.

    The board's columns (``time``, ``order_id``, ``customer_id``, ``rating``)
    are the reviews table, and the event log's ``review_posted`` rows are made
    from them when it is read (a :class:`~sim.engine.log.RowSource`).
    """

    def __init__(
        self, cfg: Reviews, prompts: ReviewPrompts, log: EventLog, clock: Callable[[], float] = lambda: 0.0
    ) -> None:
        self.cfg = cfg
        self.clock = clock
        self.count = float(cfg.initial_count)
        #: decayed sums of stars and weights, as of hour ``_at``
        self._stars = cfg.initial_rating * cfg.initial_count
        self._weight = float(cfg.initial_count)
        self._at = 0.0
        self._decay_per_h = math.log(2.0) / (cfg.rating_half_life_days * 24.0)
        self.prompted = prompts.response_rate > 0
        #: the chance to review after a good and after a bad experience (indexed by ``Experience.bad``)
        self.p_review = [
            1.0 - (1.0 - min(1.0, cfg.review_probability * m)) * (1.0 - prompts.response_rate)
            for m in (1.0, cfg.bad_experience_review_multiplier)
        ]
        #: times of the review prompts sent (one per settled order while prompts are on)
        self.prompt_times: list[float] = []
        self.order_id: list[int] = []
        self.customer_id: list[int] = []
        self.time: list[float] = []
        self.rating: list[int] = []
        log.derive(self)

    def _age_to(self, now: float) -> None:
        if now > self._at:
            f = math.exp(-self._decay_per_h * (now - self._at))
            self._stars *= f
            self._weight *= f
            self._at = now

    @property
    def rating_now(self) -> float:
        """The recency-weighted average rating at the clock's time (the initial rating before any weight)."""
        self._age_to(self.clock())
        return self._stars / self._weight if self._weight > 1e-12 else self.cfg.initial_rating

    def expected_rating(self, e: Experience) -> float:
        c = self.cfg
        fault = c.penalty_wrong_item * e.wrong_item + c.penalty_defect * e.defect
        return (
            c.base_rating
            - c.penalty_late * e.late
            - fault * (1.0 - c.replacement_recovery * e.replaced)
            - c.penalty_slow_refund * e.slow_refund
            - c.penalty_slow_service * e.slow_service
        )

    def stars(self, e: Experience, extreme_u: float, noise: float) -> int:
        """Stars of a review of experience ``e`` from its draws (a uniform and a standard normal)."""
        expected = min(5.0, max(1.0, self.expected_rating(e)))
        share = self.cfg.extreme_share
        if extreme_u < share:
            return 5 if extreme_u / share < (expected - 1.0) / 4.0 else 1
        return min(5, max(1, round(expected + self.cfg.noise_sd * noise)))

    def maybe_review(
        self, now: float, order_id: int, customer_id: int, e: Experience, draws: ReviewDraws, bad: bool
    ) -> None:
        """The buyer of a closed order reviews it with the probability of its experience (``bad``: ``e.bad``)."""
        if self.prompted:
            self.prompt_times.append(now)
        if draws.review_u >= self.p_review[1 if bad else 0]:  # bad may be numpy's bool
            return
        stars = self.stars(e, draws.extreme_u, draws.noise)
        self._age_to(now)
        self.count += 1
        self._stars += stars
        self._weight += 1.0
        self.order_id.append(order_id)
        self.customer_id.append(customer_id)
        self.time.append(now)
        self.rating.append(stars)

    def row_count(self) -> int:
        """The number of reviews posted: the log's ``review_posted`` rows."""
        return len(self.time)

    def row_block(self) -> np.ndarray:
        """The log's ``review_posted`` rows: time, order, customer and stars of every review."""
        return pack(self.time, "review_posted", self.order_id, self.customer_id, -1, self.rating)


@dataclass(slots=True, init=False)
class ReviewDraws:
    """An order's draws for its review and its customer's churn decision (``sim.engine.fate``).

    A dataclass, not a NamedTuple: the compiled engine reads a field of its own class in C, a NamedTuple's
    through a Python attribute lookup (and its ``__init__`` is written out, as :class:`Experience`'s is).
    """

    review_u: float
    extreme_u: float
    noise: float
    churn_u: float

    def __init__(self, review_u: float, extreme_u: float, noise: float, churn_u: float) -> None:
        self.review_u, self.extreme_u, self.noise, self.churn_u = review_u, extreme_u, noise, churn_u


class CustomerBase:
    """Customer records and the active pools (one per class) that generate repeat visits.

    Every churn is kept in three columns (``churn_time``, ``churn_customer``
    and the orders the customer had placed, ``churn_orders``), from which the
    event log makes its ``customer_churned`` rows when it is read (a
    :class:`~sim.engine.log.RowSource`): tens of thousands a growth year,
    without a call and a tuple each.
    """

    def __init__(
        self,
        cfg: Customers,
        membership: Membership,
        rng: np.random.Generator,
        crm_rng: np.random.Generator,
        log: EventLog,
    ) -> None:
        self.cfg = cfg
        self.rng = rng
        self.crm_rng = crm_rng
        segments = list((cfg.segments or {"all": Segment()}).values())
        self.segment_share = np.array([g.share for g in segments])
        self.members = 2 if membership.offered else 1
        member_churn = (1.0, membership.churn_multiplier)[: self.members]
        member_visit = (1.0, membership.visit_rate_multiplier)[: self.members]
        #: per class (segment * members + member): churn multiplier and visit weight
        self.class_churn = np.array([g.churn_multiplier * m for g in segments for m in member_churn])
        self.class_visit = np.array([g.visit_rate_multiplier * v for g in segments for v in member_visit])
        self.classes = len(self.class_churn)
        # the same as plain floats for :meth:`settle`, read once per closed order: the churn probability after a
        # good and after a bad experience (indexed by ``Experience.bad``), and the class multipliers
        self._churn_p = tuple(cfg.churn_probability + extra for extra in (0.0, cfg.bad_experience_churn))
        self._class_churn: list[float] = self.class_churn.tolist()
        self.first_order: list[float] = []
        self.channel: list[int] = []
        self.orders: list[int] = []
        self.churned: list[bool] = []
        self.segment: list[int] = []
        self.member: list[bool] = []
        #: each customer's class, segment * members + member (kept with ``member``: read at every closed order)
        self._class_of: list[int] = []
        self._pools: list[list[int]] = [[] for _ in range(self.classes)]
        self._slot: dict[int, int] = {}
        self._gone: list[int] = []  # churned customers, for win-back campaigns
        #: every churn, in the order they happened (a customer won back may churn again), as the log packs them
        self.churn_time: list[float] = []
        self.churn_customer: list[int] = []
        self.churn_orders: list[int] = []
        log.derive(self)

    @property
    def active(self) -> int:
        return len(self._slot)

    def active_by_class(self) -> np.ndarray:
        return np.array([len(p) for p in self._pools], dtype=float)

    def visit_weight(self) -> float:
        """Active customers weighted by how often their class visits (= ``active`` for one plain class)."""
        if self.classes == 1:
            return self.active
        return float(self.active_by_class() @ self.class_visit)

    def new(self, now: float, channel: int) -> int:
        cid = len(self.first_order)
        self.first_order.append(now)
        self.channel.append(channel)
        self.orders.append(0)
        self.churned.append(False)
        segment = (
            int(self.crm_rng.choice(len(self.segment_share), p=self.segment_share))
            if len(self.segment_share) > 1
            else 0
        )
        self.segment.append(segment)
        self.member.append(False)
        self._class_of.append(segment * self.members)
        return cid

    def pick_active(self, conversion: np.ndarray | None = None) -> int:
        """The active customer who is ordering: a class by visits x ``conversion`` weight, then a member of it."""
        if self.classes == 1:
            pool = self._pools[0]
            return pool[int(self.rng.random() * len(pool))]  # a uniform index: a tenth of ``integers``' cost
        w = self.active_by_class() * self.class_visit * (1.0 if conversion is None else conversion)
        c = int(np.searchsorted(np.cumsum(w), self.rng.random() * w.sum(), side="right"))
        pool = self._pools[min(c, self.classes - 1)]
        return pool[int(self.rng.random() * len(pool))]

    def join(self, cid: int) -> None:
        """The customer becomes a member (their class changes if they are in the active base)."""
        was = cid in self._slot
        if was:
            self._leave(cid)
        self.member[cid] = True
        self._class_of[cid] = self.segment[cid] * self.members + 1
        if was:
            self._enter(cid)

    def settle(self, now: float, cid: int, bad: bool, churn_u: float, churn_multiplier: float = 1.0) -> None:
        """After an order closes (``bad``: its experience was): churn if ``churn_u`` (a uniform drawn with the
        order) falls below its churn probability, or join the active base."""
        if self.churned[cid]:
            return
        p = self._churn_p[1 if bad else 0]
        if churn_multiplier != 1.0 or self.classes > 1:
            p *= self._class_churn[self._class_of[cid]] * churn_multiplier
        if churn_u < (p if p < 1.0 else 1.0):  # min(1.0, p) without the builtin's call
            self.churned[cid] = True
            self._leave(cid)
            self._gone.append(cid)
            self.churn_time.append(now)
            self.churn_customer.append(cid)
            self.churn_orders.append(self.orders[cid])
        elif cid not in self._slot:
            self._enter(cid)

    def win_back(self, n: int) -> int:
        """``n`` churned customers (at random) rejoin the active base; returns how many did."""
        n = min(n, len(self._gone))
        for _ in range(n):
            i = int(self.crm_rng.integers(len(self._gone)))
            cid = self._gone[i]
            self._gone[i] = self._gone[-1]
            self._gone.pop()
            self.churned[cid] = False
            self._enter(cid)
        return n

    def row_count(self) -> int:
        """The number of churns so far: the log's ``customer_churned`` rows."""
        return len(self.churn_time)

    def row_block(self) -> np.ndarray:
        """The log's ``customer_churned`` rows: time, customer and orders placed of every churn."""
        return pack(self.churn_time, "customer_churned", -1, self.churn_customer, -1, self.churn_orders)

    @property
    def churned_count(self) -> int:
        return len(self._gone)

    def active_members(self) -> int:
        if self.members == 1:
            return 0
        return int(sum(len(self._pools[c]) for c in range(1, self.classes, 2)))

    def _enter(self, cid: int) -> None:
        pool = self._pools[self._class_of[cid]]
        self._slot[cid] = len(pool)
        pool.append(cid)

    def _leave(self, cid: int) -> None:
        slot = self._slot.pop(cid, None)
        if slot is None:
            return
        pool = self._pools[self._class_of[cid]]
        last = pool.pop()
        if last != cid:
            pool[slot] = last
            self._slot[last] = slot
