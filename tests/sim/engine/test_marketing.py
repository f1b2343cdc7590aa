"""Traffic by channel and day: the Hill response's half-saturation point, carry-over, budget schedules, content."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import sim
from sim.engine.sales.marketing import Marketing, content_sessions, hill_sessions
from sim.engine.shocks import Shocks

PAID = "traffic.channels.paid_search"


def _marketing(s: sim.Scenario, days: int = 30) -> Marketing:
    return Marketing(s, days, Shocks(s, days))


def _paid_by_day(s: sim.Scenario, days: int = 30, new_customers: float = 0.0) -> np.ndarray:
    """Expected paid sessions per day of paid_search on each day (review effect 1, no shocks)."""
    m = _marketing(s, days)
    k = list(s.traffic.channels).index("paid_search")
    acquired = np.full(len(s.traffic.channels), new_customers)
    return np.array([m.today(d, 1.0, 40.0, acquired)[1][k] * 24 for d in range(days)])


def test_hill_half_saturation_spend_buys_half_the_linear_clicks():
    """Hill with slope s: sessions = (K / cpc) A^s / (A^s + K^s); at A = K each click costs 2 cpc."""
    cpc, half = np.array([0.5]), np.array([100.0])
    for slope in (0.5, 1.0, 2.0):
        at_half = hill_sessions(half, cpc, half, np.array([slope]))[0]
        assert at_half == pytest.approx(0.5 * half[0] / cpc[0])  # 100 clicks for 100 spent at 0.5 a click
    one = np.array([1.0])
    ceiling = half[0] / cpc[0]
    assert hill_sessions(np.array([1e9]), cpc, half, one)[0] == pytest.approx(ceiling, rel=1e-6), "saturates at K/cpc"
    small = hill_sessions(np.array([1e-3]), cpc, half, one)[0]
    assert small == pytest.approx(1e-3 / cpc[0], rel=1e-4), "the first clicks cost cpc"
    doubled = hill_sessions(np.array([200.0]), cpc, half, one)[0] / hill_sessions(half, cpc, half, one)[0]
    assert doubled == pytest.approx(4 / 3), "doubling a budget at K gives a third more sessions, not twice"


def test_hill_without_half_saturation_is_linear_and_a_free_channel_buys_nothing():
    spend = np.array([100.0, 100.0, 0.0])
    out = hill_sessions(spend, np.array([0.5, 0.0, 0.5]), np.zeros(3), np.ones(3))
    assert out.tolist() == [200.0, 0.0, 0.0]


def test_content_reaches_63_percent_of_a_post_after_the_ramp():
    per_post, ramp = np.array([10.0]), np.array([30.0])
    one_a_day = content_sessions(np.array([7.0]), per_post, ramp, 400)[:, 0]
    gains = np.diff(one_a_day)  # the post of day d adds per_post (1 - exp(-d / ramp)) on day d
    assert gains[29] == pytest.approx(10.0 * (1 - math.exp(-1.0)))  # 63% of a ranked post after 30 days
    assert one_a_day[0] == 0.0 and np.all(gains > 0) and gains[-1] == pytest.approx(10.0, rel=1e-5)
    assert content_sessions(np.array([0.0]), per_post, ramp, 10).sum() == 0.0


def test_a_constant_budget_gives_the_same_traffic_with_or_without_carry_over(store):
    flat = _paid_by_day(store)
    carried = _paid_by_day(store.with_overrides({f"{PAID}.carryover": 0.7}))
    assert flat == pytest.approx(carried)
    assert flat[0] == pytest.approx(200.0 / 0.6), "linear: budget / cpc"


def test_a_budget_schedule_ramps_and_carry_over_spreads_it(store):
    """From scale_from_day the budget moves to scaled_budget over scale_ramp_days; adstock A = (1-c) x + c A."""
    plan = {f"{PAID}.scaled_budget": 400.0, f"{PAID}.scale_from_day": 10, f"{PAID}.scale_ramp_days": 4}
    ramped = _paid_by_day(store.with_overrides(plan))
    cpc = 0.6
    assert ramped[:10] == pytest.approx(200 / cpc)
    assert ramped[10:14] == pytest.approx(np.array([250, 300, 350, 400]) / cpc)
    assert ramped[14:] == pytest.approx(400 / cpc)
    c = 0.5
    carried = _paid_by_day(store.with_overrides({**plan, f"{PAID}.carryover": c, f"{PAID}.scale_ramp_days": 0}))
    gap = (400 / cpc - carried[10:16]) / (200 / cpc)  # the remaining share of the step closes by c a day
    assert gap == pytest.approx(c ** np.arange(1, 7))


def test_the_cac_test_stops_a_schedule_whose_customers_cost_too_much(store):
    plan = {
        f"{PAID}.scaled_budget": 400.0,
        f"{PAID}.scale_from_day": 5,
        f"{PAID}.scale_ramp_days": 0,
        f"{PAID}.scale_max_cac": 50.0,
    }
    s = store.with_overrides(plan)
    # 5 days x 200 spent: 1,000 for 10 customers is a CAC of 100 (stop), for 40 it is 25 (scale)
    for acquired, expected in ((10.0, 200.0), (40.0, 400.0)):
        m = _marketing(s)
        k = list(s.traffic.channels).index("paid_search")
        for d in range(8):
            free, paid, unit = m.today(d, 1.0, 40.0, np.full(len(s.traffic.channels), acquired))
            m.record_spend(paid * 24 * unit)
        assert paid[k] * 24 == pytest.approx(expected / 0.6), acquired


def test_free_traffic_grows_with_reviews_only_where_the_channel_says_so(store):
    m = _marketing(store)
    names = list(store.traffic.channels)
    free, _, _ = m.today(0, 1.2, 40.0, np.zeros(len(names)))
    per_day = {n: c.sessions_per_day for n, c in store.traffic.channels.items()}
    assert free[names.index("organic_search")] * 24 == pytest.approx(per_day["organic_search"] * 1.2)
    assert free[names.index("direct")] * 24 == pytest.approx(per_day["direct"]), "direct does not read reviews"


def test_a_traffic_shock_multiplies_free_and_paid_sessions(store):
    shock = {"risk.traffic_shocks": {"outage": {"start": "2026-01-07", "days": 3, "multiplier": 0.25}}}
    s = store.with_overrides(shock)
    normal, hit = _marketing(store), _marketing(s)
    zero = np.zeros(len(s.traffic.channels))
    for day, factor in ((1, 1.0), (2, 0.25), (4, 0.25), (5, 1.0)):
        a, b = normal.today(day, 1.0, 40.0, zero), hit.today(day, 1.0, 40.0, zero)
        assert b[0] == pytest.approx(a[0] * factor) and b[1] == pytest.approx(a[1] * factor), day


def test_the_fastest_ramp_ranks_every_post_within_a_day_without_overflow():
    """At the field's floor (0.01 days) every post older than a day brings all its sessions: per_post r d."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp(-age / ramp) would raise here
        got = content_sessions(np.array([7.0]), np.array([3.0]), np.array([0.01]), 30)[:, 0]
    assert got == pytest.approx(3.0 * np.arange(30), rel=1e-12, abs=1e-12)


def test_a_ramp_below_the_floor_is_a_one_line_error_naming_the_field():
    blog = {"content_posts_per_week": 3.0, "content_ramp_days": 1e-310}
    with pytest.raises(sim.ScenarioError, match=r"traffic.channels.blog.content_ramp_days = 1e-310.*>= 0.01"):
        sim.Scenario().with_overrides({"traffic.channels.blog": blog})


def test_a_budget_without_a_schedule_is_worked_out_once_to_the_same_bits_as_day_by_day(store):
    """Saturation and carry-over included: the precomputed paid traffic is the daily steps' to the last bit."""
    s = store.with_overrides({f"{PAID}.half_saturation_spend": 150.0, f"{PAID}.carryover": 0.6})
    once, daily = _marketing(s), _marketing(s)
    assert once.fixed_paid is not None
    daily.fixed_paid = None  # the path a budget schedule takes: adstock, Hill and unit cost worked out each day
    zero = np.zeros(len(s.traffic.channels))
    for day in range(10):
        a, b = once.today(day, 1.1, 40.0, zero), daily.today(day, 1.1, 40.0, zero)
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True)), day
    with pytest.raises(ValueError, match="read-only"):
        a[2][0] = 0.0  # the one cost array handed out every day cannot be changed by a caller
