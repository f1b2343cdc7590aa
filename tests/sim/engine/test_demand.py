"""Traffic and the funnel of one day: the published curves behind each multiplier, and draws with the right means.

The statistical tests draw many days of the baseline store from fixed seeds
and compare the totals with their expectation: a sum of independent Poisson
(arrivals) or binomial (funnel steps) draws, whose standard deviation is
known, so each check is a z-test against theory.  Z_CHECK is chosen so that
a correct model fails a test of k such checks at most 1 in 1,000 times
(two-sided normal tails, union bound over the checks; the counts are in the
tens of thousands, where the normal approximation of a Poisson or binomial
total is accurate to well under that).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import sim
from sim.engine.rng import Streams
from sim.engine.sales.demand import (
    Demand,
    bounce_probability,
    quality_multiplier,
    review_multiplier,
    speed_multiplier,
    spread,
)
from sim.engine.sales.offer import build_offer
from sim.engine.sales.variants import build_cells

DAYS = 60
#: Checks per statistical test; each test's chance of failing on a correct model is <= 1/1000 (union bound).
CHECKS = 4
Z_CHECK = float(stats.norm.ppf(1 - 0.001 / (2 * CHECKS)))  # 3.48


def _z(observed: float, mean: float, var: float) -> float:
    return (observed - mean) / math.sqrt(var)


def test_reviews_each_star_is_worth_the_sensitivity_and_no_reviews_the_floor(baseline):
    r = baseline.reviews
    many = 1e9
    assert review_multiplier(r.reference_rating, many, r) == pytest.approx(1.0)
    assert review_multiplier(4.5, many, r) / review_multiplier(3.5, many, r) == pytest.approx(
        math.exp(r.rating_sensitivity)
    )
    assert review_multiplier(r.reference_rating, 0, r) == pytest.approx(r.count_floor)  # Spiegel 2017: ~0.19
    counts = [0, 1, 5, 20, 100]
    assert np.all(np.diff([review_multiplier(4.0, c, r) for c in counts]) > 0), "more reviews convert better"


def test_bounce_follows_the_published_rise_with_load_time(baseline):
    """Google/SOASTA 2017: bounce +32% from 1 s to 3 s and +90% from 1 s to 5 s."""
    f = baseline.funnel
    page = baseline.page

    def bounce(t: float, nav: float = 0.5) -> float:
        return bounce_probability(page.model_copy(update={"load_time_s": t, "navigation_quality": nav}), f)

    assert bounce(f.reference_load_time_s) == pytest.approx(f.bounce_rate), "the scenario's rate at its reference"
    assert bounce(3.0) / bounce(1.0) == pytest.approx(1.0 + f.bounce_rise_1s_to_3s)
    assert bounce(5.0) / bounce(1.0) == pytest.approx(1.0 + f.bounce_rise_1s_to_5s)
    assert bounce(2.0, nav=1.0) < bounce(2.0) < bounce(2.0, nav=0.0), "navigation that helps lowers bounce"
    assert bounce(60.0) == 0.99, "a probability, however slow the page"


def test_speed_a_second_faster_adds_the_registers_gain_and_is_capped(baseline):
    f = baseline.funnel
    ref = f.reference_load_time_s
    assert speed_multiplier(ref, f) == 1.0
    assert speed_multiplier(ref - 1.0, f) == pytest.approx((1 + f.conversion_gain_per_100ms) ** 10)  # ~ +3%
    assert speed_multiplier(ref + 1.0, f) * speed_multiplier(ref - 1.0, f) == pytest.approx(1.0)
    slow = ref + f.speed_effect_cap_s
    assert speed_multiplier(slow + 10.0, f) == speed_multiplier(slow, f), "the effect stops at the cap"


def test_quality_spreads_around_the_typical_half(baseline):
    f = baseline.funnel
    assert spread(0.5, 0.3) == 1.0 and spread(1.0, 0.3) == pytest.approx(1.3) and spread(0.0, 0.3) == pytest.approx(0.7)
    assert quality_multiplier(baseline.page.model_copy(update={"quality": 1.0}), f) == pytest.approx(
        1.0 + f.quality_effect
    )


def _demand(s: sim.Scenario, days: int = DAYS) -> Demand:
    cells = build_cells(s, days)
    return Demand(s, cells, [build_offer(arm, days) for arm in cells.arms.scenarios], start_weekday=0)


def _days(s: sim.Scenario, seed: int, in_stock: np.ndarray | None = None, days: int = DAYS) -> list:
    demand = _demand(s, days)
    streams = Streams.from_seed(seed)
    season = demand.season(days * 24).reshape(days, 24)
    channels = s.traffic.channels.values()
    free = np.array([c.sessions_per_day for c in channels]) / 24
    paid = np.array([c.daily_budget / c.cost_per_click if c.cost_per_click else 0.0 for c in channels]) / 24
    stock = np.ones(len(s.catalogue.skus), dtype=bool) if in_stock is None else in_stock
    out = []
    for d in range(days):
        streams.start_day(d)
        out.append(demand.draw(d, season[d], streams, free, paid, 1.0, 0.0, None, None, stock))
    return out


def test_season_has_mean_one_so_it_moves_traffic_without_adding_any(baseline):
    season = _demand(baseline).season(7 * 24)
    assert season.mean() == pytest.approx(1.0)
    assert season.reshape(7, 24).mean(axis=0).argmax() != season.reshape(7, 24).mean(axis=0).argmin()


def test_sessions_and_funnel_steps_have_their_expected_means(baseline):
    """Poisson arrivals with mean season x (free + paid); bounce, cart-to-checkout and checkout-to-order binomial."""
    days = _days(baseline, seed=2026)
    demand = _demand(baseline)
    channels = baseline.traffic.channels.values()
    per_day = sum(
        c.sessions_per_day + (c.daily_budget / c.cost_per_click if c.cost_per_click else 0.0) for c in channels
    )
    season = demand.season(DAYS * 24)
    mean_sessions = per_day / 24 * season.sum()
    sessions = sum(int(c.sessions.sum()) for c in days)
    assert abs(_z(sessions, mean_sessions, mean_sessions)) < Z_CHECK  # Poisson: variance = mean
    viewers = sum(int(c.views.sum()) for c in days)
    p_view = float(demand.view_p[0])
    assert p_view == pytest.approx(1 - baseline.funnel.bounce_rate)  # the baseline page is at the reference
    assert abs(_z(viewers, sessions * p_view, sessions * p_view * (1 - p_view))) < Z_CHECK
    carts, checkouts = sum(int(c.carts.sum()) for c in days), sum(int(c.checkouts.sum()) for c in days)
    orders = sum(int(c.orders.sum()) for c in days)
    p = baseline.funnel.cart_to_checkout
    assert abs(_z(checkouts, carts * p, carts * p * (1 - p))) < Z_CHECK
    assert np.all(build_offer(baseline, DAYS).checkout_multiplier == 1.0), "the loaded fees: no fee effect"
    q = baseline.funnel.checkout_to_order
    assert abs(_z(orders, checkouts * q, checkouts * q * (1 - q))) < Z_CHECK


def test_a_sold_out_sku_gets_views_but_no_carts_when_sales_are_lost(baseline):
    assert baseline.catalogue.stockout_policy == "lost"
    in_stock = np.array([name != "hoodie" for name in baseline.catalogue.skus])
    days = _days(baseline, seed=5, in_stock=in_stock, days=10)
    hoodie = list(baseline.catalogue.skus).index("hoodie")
    views = sum(int(c.views[..., hoodie].sum()) for c in days)
    assert views > 0 and sum(int(c.carts[..., hoodie].sum()) for c in days) == 0
    assert sum(int(c.views_out_of_stock.sum()) for c in days) == views


def test_a_funnel_lever_leaves_the_arrivals_of_a_paired_run_unchanged(baseline):
    """Common random numbers: arrivals come from the traffic stream, funnel steps from the funnel stream."""
    better = baseline.with_overrides({"funnel.view_to_cart": baseline.funnel.view_to_cart * 1.5})
    a, b = _days(baseline, seed=9, days=5), _days(better, seed=9, days=5)
    assert all(np.array_equal(x.sessions, y.sessions) for x, y in zip(a, b, strict=True))
    assert sum(int(y.carts.sum()) for y in b) > sum(int(x.carts.sum()) for x in a)


def test_killed_skus_get_no_views_and_an_empty_shop_none_at_all(baseline):
    demand = _demand(baseline)
    live = np.array([True, False, True, True])
    demand.set_live(live)
    assert demand.sku_share[1] == 0 and demand.sku_share.sum() == pytest.approx(1.0)
    demand.set_live(np.zeros(4, dtype=bool))
    assert demand.sku_share.sum() == 0
    free = np.array([c.sessions_per_day for c in baseline.traffic.channels.values()]) / 24
    stock = np.ones(4, dtype=bool)
    c = demand.draw(0, demand.season(24), Streams.from_seed(1), free, free * 0, 1.0, 0.0, None, None, stock)
    assert c.sessions.sum() > 0 and c.viewers.sum() == c.views.sum() == c.orders.sum() == len(c.order_skus) == 0


def _hour_by_hour(rng: np.random.Generator, demand: Demand, cells: np.ndarray, day: int) -> np.ndarray:
    """The funnel as binomial steps hour by hour over [hour, channel, group, cell, sku] (views, carts, checkouts,
    orders), in stock, rating and prices at their reference: the distribution :meth:`Demand.draw` must have."""
    viewers = rng.binomial(cells, demand.view_p)
    views = rng.multinomial(viewers, demand.sku_share)
    carts = rng.binomial(views, np.minimum(demand.base_cart * demand.price_mult[day], 1.0))
    checkouts = rng.binomial(carts, demand.cart_to_checkout)
    return np.stack([views, carts, checkouts, rng.binomial(checkouts, demand.checkout_to_order)])


def test_the_funnel_has_the_distribution_of_binomial_steps_hour_by_hour(baseline):
    """Each step's day total per SKU and the orders in each quarter of the day, over 400 draws of one day's
    funnel on its sessions, against 400 of the hour-by-hour binomial steps on the same sessions: two-sample
    z-tests, 20 checks at 1/1000 together (Bonferroni).  Every draw's counts are also nested (views >= carts >=
    checkouts >= orders) and the orders and their SKUs agree."""
    demand, day, n = _demand(baseline, days=1), 0, 400
    channels = baseline.traffic.channels.values()
    free = np.array([c.sessions_per_day for c in channels]) / 24
    paid = np.array([c.daily_budget / c.cost_per_click if c.cost_per_click else 0.0 for c in channels]) / 24
    stock, season = np.ones(len(baseline.catalogue.skus), dtype=bool), demand.season(24)
    bulk, steps = [], []
    reference = np.random.default_rng(11)
    for seed in np.random.SeedSequence(10).spawn(n):
        c = demand.draw(day, season, Streams.from_seed(seed), free, paid, 1.0, 0.0, None, None, stock)
        assert (c.views >= c.carts).all() and (c.carts >= c.checkouts).all() and (c.checkouts >= c.orders).all()
        ordering = np.bincount(c.order_slots, minlength=c.cells.size).reshape(c.cells.shape)
        assert c.orders.sum() == len(c.order_slots) == len(c.order_skus) and c.viewers.sum() == c.views.sum()
        assert (ordering <= c.viewers).all() and (c.viewers <= c.cells).all()
        hours = c.order_slots // (c.cells.size // 24)
        per_quarter = np.bincount(hours // 6, minlength=4)
        bulk.append(
            np.concatenate(
                [np.stack([c.views, c.carts, c.checkouts, c.orders]).sum(axis=(1, 2, 3)).ravel(), per_quarter]
            )
        )
        ref = _hour_by_hour(reference, demand, c.cells, day)
        steps.append(
            np.concatenate(
                [ref.sum(axis=(1, 2, 3, 4)).ravel(), ref[3].sum(axis=(1, 2, 3, 4)).reshape(4, 6).sum(axis=1)]
            )
        )
    a, b = np.array(bulk, dtype=float), np.array(steps, dtype=float)
    checks = a.shape[1]
    z = (a.mean(axis=0) - b.mean(axis=0)) / np.sqrt((a.var(axis=0, ddof=1) + b.var(axis=0, ddof=1)) / n)
    assert checks == 4 * len(baseline.catalogue.skus) + 4 and a.mean(axis=0).min() > 0.5
    assert np.abs(z).max() < stats.norm.ppf(1 - 0.001 / (2 * checks)), np.round(z, 2)
