"""Traffic and the conversion funnel, hour by hour, drawn a day at a time in bulk.

Visitors who never order are never SimPy processes: for every hour, every
channel and visitor group (new prospect, returning visitor, existing
customer), the model draws how many sessions start, and how many of them
view a product and how many order; for the whole day, how many viewers
stopped at the view, the cart or the checkout of each SKU - with numpy's
binomial and multinomial draws.  Only the orders that come out of the funnel
get events on the clock.

A concrete hour: 40 organic sessions arrive; 18 bounce (45%); 22 view a
product, split over the SKUs by demand weight; of the 9 who view the hoodie,
each adds to cart with probability ``view_to_cart x intent x group x page x
speed x media x reviews x price x offer``; carts then check out and complete
with the Baymard-calibrated step probabilities, times the market's
localisation and the delivery fee's pull.

Sessions are split into cells - market x A/B arm (``sim.engine.sales.variants``) - and
each cell has its own step probabilities: the arm's page, prices and offer,
the market's language, payment methods and delivery promise.  The per-day
levers (``sim.engine.sales.marketing`` traffic, ``sim.engine.sales.pricing`` price multipliers, stock,
live reviews, the membership mix) enter :meth:`Demand.draw` as small arrays.

The multipliers are small pure functions so that a reader can check each
against its source (see ``sim.scenario.definition`` for the published figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from sim.engine.rng import Streams
from sim.engine.sales.offer import Offer
from sim.engine.sales.variants import Cells
from sim.scenario.definition import Funnel, Page, Reviews, Scenario

#: Visitor groups, in array order.
GROUPS = ("prospect", "returning", "customer")
CUSTOMER: Final = 2


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


def bounce_probability(page: Page, f: Funnel) -> float:
    """Bounce probability of a page with this load time and navigation.

    The published rises (+32% from 1 s to 3 s, +90% from 1 s to 5 s, Google /
    SOASTA 2017) give a piecewise-linear curve of relative bounce through
    (1 s, 1), (3 s, 1.32), (5 s, 1.90), extended linearly beyond; the curve is
    rescaled so that ``bounce_rate`` holds at ``reference_load_time_s``.
    Navigation and filters that help visitors find a product lower it:
    ``x (1 - navigation_effect * (2 q - 1))`` (Baymard's filtering tests).
    """

    def rel(t: float) -> float:
        xs = (1.0, 3.0, 5.0)
        ys = (1.0, 1.0 + f.bounce_rise_1s_to_3s, 1.0 + f.bounce_rise_1s_to_5s)
        if t <= xs[1]:
            return ys[0] + (ys[1] - ys[0]) * (t - xs[0]) / (xs[1] - xs[0])
        return ys[1] + (ys[2] - ys[1]) * (t - xs[1]) / (xs[2] - xs[1])

    p = f.bounce_rate * rel(page.load_time_s) / rel(f.reference_load_time_s)
    p = p * spread(page.navigation_quality, -f.navigation_effect)
    return min(max(p, 0.0), 0.99)


def speed_multiplier(load_time_s: float, f: Funnel) -> float:
    """Add-to-cart multiplier of page speed: ``(1 + gain)^(-(load - reference) / 0.1 s)``.

    With the register's gain of 0.3% per 0.1 s, a page 1 s faster adds about
    3% to add-to-cart; with the lower bounce (:func:`bounce_probability`) the
    store converts about 15% more - inside the published 4-26% per second
    (Portent 2019 and 2022; ``data/reference/effects.yaml``).  Deloitte's
    +8.4% per 0.1 s holds for a 0.1 s change only: compounded over a second
    it would be x2.2.  The difference is capped at ``speed_effect_cap_s``.
    """
    delta = max(-f.speed_effect_cap_s, min(f.speed_effect_cap_s, load_time_s - f.reference_load_time_s))
    return (1.0 + f.conversion_gain_per_100ms) ** (-delta / 0.1)


def spread(quality: float, effect: float) -> float:
    """Multiplier of a 0-1 quality score around the typical 0.5: ``1 + effect * (2 q - 1)``."""
    return 1.0 + effect * (2.0 * quality - 1.0)


def quality_multiplier(page: Page, f: Funnel) -> float:
    """Add-to-cart multiplier of page quality q in [0, 1]: ``1 + quality_effect * (2q - 1)``."""
    return spread(page.quality, f.quality_effect)


@dataclass
class DayCounts:
    """Funnel counts of one day: sessions and viewers hour by hour, the steps for the whole day, the orders at
    their hours (each with its SKU)."""

    sessions: np.ndarray  # [24, C, G]
    cells: np.ndarray  # [24, C, G, X] sessions per cell
    viewers: np.ndarray  # [24, C, G, X] sessions that viewed a product (and may have gone on to order)
    views: np.ndarray  # [C, G, X, K] the day's
    views_out_of_stock: np.ndarray  # [C] the day's
    carts: np.ndarray  # [C, G, X, K] the day's
    checkouts: np.ndarray  # [C, G, X, K] the day's
    orders: np.ndarray  # [C, G, X, K] the day's
    order_slots: np.ndarray  # each order's [hour, channel, group, cell] as one index into ``cells`` (C order)
    order_skus: np.ndarray  # and its SKU


class Demand:
    """Draws the sessions and funnel outcomes of the whole store, one day at a time."""

    def __init__(
        self,
        scenario: Scenario,
        cells: Cells,
        offers: list[Offer],
        start_weekday: int,
        season_cart: np.ndarray | None = None,
    ) -> None:
        """``season_cart`` [day, sku]: the calendar's add-to-cart weights (``sim.engine.calendar``), or None."""
        s = scenario
        self.channels = list(s.traffic.channels)
        self.skus = list(s.catalogue.skus)
        ch = s.traffic.channels.values()
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

        self.weights = np.array([k.demand_weight for k in s.catalogue.skus.values()], dtype=float)
        self.set_live(np.ones(len(self.weights), dtype=bool))
        intent = np.array([c.intent for c in ch])
        self.cells = cells
        arm_scenarios = cells.arms.scenarios
        view_p, cart, checkout, order = [], [], [], []
        for x in range(cells.count):
            arm, market = arm_scenarios[cells.arm_of[x]], cells.markets[cells.market_of[x]]
            f, offer = arm.funnel, offers[cells.arm_of[x]]
            group_mult = np.array([1.0, f.returning_visitor_multiplier, f.customer_multiplier])
            view_p.append(1.0 - bounce_probability(arm.page, f))
            cart.append(
                f.view_to_cart
                * speed_multiplier(arm.page.load_time_s, f)
                * quality_multiplier(arm.page, f)
                * intent[:, None, None]
                * group_mult[None, :, None]
                * spread(arm.page.media_quality, f.media_effect)
                * offer.cart_multiplier
                * (1.0 if market.local_language else f.foreign_language_multiplier)
            )
            checkout.append(f.cart_to_checkout * (1.0 if market.local_delivery else f.unlocalised_delivery_multiplier))
            order.append(
                f.checkout_to_order
                * (1.0 if market.local_payment else f.missing_payment_multiplier)
                * offer.checkout_multiplier
            )
        self.view_p = np.array(view_p)
        #: add-to-cart probability before the daily price, review, stock and membership effects, [C, G, X, K]
        self.base_cart = np.stack(cart, axis=2)
        self.cart_to_checkout = np.array(checkout)[:, None]
        self.checkout_to_order = np.array(order)
        #: add-to-cart multiplier of the day's prices, [day, X, K]
        self.price_mult = np.stack([offers[a].prices.multiplier for a in cells.arm_of], axis=1)
        if season_cart is not None:
            self.price_mult = self.price_mult * season_cart[:, None, :]
        self.cell_share = cells.share()
        self.backorder = s.catalogue.stockout_policy == "backorder"
        self.backorder_acceptance = s.catalogue.backorder_acceptance
        #: views out of stock [channel] of a day with every SKU in stock: one read-only array for all such days
        self.no_views_out_of_stock = np.zeros(len(self.channels), dtype=np.int64)
        self.no_views_out_of_stock.flags.writeable = False

    def set_live(self, live: np.ndarray) -> None:
        """The SKUs in the shop (a killed candidate gets no more product views); all weights 0 spreads evenly."""
        w = self.weights * live if self.weights.sum() > 0 else live.astype(float)
        total = w.sum()
        self.sku_share = w / total if total > 0 else np.zeros(len(w))

    def season(self, hours: int) -> np.ndarray:
        """Traffic weight of every hour of the horizon (hour-of-day x weekday, mean 1)."""
        h = np.arange(hours)
        return self.hourly[h % 24] * self.weekly[(self.start_weekday + h // 24) % 7]

    def draw(
        self,
        day: int,
        season: np.ndarray,
        streams: Streams,
        free: np.ndarray,
        paid: np.ndarray,
        review_mult: float,
        customer_weight: float,
        customer_mult: np.ndarray | None,
        campaign: np.ndarray | None,
        in_stock: np.ndarray,
    ) -> DayCounts:
        """Sessions and funnel counts for the 24 hours of day ``day``, whose traffic weights are ``season``.

        ``free`` and ``paid`` are each channel's expected sessions per hour
        (``sim.engine.sales.marketing``); ``review_mult`` is :func:`review_multiplier` of
        the live rating; ``customer_weight`` the active customer base
        weighted by visit rate; ``customer_mult`` the customers' add-to-cart
        multiplier per cell (the member price) or None; ``campaign`` extra
        customer sessions [hour, channel] from CRM campaigns or None;
        ``in_stock`` a boolean per SKU.  All are read at midnight, so the
        feedback loop runs day by day.  Arrivals draw from the ``traffic``
        stream, the cell split from ``cells`` and funnel steps from
        ``funnel``, so a lever that changes conversion leaves the arrivals
        of a paired run unchanged.

        Each session of one (channel, group, cell) on one day takes the same
        chances at every step, so its end - bounce, stop at the view, the
        cart or the checkout of SKU k, or order SKU k - is one categorical
        draw, and the sessions' ends are independent.  The draws follow that:
        the sessions that order, hour by hour (binomial), the SKU of each
        order, the other viewers hour by hour (binomial, of those who did not
        order: their questions open tickets at their hour), and where those
        viewers stopped, once for the day (multinomial).  The counts have the
        distribution of binomial steps hour by hour (view, cart, checkout,
        order) over [hour, channel, group, cell, SKU], from a fifth of the
        numbers (a growth store's day): numpy's draws cost per element, and
        most of those elements are empty.
        """
        traffic, funnel = streams.traffic, streams.funnel
        visitors = traffic.poisson(season[:, None] * (free + paid))  # [hour, channel]
        returning = traffic.binomial(visitors, self.returning_share)
        if customer_weight and self.visit_rate_per_hour:
            customers = traffic.multinomial(
                traffic.poisson(customer_weight * self.visit_rate_per_hour * season), self.repeat_mix
            )
        else:
            customers = np.zeros_like(visitors)
        if campaign is not None:
            customers = customers + campaign
        # [hour, channel, group], filled in place: np.stack of the three would take twice the instructions
        sessions = np.empty(visitors.shape + (len(GROUPS),), dtype=np.int64)
        np.subtract(visitors, returning, out=sessions[..., 0])
        sessions[..., 1], sessions[..., 2] = returning, customers
        cells = (
            streams.cells.multinomial(sessions, self.cell_share[day])
            if len(self.cell_share[day]) > 1
            else sessions[..., None]
        )

        p_cart = self.base_cart * self.price_mult[day]
        if in_stock.all():
            p_cart = p_cart * review_mult
        else:
            stock_mult = np.where(in_stock, 1.0, self.backorder_acceptance if self.backorder else 0.0)
            p_cart = p_cart * (review_mult * stock_mult)
        if customer_mult is not None:
            p_cart[:, CUSTOMER] = p_cart[:, CUSTOMER] * customer_mult[:, None]
        # A session's way through the funnel, as the chance of each end: it views SKU k (``view``) and stops
        # there, or adds it to the cart and stops, or checks out and stops, or orders.  Every session of a
        # day in one (channel, group, cell) takes the same chances, so each end's count for the day is the
        # same draw summed over hours or drawn once; only orders (at their hour) and viewers (whose questions
        # open tickets at theirs) are drawn hour by hour.
        view = self.view_p[:, None] * self.sku_share  # [X, K]
        cart = view * np.minimum(p_cart, 1.0)  # [C, G, X, K]
        checkout = cart * self.cart_to_checkout
        order = checkout * self.checkout_to_order
        ordering_p = order.sum(axis=3)  # [C, G, X]
        browsing_p = view.sum(axis=1) - ordering_p  # views that end before an order
        ordering = funnel.binomial(cells, np.minimum(ordering_p, 1.0))
        rest = 1.0 - ordering_p
        browsing = funnel.binomial(
            cells - ordering, np.divide(browsing_p, rest, out=np.zeros_like(rest), where=rest > 0).clip(0.0, 1.0)
        )
        # each order's SKU in proportion to its chance of ending in an order of that SKU
        cdf = order.reshape(-1, order.shape[3]).cumsum(axis=1)
        order_slots = np.repeat(np.arange(ordering.size), ordering.ravel())
        slot = order_slots % cdf.shape[0]  # [channel, group, cell]
        order_skus = (cdf[slot] <= funnel.random(len(slot))[:, None] * cdf[slot, -1:]).sum(axis=1)
        # the day's browsing viewers by where they stopped: at the view, the cart or the checkout of SKU k
        stops = np.stack([view - cart, cart - checkout, checkout - order], axis=-1).reshape(browsing_p.shape + (-1,))
        stops = np.divide(stops, browsing_p[..., None], out=np.zeros_like(stops), where=browsing_p[..., None] > 0)
        ended = funnel.multinomial(browsing.sum(axis=0), stops).reshape(order.shape + (3,))
        orders = np.bincount(slot * order.shape[3] + order_skus, minlength=order.size).reshape(order.shape)
        checkouts = ended[..., 2] + orders
        carts = ended[..., 1] + checkouts
        views = ended[..., 0] + carts
        oos = views[..., ~in_stock].sum(axis=(1, 2, 3)) if not in_stock.all() else self.no_views_out_of_stock
        return DayCounts(
            sessions, cells, ordering + browsing, views, oos, carts, checkouts, orders, order_slots, order_skus
        )
