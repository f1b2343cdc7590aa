"""Traffic and the conversion funnel, hour by hour, drawn a day at a time in bulk.

Visitors who never order are never SimPy processes: for every hour, every
channel and visitor group (new prospect, returning visitor, existing
customer), the model draws how many sessions start, bounce, view each SKU,
add to cart, check out and order, with numpy's binomial and multinomial
draws.  Only the orders that come out of the funnel become processes.

A concrete hour: 40 organic sessions arrive; 18 bounce (45%); 22 view a
product, split over the SKUs by demand weight; of the 9 who view the hoodie,
each adds to cart with probability ``view_to_cart x intent x group x page x
speed x reviews x price``; carts then check out and complete with the
Baymard-calibrated step probabilities.

The multipliers are small pure functions so that a reader can check each
against its source (see ``sim.scenario`` for the published figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.scenario import Funnel, Page, Reviews, Scenario

#: Visitor groups, in array order.
GROUPS = ("prospect", "returning", "customer")


def review_multiplier(rating: float, count: float, r: Reviews) -> float:
    """Conversion multiplier of the store's live reviews.

    ``exp(rating_sensitivity * (rating - reference_rating)) *
    (count_floor + (1 - count_floor) * (1 - exp(-count / count_scale)))``:
    each star is worth ``rating_sensitivity`` in log conversion (Luca 2016),
    and a store with no reviews converts at ``count_floor`` of one with many
    (Spiegel Research Center 2017).
    """
    rating_part = math.exp(r.rating_sensitivity * (rating - r.reference_rating))
    count_part = r.count_floor + (1.0 - r.count_floor) * (1.0 - math.exp(-count / r.count_scale))
    return rating_part * count_part


def bounce_probability(load_time_s: float, f: Funnel) -> float:
    """Bounce probability at ``load_time_s``.

    The published rises (+32% from 1 s to 3 s, +90% from 1 s to 5 s, Google /
    SOASTA 2017) give a piecewise-linear curve of relative bounce through
    (1 s, 1), (3 s, 1.32), (5 s, 1.90), extended linearly beyond; the curve is
    rescaled so that ``bounce_rate`` holds at ``reference_load_time_s``.
    """
    def rel(t: float) -> float:
        xs = (1.0, 3.0, 5.0)
        ys = (1.0, 1.0 + f.bounce_rise_1s_to_3s, 1.0 + f.bounce_rise_1s_to_5s)
        if t <= xs[1]:
            return ys[0] + (ys[1] - ys[0]) * (t - xs[0]) / (xs[1] - xs[0])
        return ys[1] + (ys[2] - ys[1]) * (t - xs[1]) / (xs[2] - xs[1])

    p = f.bounce_rate * rel(load_time_s) / rel(f.reference_load_time_s)
    return min(max(p, 0.0), 0.99)


def speed_multiplier(load_time_s: float, f: Funnel) -> float:
    """Add-to-cart multiplier of page speed: ``(1 + gain)^(-(load - reference) / 0.1 s)``.

    Deloitte / Google (2020) measured +8.4% conversion per 0.1 s saved; the
    difference is capped at ``speed_effect_cap_s`` because the study covered
    small changes.
    """
    delta = max(-f.speed_effect_cap_s, min(f.speed_effect_cap_s, load_time_s - f.reference_load_time_s))
    return (1.0 + f.conversion_gain_per_100ms) ** (-delta / 0.1)


def quality_multiplier(page: Page, f: Funnel) -> float:
    """Add-to-cart multiplier of page quality q in [0, 1]: ``1 + quality_effect * (2q - 1)``."""
    return 1.0 + f.quality_effect * (2.0 * page.quality - 1.0)


def price_multipliers(prices: np.ndarray, fair: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """Add-to-cart multiplier of price against the reference price: ``(price / fair)^elasticity``."""
    return (prices / fair) ** elasticity


@dataclass
class DayCounts:
    """Funnel counts of one day, arrays indexed [hour, channel, group(, sku)]."""

    sessions: np.ndarray            # [24, C, G]
    views: np.ndarray               # [24, C, G, K]
    views_out_of_stock: np.ndarray  # [24, C]
    carts: np.ndarray               # [24, C, G, K]
    checkouts: np.ndarray           # [24, C, G, K]
    orders: np.ndarray              # [24, C, G, K]


class Demand:
    """Draws the sessions and funnel outcomes of the whole store, one day at a time."""

    def __init__(self, scenario: Scenario, start_weekday: int) -> None:
        s = scenario
        self.channels = list(s.traffic.channels)
        self.skus = list(s.catalogue.skus)
        ch = s.traffic.channels.values()
        self.free_per_hour = np.array([c.sessions_per_day for c in ch]) / 24.0
        self.paid_per_hour = np.array([c.paid_sessions_per_day for c in ch]) / 24.0
        self.cost_per_click = np.array([c.cost_per_click for c in ch])
        self.grows = np.array([c.grows_with_reviews for c in ch])
        self.returning_share = np.array([c.returning_share for c in ch])
        hourly = np.asarray(s.traffic.hourly_profile, dtype=float)
        weekly = np.asarray(s.traffic.weekly_profile, dtype=float)
        self.hourly = hourly / hourly.mean()
        self.weekly = weekly / weekly.mean()
        self.start_weekday = start_weekday
        mix = s.customers.repeat_channel_mix
        self.repeat_mix = np.array([mix.get(c, 0.0) for c in self.channels])
        # An empty mix means customers never come back on their own.
        self.visit_rate_per_hour = s.customers.visit_rate_per_day / 24.0 if self.repeat_mix.sum() > 0 else 0.0
        if self.repeat_mix.sum() > 0:
            self.repeat_mix = self.repeat_mix / self.repeat_mix.sum()

        f = s.funnel
        weights = np.array([k.demand_weight for k in s.catalogue.skus.values()], dtype=float)
        self.sku_share = weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1 / len(weights))
        self.view_probability = 1.0 - bounce_probability(s.page.load_time_s, f)
        group_mult = np.array([1.0, f.returning_visitor_multiplier, f.customer_multiplier])
        intent = np.array([c.intent for c in ch])
        skus = s.catalogue.skus.values()
        prices = np.array([k.price for k in skus])
        fair = np.array([k.reference_price for k in skus])
        elasticity = np.array([k.elasticity for k in skus])
        #: add-to-cart probability before the live review and stock effects, [C, G, K]
        self.base_cart = (f.view_to_cart * speed_multiplier(s.page.load_time_s, f)
                          * quality_multiplier(s.page, f)
                          * intent[:, None, None] * group_mult[None, :, None]
                          * price_multipliers(prices, fair, elasticity)[None, None, :])
        self.cart_to_checkout = f.cart_to_checkout
        self.checkout_to_order = f.checkout_to_order
        self.backorder = s.catalogue.stockout_policy == "backorder"
        self.backorder_acceptance = s.catalogue.backorder_acceptance

    def season(self, hours: int) -> np.ndarray:
        """Traffic weight of every hour of the horizon (hour-of-day x weekday, mean 1)."""
        h = np.arange(hours)
        return self.hourly[h % 24] * self.weekly[(self.start_weekday + h // 24) % 7]

    def draw(self, season: np.ndarray, traffic: np.random.Generator, funnel: np.random.Generator,
             review_mult: float, active_customers: int, in_stock: np.ndarray) -> DayCounts:
        """Sessions and funnel counts for the 24 hours of one day, whose traffic weights are ``season``.

        ``review_mult`` is :func:`review_multiplier` of the live rating,
        ``active_customers`` the size of the customer base that may come back,
        ``in_stock`` a boolean per SKU; all three are read at midnight, so the
        feedback loop runs day by day.  Arrivals draw from the ``traffic``
        stream and funnel steps from the ``funnel`` stream, so a lever that
        changes conversion leaves the arrivals of a paired run unchanged.
        (numpy's array draws cost ~20 us each whatever their size, so one
        call per step per day instead of per hour is what keeps a year of a
        large store fast.)
        """
        free = self.free_per_hour * np.where(self.grows, review_mult, 1.0)
        visitors = traffic.poisson(np.outer(season, free + self.paid_per_hour))
        returning = traffic.binomial(visitors, self.returning_share)
        if active_customers and self.visit_rate_per_hour:
            customers = traffic.multinomial(traffic.poisson(active_customers * self.visit_rate_per_hour * season),
                                            self.repeat_mix)
        else:
            customers = np.zeros_like(visitors)
        sessions = np.stack([visitors - returning, returning, customers], axis=2)

        views = funnel.multinomial(funnel.binomial(sessions, self.view_probability), self.sku_share)
        if in_stock.all():
            p_cart = self.base_cart * review_mult
            oos = np.zeros_like(visitors)
        else:
            stock_mult = np.where(in_stock, 1.0, self.backorder_acceptance if self.backorder else 0.0)
            p_cart = self.base_cart * (review_mult * stock_mult)
            oos = views[..., ~in_stock].sum(axis=(2, 3))
        carts = funnel.binomial(views, np.minimum(p_cart, 1.0))
        checkouts = funnel.binomial(carts, self.cart_to_checkout)
        orders = funnel.binomial(checkouts, self.checkout_to_order)
        return DayCounts(sessions, views, oos, carts, checkouts, orders)
