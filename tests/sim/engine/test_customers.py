"""Customers after an order: the review they post (J-shaped, recency-weighted rating), churn, and who comes back.

Statistical checks draw from fixed seeds and compare with the exact
probability; each is a z-test at Z = 3.29 (two-sided, a correct model fails
it 1 in 1,000 times), with one check per test.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

import sim
from sim.engine import native
from sim.engine.aftersales.customers import CustomerBase, Experience, ReviewBoard, ReviewDraws
from sim.engine.log import EventLog

Z = 3.29
DAY = 24.0


def _board(s: sim.Scenario, clock: list[float] | None = None, **reviews: float) -> ReviewBoard:
    s = s.with_overrides({f"reviews.{k}": v for k, v in reviews.items()}) if reviews else s
    now = clock if clock is not None else [0.0]
    return ReviewBoard(s.reviews, s.crm.review_prompts, EventLog(), lambda: now[0])


def _rngs(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    return np.random.default_rng(seed), np.random.default_rng(seed + 1)


def _base(s: sim.Scenario, seed: int = 1) -> CustomerBase:
    return CustomerBase(s.customers, s.crm.membership, *_rngs(seed), EventLog())


def test_an_experience_is_bad_if_anything_went_wrong_and_closed_when_settled_and_answered():
    assert not Experience().bad and Experience(slow_service=True).bad and Experience(late=True).bad
    assert Experience(wrong_item=True).store_fault and not Experience(late=True).store_fault
    e = Experience(settled=True, open_tickets=1)
    assert not e.closed
    e.open_tickets = 0
    assert e.closed


def test_penalties_lower_the_expected_rating(baseline):
    board, r = _board(baseline), baseline.reviews
    assert board.expected_rating(Experience()) == r.base_rating
    both = Experience(late=True, defect=True)
    assert board.expected_rating(both) == pytest.approx(r.base_rating - r.penalty_late - r.penalty_defect)


def test_extreme_reviewers_keep_the_expected_rating(baseline):
    """With every reviewer extreme, 5 stars with probability (e - 1) / 4 and else 1: the mean is e exactly."""
    board = _board(baseline, extreme_share=1.0)
    u = np.random.default_rng(2026).random(40_000)
    stars = np.array([board.stars(Experience(late=True), x, 0.0) for x in u])
    e = baseline.reviews.base_rating - baseline.reviews.penalty_late  # 3.6
    assert set(stars) == {1, 5}
    p = (e - 1) / 4
    assert abs(stars.mean() - e) < Z * 4 * math.sqrt(p * (1 - p) / len(u))


def test_stars_stay_between_one_and_five(baseline):
    board = _board(baseline, extreme_share=0.0)
    awful = Experience(late=True, wrong_item=True, defect=True, slow_refund=True, slow_service=True)
    assert board.stars(awful, 0.9, -3.0) == 1 and board.stars(Experience(), 0.9, 5.0) == 5
    assert board.stars(Experience(), 0.9, 0.0) == round(baseline.reviews.base_rating)


def test_a_prompt_turns_silent_buyers_into_reviewers(baseline):
    """p = 1 - (1 - 0.08)(1 - 0.5) = 0.54 for a good order; 1 - (1 - 0.16)(1 - 0.5) = 0.58 after a bad one."""
    s = baseline.with_overrides({"crm.review_prompts.response_rate": 0.5})
    board = _board(s)
    assert board.p_review == pytest.approx([0.54, 0.58])
    n, rng = 20_000, np.random.default_rng(7)
    for i in range(n):
        board.maybe_review(
            1.0, i, i, Experience(settled=True), ReviewDraws(rng.random(), rng.random(), 0.0, 0.5), bad=False
        )
    posted = board.count - baseline.reviews.initial_count
    assert len(board.prompt_times) == n and abs(posted / n - 0.54) < Z * math.sqrt(0.54 * 0.46 / n)


def test_the_live_rating_forgets_with_its_half_life_and_the_count_does_not(baseline):
    clock = [0.0]
    board = _board(baseline, clock)
    r = baseline.reviews
    assert board.rating_now == pytest.approx(r.initial_rating)
    half = r.rating_half_life_days * DAY
    clock[0] = half
    assert board.rating_now == pytest.approx(r.initial_rating), "ageing alone does not move an average"
    draws = ReviewDraws(review_u=0.0, extreme_u=0.0, noise=0.0, churn_u=0.5)  # reviews, extreme: 5 stars
    board.maybe_review(half, 1, 1, Experience(), draws, bad=False)
    # one half-life on, the 40 initial reviews weigh as 20: (4.3 x 20 + 5) / 21
    old = r.initial_count / 2
    assert board.rating_now == pytest.approx((r.initial_rating * old + 5) / (old + 1))
    assert board.count == r.initial_count + 1 and board.rating == [5] and board.time == [half]


def test_a_flag_set_from_numpy_makes_a_bad_experience_like_true_or_is_refused(baseline):
    """On the engine's Python source numpy's bool reads as True: the review (0.08, 0.16 after a bad order)
    and churn (0.35, 0.70) chances take it as 1.  Compiled by mypyc (``sim.engine.native``) the flags are
    C bools and refuse it at once, with a TypeError.  The model itself sets them from Python values (a
    mispick compares two SKU indices read from the order book)."""
    flag = np.int64(1) != np.int64(0)
    if native.COMPILED:
        with pytest.raises(TypeError):
            Experience(wrong_item=flag)
        return
    e = Experience(wrong_item=flag)
    assert type(e.bad) is np.bool_
    board, base = _board(baseline), _base(baseline)
    cid = base.new(0.0, 0)
    board.maybe_review(1.0, 0, cid, e, ReviewDraws(0.1, 0.9, 0.0, 0.5), e.bad)  # 0.08 <= 0.1 < 0.16
    base.settle(1.0, cid, e.bad, churn_u=0.5)  # 0.35 <= 0.5 < 0.70
    assert len(board.rating) == 1 and base.churned == [True]


def test_churn_and_the_active_base(baseline):
    c = baseline.customers  # churn 0.35, +0.35 after a bad order
    base = _base(baseline)
    a, b = base.new(0.0, 0), base.new(1.0, 2)
    base.settle(10.0, a, bad=False, churn_u=0.5)  # 0.5 >= 0.35: stays
    base.settle(10.0, b, bad=True, churn_u=0.5)  # 0.5 < 0.70: leaves
    assert c.churn_probability == 0.35 and base.active == 1 and base.churned == [False, True]
    assert base.churned_count == 1 and base.pick_active() == a
    base.settle(20.0, b, bad=False, churn_u=0.99)
    assert base.active == 1, "a churned customer does not come back on their own"
    assert base.win_back(5) == 1 and base.active == 2 and base.churned_count == 0


def test_reviews_and_churns_are_the_log_s_rows(baseline):
    """The log's review and churn rows come from the board's and the base's own columns, a won-back
    customer's second churn included, each with the orders placed by then."""
    log = EventLog()
    board = ReviewBoard(baseline.reviews, baseline.crm.review_prompts, log)
    base = CustomerBase(baseline.customers, baseline.crm.membership, *_rngs(1), log)
    cid = base.new(0.0, 0)
    base.orders[cid] = 2
    board.maybe_review(5.0, 0, cid, Experience(late=True), ReviewDraws(0.0, 0.99, 0.0, 0.0), True)
    base.settle(5.0, cid, bad=True, churn_u=0.0)
    base.win_back(1)
    base.orders[cid] = 3
    base.settle(30.0, cid, bad=False, churn_u=0.0)
    assert len(log) == 3
    frame = log.frame(dt.date(2026, 1, 5), np.array(["email"], dtype=object))
    rows = list(zip(frame["time_h"], frame["kind"].astype(str), frame["order_id"], frame["value"], strict=True))
    assert rows == [(5.0, "review_posted", 0, board.rating[0]), (5.0, "customer_churned", -1, 2.0)] + [
        (30.0, "customer_churned", -1, 3.0)
    ]
    assert frame["customer_id"].tolist() == [cid] * 3 and frame["sku"].tolist() == [""] * 3


def test_a_returning_order_picks_a_class_by_its_visit_weight(baseline):
    """Two equal segments, one visiting 3x as often: 3/4 of repeat orders come from it."""
    segments = {"casual": {"share": 0.5}, "fans": {"share": 0.5, "visit_rate_multiplier": 3.0}}
    base = _base(baseline.with_overrides({"customers.segments": segments}), seed=3)
    for _ in range(400):
        base.settle(0.0, base.new(0.0, 0), bad=False, churn_u=0.99)
    assert base.visit_weight() == pytest.approx(base.active_by_class() @ np.array([1.0, 3.0]))
    fans = np.array(base.segment)
    share_active = base.active_by_class() / base.active
    p = 3 * share_active[1] / (share_active[0] + 3 * share_active[1])
    n = 20_000
    picked = sum(fans[base.pick_active()] for _ in range(n))
    assert abs(picked / n - p) < Z * math.sqrt(p * (1 - p) / n)


def test_members_are_their_own_class_and_churn_less(baseline):
    s = baseline.with_overrides({"crm.membership.offered": True})
    base = _base(s)
    cid = base.new(0.0, 0)
    base.settle(0.0, cid, bad=False, churn_u=0.99)
    base.join(cid)
    assert base.member[cid] and base.active_members() == 1 and base.active == 1
    # churn 0.35 x member 0.7 = 0.245: a draw of 0.3 keeps the member, who would have left without membership
    base.settle(1.0, cid, bad=False, churn_u=0.3)
    assert not base.churned[cid]
