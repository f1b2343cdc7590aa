"""Scenarios: the typed, validated description of one store.

A scenario is data.  ``data/scenarios/baseline.yaml`` describes a small store:
six traffic channels, a handful of SKUs, two pickers, three agents.  Loading it
gives a frozen :class:`Scenario`; a what-if is the same scenario with one field
changed by its dotted path::

    base = load_scenario("data/scenarios/baseline.yaml")
    more_agents = base.with_overrides({"service.agents": 5})

Every field states its unit, its allowed range, its default and, where the
default is taken from published evidence, the source (``python -m sim schema``
prints them all).  Validation happens here, once: a bad value raises one
:class:`ScenarioError` that names the dotted path, the value and what is
allowed.  The model trusts a validated scenario.

The strategy levers of the guide's stages (pricing, selection, markets, CRM,
warranty, risk, A/B tests) are sections defined in ``sim.scenario.levers``, off or
neutral by default; ``data/reference/README.md`` lists them by stage.

Time inside the model runs in hours from ``time.start_date`` 00:00; durations
in the file carry their unit in their name (``_days``, ``_hours``,
``_minutes``, ``_s``).  Money is in ``money.currency``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.errors import ScenarioError
from sim.scenario.effects import E
from sim.scenario.fields import PROB, F, Section
from sim.scenario.levers import (
    AB_LEVERS,
    ABTest,
    Calendar,
    Crm,
    Market,
    Pricing,
    Risk,
    Segment,
    Selection,
    Warranty,
    default_markets,
)
from sim.scenario.messages import one_line, shorten
from sim.scenario.yaml_strict import load_yaml

# --- published defaults (see data/reference/defaults.md for the derivation) -----------------------
SRC_CONVERSION = "Littledata benchmark of ~2,800 Shopify stores, 2023: mean conversion 1.4%"
SRC_CART = "Baymard Institute: cart abandonment 69.8% (mean of 46 studies), so cart->order ~0.30"
SRC_RETURNS = "NRF & Appriss Retail 2023: 17.6% of online sales returned"
SRC_REPLY = "SuperOffice customer service benchmark: mean e-mail reply 12 h"
SRC_COUNT = (
    "Spiegel Research Center 2017: a product with 5 reviews is ~270% more likely to be bought than one with none"
)
SRC_REPEAT = "weak: secondary sources put the repeat-purchase rate at 20-30% of customers"
SRC_LANGUAGE = (
    "CSA Research 2020 'Can't Read, Won't Buy' (8,709 consumers, 29 countries): 40% never buy from "
    "websites in other languages"
)
SRC_PAYMENT = (
    "weak: Baymard Institute checkout-abandonment surveys 2016-2024 (via secondary sources): 8-13% of "
    "abandoners cite too few payment methods; data/reference/store.md"
)
SRC_DELIVERY_INFO = (
    "weak: Baymard Institute checkout-abandonment surveys 2016-2024: 16-22% of abandoners cite slow "
    "or unclear delivery; data/reference/store.md"
)
SRC_HILL = "Google Meridian default priors: Hill slope 1 (concave); data/reference/marketing.md"
SRC_CONTENT = (
    "weak: Ahrefs 2020: 90.6% of pages get no Google traffic and ranking pages take 2-6 months to rise; "
    "data/reference/marketing.md"
)
SRC_TRAVEL = (
    "Tompkins et al., Facilities Planning (2010), cited by de Koster, Le-Duc & Roodbergen 2007 (EJOR): "
    "travel is about 50% of an order picker's time"
)
SRC_LABOUR = "Eurostat, hourly labour costs 2023: EU average EUR 31.8 per hour (euro area 35.6)"
SRC_HOLDING = (
    "weak: inventory carrying cost 20-30% of inventory value a year (logistics textbooks); data/reference/operations.md"
)
SRC_FAULT_STARS = (
    "assumed: no published per-order figure found; a wrong or broken item is treated as worse than a "
    "late one (Olist's late gap is 1.74 stars); calibrate on your own reviews"
)
SRC_SERVICE_STARS = (
    "assumed: no published per-order figure found; half the Olist late-delivery gap (1.74 stars); "
    "calibrate on your own reviews"
)


class Meta(Section):
    name: str = F("store", "-", "scenario name shown in reports", min_length=1, max_length=80)
    description: str = F("", "-", "one or two sentences on what this scenario is for", max_length=2000)


#: first and last start dates: tables hold pandas ``datetime64[ns]`` (1677-09-21 to 2262-04-11), and a run
#: with its follow-up (deliveries, returns, refunds) spans at most ~11 years after the start
FIRST_START_DATE, LAST_START_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
#: sessions per day one channel may bring: the ceiling of free channels' sessions_per_day, and of what a paid
#: budget buys (daily_budget / cost_per_click)
MAX_SESSIONS_PER_DAY = 200_000
#: smallest non-zero coefficient of variation of a lead time (smaller ones are 0 to the model, or break its gamma)
MIN_CV = 1e-6


class Time(Section):
    start_date: dt.date = F(dt.date(2026, 1, 5), "date", "first simulated day (hour 0 is its midnight)", strict=False)
    days: int = F(90, "days", "default horizon when simulate() is given none", ge=1, le=3650)
    unit: Literal["hours"] = F("hours", "-", "the model's clock unit (stated for readers; always hours)")

    @field_validator("start_date")
    @classmethod
    def _supported_date(cls, value: dt.date) -> dt.date:
        if not FIRST_START_DATE <= value <= LAST_START_DATE:
            raise ValueError(f"allowed: a date from {FIRST_START_DATE} to {LAST_START_DATE}")
        return value


class Money(Section):
    currency: str = F("EUR", "ISO 4217", "currency of every money field", min_length=3, max_length=3)


class Channel(Section):
    """One traffic source.  Free channels give ``sessions_per_day``; paid ones buy clicks."""

    sessions_per_day: float = F(0.0, "sessions/day", "unpaid sessions per average day", ge=0, le=MAX_SESSIONS_PER_DAY)
    daily_budget: float = F(0.0, "money/day", "paid channels: spend per day", ge=0, le=1_000_000)
    cost_per_click: float = F(0.0, "money/session", "paid channels: cost of one session", ge=0, le=1_000)
    intent: float = F(1.0, "x", "multiplier on the add-to-cart probability (purchase intent)", ge=0, le=10)
    returning_share: float = F(0.2, "share", "share of sessions by visitors who came before but never bought", **PROB)
    grows_with_reviews: bool = F(False, "-", "volume scales with the review effect (search and marketplace ranking)")
    review_count_elasticity: float = E(
        "traffic.channels.*.review_count_elasticity",
        "with grows_with_reviews: volume x (reviews / initial reviews) ^ this (0: the count does not move traffic)",
        ge=0,
        le=2,
    )
    seo_sensitive: bool = F(False, "-", "volume follows page.seo_quality (titles and alt text: search channels)")
    content_posts_per_week: float = F(
        0.0, "posts/week", "content output feeding this channel (articles, videos)", ge=0, le=1000
    )
    sessions_per_post: float = F(
        1.0, "sessions/day", "daily sessions one post brings once it has ranked", ge=0, le=10_000, source=SRC_CONTENT
    )
    # floor: a post cannot rank faster than within a quarter of an hour (and age / ramp stays finite)
    content_ramp_days: float = F(
        90.0, "days", "days for a post to reach 63% of its traffic", ge=0.01, le=3650, source=SRC_CONTENT
    )
    half_saturation_spend: float = F(
        0.0,
        "money/day",
        "paid: spend at which the cost per session has doubled (Hill half-saturation; 0: no saturation)",
        ge=0,
        le=1_000_000,
    )
    hill_slope: float = F(1.0, "-", "paid: Hill shape (1 concave; > 1 S-shaped)", gt=0, le=10, source=SRC_HILL)
    carryover: float = F(
        0.0,
        "share/day",
        "paid: share of a day's ad effect carried to the next day (geometric adstock; 0: none)",
        ge=0,
        le=0.99,
    )
    scale_from_day: int = F(0, "day", "paid: day the budget starts moving to scaled_budget (0: never)", ge=0, le=3650)
    scaled_budget: float = F(0.0, "money/day", "paid: budget after scaling", ge=0, le=1_000_000)
    scale_ramp_days: int = F(0, "days", "paid: days to move linearly from daily_budget to scaled_budget", ge=0, le=3650)
    scale_max_cac: float = F(
        0.0,
        "money",
        "paid: scale only if this channel's CAC so far is at most this (0: scale regardless)",
        ge=0,
        le=1_000_000,
    )

    @model_validator(mode="after")
    def _paid_needs_cpc(self) -> Channel:
        if (self.daily_budget > 0 or self.scaled_budget > 0) and self.cost_per_click <= 0:
            raise ValueError("a budget > 0 needs cost_per_click > 0 (allowed: cost_per_click in (0, 1000])")
        if self.scale_from_day == 0 and (self.scaled_budget > 0 or self.scale_ramp_days or self.scale_max_cac):
            raise ValueError("scaled_budget, scale_ramp_days and scale_max_cac need scale_from_day >= 1")
        budget = max(self.daily_budget, self.scaled_budget)
        spend = min(budget, self.half_saturation_spend) if self.half_saturation_spend > 0 else budget
        if self.cost_per_click > 0 and spend / self.cost_per_click > MAX_SESSIONS_PER_DAY:
            what = "half_saturation_spend" if spend < budget else "budget"
            raise ValueError(
                f"{what} {spend:,.2f} / cost_per_click {self.cost_per_click:.6g} = {spend / self.cost_per_click:,.0f} "
                f"sessions/day; allowed: at most {MAX_SESSIONS_PER_DAY:,} (as sessions_per_day), i.e. "
                f"cost_per_click >= {spend / MAX_SESSIONS_PER_DAY:.6g}"
            )
        return self

    @property
    def paid_sessions_per_day(self) -> float:
        """Sessions ``daily_budget`` buys before saturation (``sim.engine.sales.marketing`` applies the Hill curve)."""
        return self.daily_budget / self.cost_per_click if self.cost_per_click > 0 else 0.0


def _default_channels() -> dict[str, Channel]:
    return {
        "organic_search": Channel(sessions_per_day=180, intent=1.0, returning_share=0.25, grows_with_reviews=True),
        "paid_search": Channel(daily_budget=60, cost_per_click=0.6, intent=1.3, returning_share=0.1),
        "social": Channel(sessions_per_day=90, intent=0.6, returning_share=0.15, grows_with_reviews=True),
        "short_video": Channel(sessions_per_day=60, intent=0.8, returning_share=0.1),
        "email": Channel(sessions_per_day=20, intent=1.8, returning_share=0.6),
        "direct": Channel(sessions_per_day=50, intent=1.5, returning_share=0.5),
    }


#: Relative traffic by hour of day, 0-23 (an evening-peaked retail curve; only the shape matters).
DEFAULT_HOURLY = [
    0.25,
    0.15,
    0.1,
    0.08,
    0.08,
    0.12,
    0.3,
    0.55,
    0.8,
    0.95,
    1.0,
    1.05,
    1.1,
    1.05,
    1.0,
    1.0,
    1.05,
    1.1,
    1.2,
    1.35,
    1.45,
    1.4,
    1.05,
    0.6,
]
#: Relative traffic by weekday, Monday first.
DEFAULT_WEEKLY = [1.0, 1.0, 0.98, 0.97, 0.95, 1.02, 1.1]


class Traffic(Section):
    channels: dict[str, Channel] = F(
        None, "-", "traffic channels by name", default_factory=_default_channels, min_length=1
    )
    hourly_profile: list[float] = F(
        None,
        "relative",
        "traffic weight of each hour of day 0-23 (shape only)",
        default_factory=lambda: list(DEFAULT_HOURLY),
        min_length=24,
        max_length=24,
    )
    weekly_profile: list[float] = F(
        None,
        "relative",
        "traffic weight of each weekday, Monday first (shape only)",
        default_factory=lambda: list(DEFAULT_WEEKLY),
        min_length=7,
        max_length=7,
    )

    @model_validator(mode="after")
    def _profiles_positive(self) -> Traffic:
        for name in ("hourly_profile", "weekly_profile"):
            values = getattr(self, name)
            if any(v < 0 or v > 100 for v in values) or sum(values) <= 0:
                raise ValueError(f"{name}: weights must lie in [0, 100] with a positive sum, got {values}")
        return self


class Funnel(Section):
    """Step probabilities at the reference page (load time, quality 0.5, 4-star rating)."""

    bounce_rate: float = F(
        0.45,
        "share",
        "sessions that leave without viewing a product",
        **PROB,
        source="weak: typical e-commerce bounce 40-50%; with view_to_cart gives Littledata's 1.4% conversion",
    )
    view_to_cart: float = F(0.085, "share", "product views that add to cart (intent 1)", **PROB, source=SRC_CONVERSION)
    cart_to_checkout: float = F(0.55, "share", "carts that start checkout", **PROB, source=SRC_CART)
    checkout_to_order: float = F(0.55, "share", "checkouts that complete", **PROB, source=SRC_CART)
    returning_visitor_multiplier: float = F(
        1.5,
        "x",
        "add-to-cart multiplier for returning visitors",
        ge=0,
        le=10,
        source="weak: returning visitors convert 1.5-2x new ones",
    )
    customer_multiplier: float = F(
        2.5,
        "x",
        "add-to-cart multiplier for existing customers",
        ge=0,
        le=20,
        source="weak: existing customers convert 2-3x new visitors",
    )
    reference_load_time_s: float = F(2.0, "s", "load time at which the step probabilities apply", gt=0, le=30)
    conversion_gain_per_100ms: float = E(
        "funnel.conversion_gain_per_100ms", "add-to-cart gain per 0.1 s faster page", ge=0, le=1
    )
    speed_effect_cap_s: float = F(
        2.0, "s", "largest load-time difference the speed effect extrapolates to", ge=0, le=30
    )
    bounce_rise_1s_to_3s: float = E(
        "funnel.bounce_rise_1s_to_3s", "relative bounce rise from 1 s to 3 s load", ge=0, le=10
    )
    bounce_rise_1s_to_5s: float = E(
        "funnel.bounce_rise_1s_to_5s", "relative bounce rise from 1 s to 5 s load", ge=0, le=10
    )
    quality_effect: float = E(
        "funnel.quality_effect", "add-to-cart multiplier spread of page quality: 1 + effect*(q - 0.5)*2", ge=0, le=0.99
    )
    navigation_effect: float = E(
        "funnel.navigation_effect",
        "bounce multiplier spread of navigation quality: 1 - effect*(q - 0.5)*2",
        ge=0,
        le=0.99,
    )
    media_effect: float = E(
        "funnel.media_effect",
        "add-to-cart multiplier spread of image/video quality: 1 + effect*(q - 0.5)*2",
        ge=0,
        le=0.99,
    )
    seo_effect: float = E(
        "funnel.seo_effect",
        "organic-volume multiplier spread of title/alt-text quality: 1 + effect*(q - 0.5)*2 (seo_sensitive channels)",
        ge=0,
        le=0.99,
    )
    foreign_language_multiplier: float = F(
        0.6, "x", "add-to-cart multiplier in a market without its language", ge=0, le=1, source=SRC_LANGUAGE
    )
    missing_payment_multiplier: float = F(
        0.91, "x", "checkout-to-order multiplier without the market's payment methods", ge=0, le=1, source=SRC_PAYMENT
    )
    unlocalised_delivery_multiplier: float = F(
        0.82, "x", "cart-to-checkout multiplier without local delivery times", ge=0, le=1, source=SRC_DELIVERY_INFO
    )


class Page(Section):
    load_time_s: float = F(2.0, "s", "median page load time", gt=0, le=30)
    quality: float = F(0.5, "score 0-1", "product-page quality (honest, comparable descriptions; clear price)", **PROB)
    navigation_quality: float = F(0.5, "score 0-1", "navigation and filters: finding a product (0.5 = typical)", **PROB)
    media_quality: float = F(0.5, "score 0-1", "images and a video that sells (0.5 = typical)", **PROB)
    seo_quality: float = F(0.5, "score 0-1", "keyword titles and image alt text (0.5 = typical)", **PROB)


class Reviews(Section):
    initial_count: int = F(40, "reviews", "reviews the store has at hour 0", ge=0, le=1_000_000)
    initial_rating: float = F(4.3, "stars", "average rating of those reviews", ge=1, le=5)
    review_probability: float = E(
        "reviews.review_probability", "delivered or refunded orders whose customer leaves a review", **PROB
    )
    base_rating: float = F(4.6, "stars", "expected rating after a flawless order", ge=1, le=5)
    penalty_late: float = E("reviews.penalty_late", "rating lost when delivered after the promise", ge=0, le=4)
    penalty_wrong_item: float = F(
        2.0, "stars", "rating lost when the wrong item arrived", ge=0, le=4, source=SRC_FAULT_STARS
    )
    penalty_defect: float = F(
        2.0, "stars", "rating lost when the item was defective", ge=0, le=4, source=SRC_FAULT_STARS
    )
    replacement_recovery: float = E(
        "reviews.replacement_recovery",
        "share of the wrong-item or defect penalty won back when the store sends a replacement",
        **PROB,
    )
    penalty_slow_refund: float = F(
        1.0, "stars", "rating lost when a refund took longer than promised", ge=0, le=4, source=SRC_SERVICE_STARS
    )
    penalty_slow_service: float = E(
        "reviews.penalty_slow_service", "rating lost when a ticket waited beyond the SLA", ge=0, le=4
    )
    noise_sd: float = F(0.7, "stars", "spread of ratings around their expectation", ge=0, le=3)
    bad_experience_review_multiplier: float = E(
        "reviews.bad_experience_review_multiplier",
        "review probability after a bad experience relative to a flawless one",
        ge=1,
        le=10,
    )
    extreme_share: float = E(
        "reviews.extreme_share",
        "reviewers who give 1 or 5 stars (5 with probability (expected - 1) / 4, so the mean is kept)",
        **PROB,
    )
    rating_half_life_days: float = E(
        "reviews.rating_half_life_days",
        "age at which a review counts half in the live rating (exponential decay)",
        gt=0,
        le=3650,
    )
    reference_rating: float = F(4.0, "stars", "rating at which the review effect on conversion is 1", ge=1, le=5)
    rating_sensitivity: float = E("reviews.rating_sensitivity", "log conversion change per star", ge=0, le=2)
    count_floor: float = E(
        "reviews.count_floor", "conversion multiplier with no reviews (relative to many)", ge=0.01, le=1
    )
    count_scale: float = F(
        5.0, "reviews", "review count at which 63% of the count effect is reached", gt=0, le=10_000, source=SRC_COUNT
    )


class Sku(Section):
    demand_weight: float = F(1.0, "relative", "share of product views that land on this SKU", ge=0, le=1000)
    category: str = F("", "-", "category whose season (calendar.category_season) this SKU follows; empty: none")
    price: float = F(30.0, "money/unit", "selling price", gt=0, le=1_000_000)
    unit_cost: float = F(12.0, "money/unit", "landed cost of goods", ge=0, le=1_000_000)
    reference_price: float = F(
        30.0,
        "money/unit",
        "price customers consider fair (competitors' price); pricing above it lowers add-to-cart by the elasticity",
        gt=0,
        le=1_000_000,
    )
    elasticity: float = E(
        "catalogue.skus.*.elasticity", "price elasticity of add-to-cart against the reference price", ge=-20, le=0
    )
    was_price: float | None = F(
        None, "money/unit", "a 'was' price shown struck through at all times (an anchor)", gt=0, le=1_000_000
    )
    initial_stock: int = F(400, "units", "stock at hour 0", ge=0, le=10_000_000)
    reorder_point: int = F(100, "units", "reorder when stock on hand plus on order falls to this", ge=0, le=10_000_000)
    reorder_quantity: int = F(400, "units", "units per purchase order", ge=0, le=10_000_000)
    supplier_lead_time_days: float = F(14.0, "days", "purchase order to stock on the shelf", ge=0, le=365)
    return_probability: float = F(
        0.12,
        "share",
        "orders returned after a flawless delivery",
        **PROB,
        source=SRC_RETURNS + " (part of it is wrong items, defects and late parcels)",
    )
    defect_probability: float = F(0.02, "share", "orders that arrive defective", **PROB)


def _default_skus() -> dict[str, Sku]:
    return {
        "tee": Sku(
            demand_weight=3,
            price=25,
            reference_price=25,
            unit_cost=9,
            initial_stock=500,
            reorder_point=150,
            reorder_quantity=500,
            return_probability=0.15,
        ),
        "hoodie": Sku(
            demand_weight=2,
            price=55,
            reference_price=55,
            unit_cost=22,
            initial_stock=300,
            reorder_point=80,
            reorder_quantity=300,
            return_probability=0.15,
        ),
        "mug": Sku(
            demand_weight=1.5,
            price=15,
            reference_price=15,
            unit_cost=5,
            initial_stock=300,
            reorder_point=60,
            reorder_quantity=300,
            return_probability=0.06,
            defect_probability=0.03,
        ),
        "poster": Sku(
            demand_weight=1,
            price=20,
            reference_price=20,
            unit_cost=6,
            initial_stock=200,
            reorder_point=50,
            reorder_quantity=200,
            return_probability=0.05,
        ),
    }


class Catalogue(Section):
    skus: dict[str, Sku] = F(None, "-", "products by SKU code", default_factory=_default_skus, min_length=1)
    stockout_policy: Literal["lost", "backorder"] = F(
        "lost", "-", "out of stock: the sale is lost, or taken and shipped later"
    )
    backorder_acceptance: float = F(0.5, "share", "with backorders: visitors who still buy when out of stock", **PROB)
    extra_units_mean: float = F(0.3, "units", "mean extra units per order beyond the first (Poisson)", ge=0, le=50)
    holding_cost_rate: float = F(
        0.25,
        "share/year",
        "cost of holding stock, per year, as a share of its unit cost",
        ge=0,
        le=5,
        source=SRC_HOLDING,
    )


class Shift(Section):
    """Working hours, the same on each listed weekday (0 = Monday).  0-24 on all days is round the clock."""

    start_hour: float = F(8.0, "hour of day", "shift start", ge=0, le=24)
    end_hour: float = F(18.0, "hour of day", "shift end", ge=0, le=24)
    weekdays: list[int] = F(
        None,
        "weekday",
        "working weekdays, 0 = Monday",
        default_factory=lambda: [0, 1, 2, 3, 4],
        min_length=1,
        max_length=7,
    )

    @model_validator(mode="after")
    def _valid(self) -> Shift:
        if self.end_hour <= self.start_hour:
            raise ValueError(f"end_hour must be after start_hour ({self.start_hour}), got {self.end_hour}")
        if any(d < 0 or d > 6 for d in self.weekdays) or len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError(f"weekdays must be distinct integers 0-6, got {self.weekdays}")
        return self

    @property
    def always_open(self) -> bool:
        return self.start_hour == 0 and self.end_hour == 24 and len(self.weekdays) == 7


class CrewShift(Shift):
    """One shift of a staffing plan: ``people`` at work from start_hour to end_hour on the listed weekdays."""

    people: int = F(1, "people", "people on this shift", ge=0, le=1000)


def _crew_people(crew: dict[str, CrewShift]) -> int:
    return sum(c.people for c in crew.values())


class Warehouse(Section):
    pickers: int = F(2, "people", "pickers on each shift", ge=1, le=1000)
    shift: Shift = F(
        None,
        "-",
        "pickers' working hours",
        default_factory=lambda: Shift(start_hour=8, end_hour=17, weekdays=[0, 1, 2, 3, 4, 5]),
    )
    pick_minutes_mean: float = F(6.0, "minutes", "mean time to pick and pack one order", gt=0, le=600)
    pick_minutes_cv: float = F(0.5, "-", "coefficient of variation of pick time (lognormal)", ge=0, le=5)
    pick_error_probability: float = F(
        0.01, "share", "orders packed with the wrong item", **PROB, source="weak: warehouse pick accuracy 99-99.9%"
    )
    carrier_pickup_hour: float = F(
        17.0, "hour of day", "daily collection; later parcels wait for the next day", ge=0, le=24
    )
    crew: dict[str, CrewShift] = F(
        None, "-", "staffing plan by shift name; when set it replaces pickers and shift", default_factory=dict
    )
    hourly_cost: float = F(31.8, "money/hour", "labour cost of one picker-hour", ge=0, le=10_000, source=SRC_LABOUR)
    travel_share: float = F(0.5, "share", "share of pick time spent walking", **PROB, source=SRC_TRAVEL)
    path_length_factor: float = F(
        1.0,
        "x",
        "pick-path length of the layout relative to the current one (0.7: a layout with 30% shorter paths)",
        gt=0,
        le=10,
    )


class DeliveryOption(Section):
    share: float = F(1.0, "share", "orders choosing this option (options must sum to 1)", **PROB)
    fee: float = F(0.0, "money", "what the customer pays for it", ge=0, le=10_000)
    cost: float = F(5.0, "money", "what the carrier charges the store per parcel", ge=0, le=10_000)
    lead_time_days_mean: float = F(3.0, "days", "mean time from collection to the door", gt=0, le=120)
    lead_time_days_cv: float = F(0.3, "-", "coefficient of variation of the lead time (gamma)", ge=0, le=5)
    promise_days: float = F(5.0, "days", "delivery promised this long after the order", gt=0, le=120)
    incident_probability: float = F(
        0.05,
        "share",
        "parcels hit by a carrier incident: the option's late share when the store is staffed as planned",
        **PROB,
    )
    late_delay_days_mean: float = F(2.0, "days", "mean extra delay of an incident (exponential)", ge=0, le=120)
    free_above_threshold: bool = F(True, "-", "the fee is waived above delivery.free_shipping_threshold")

    @field_validator("lead_time_days_cv")
    @classmethod
    def _cv_zero_or_usable(cls, value: float) -> float:
        # the gamma's shape is 1 / cv**2: below ~1e-154 cv**2 underflows to 0 and every parcel's lead time is NaN
        if 0 < value < MIN_CV:
            raise ValueError(f"allowed: 0 (a fixed lead time) or from {MIN_CV:g} to 5")
        return value


def _default_options() -> dict[str, DeliveryOption]:
    return {
        "standard": DeliveryOption(share=0.7, fee=3.9, cost=4.5, lead_time_days_mean=2.5, promise_days=5),
        "express": DeliveryOption(
            share=0.2,
            fee=8.9,
            cost=9.0,
            lead_time_days_mean=1.0,
            lead_time_days_cv=0.25,
            promise_days=2,
            incident_probability=0.04,
            late_delay_days_mean=1.0,
            free_above_threshold=False,
        ),
        "pickup": DeliveryOption(
            share=0.1, fee=0.0, cost=3.0, lead_time_days_mean=3.0, promise_days=6, incident_probability=0.03
        ),
    }


def expected_fee(options: Mapping[str, DeliveryOption]) -> float:
    """Mean delivery fee an order pays over the option mix (no threshold)."""
    return float(sum(o.share * o.fee for o in options.values()))


class Delivery(Section):
    options: dict[str, DeliveryOption] = F(
        None, "-", "delivery options by name", default_factory=_default_options, min_length=1
    )
    free_shipping_threshold: float = F(
        0.0, "money", "goods value from which fees are waived (0: no threshold)", ge=0, le=1_000_000
    )
    reference_fee: float | None = F(
        None,
        "money",
        "expected fee at which the funnel's checkout step holds; "
        "fixed on loading to the options' expected fee, so later fee changes move "
        "conversion",
        ge=0,
        le=10_000,
    )
    fee_salience: float = E(
        "delivery.fee_salience", "delivery fees count this many times the SKU's price elasticity", ge=0, le=10
    )
    top_up_probability: float = E(
        "delivery.top_up_probability", "orders one unit short of the threshold that add a unit", **PROB
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Delivery:
        total = sum(o.share for o in self.options.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"option shares must sum to 1, got {total:.6g}")
        if self.reference_fee is None:  # resolved once, when the scenario is first read
            object.__setattr__(self, "reference_fee", expected_fee(self.options))
        return self


class Returns(Section):
    window_days: float = F(30.0, "days", "returns accepted this long after delivery", ge=0, le=365)
    free_returns: bool = F(True, "-", "the store pays the return label")
    label_cost: float = F(5.0, "money", "cost of a return label", ge=0, le=10_000)
    late_multiplier: float = E(
        "returns.late_multiplier", "return probability multiplier after a late delivery", ge=1, le=10
    )
    request_days_mean: float = F(4.0, "days", "mean delay from delivery to the return request", ge=0, le=365)
    transit_days_mean: float = F(4.0, "days", "mean time for the return parcel to arrive", ge=0, le=120)
    refund_days_mean: float = F(3.0, "days", "mean time to pay the refund after receipt", ge=0, le=120)
    refund_promise_days: float = F(5.0, "days", "refund later than this counts as slow", ge=0, le=120)
    replacement_probability: float = E(
        "returns.replacement_probability",
        "buyers of a wrong or defective item who take a replacement (reshipped at once) instead of a refund",
        **PROB,
    )
    no_reason_returns: bool = F(False, "-", "returns accepted without a reason (scope leniency)")
    no_reason_conversion_multiplier: float = E(
        "returns.no_reason_conversion_multiplier", "add-to-cart multiplier of no-reason returns", ge=0.5, le=2
    )
    no_reason_return_multiplier: float = E(
        "returns.no_reason_return_multiplier", "return-probability multiplier of no-reason returns", ge=1, le=5
    )
    paid_returns_conversion_multiplier: float = E(
        "returns.paid_returns_conversion_multiplier",
        "add-to-cart multiplier when the customer pays the return label",
        ge=0.5,
        le=1,
    )
    paid_returns_return_multiplier: float = E(
        "returns.paid_returns_return_multiplier",
        "return-probability multiplier when the customer pays the label",
        ge=0,
        le=1,
    )


class Service(Section):
    enabled: bool = F(True, "-", "customers can open tickets")
    agents: int = F(3, "people", "agents on each shift", ge=0, le=1000)
    shift: Shift = F(
        None,
        "-",
        "agents' working hours",
        default_factory=lambda: Shift(start_hour=8, end_hour=20, weekdays=[0, 1, 2, 3, 4, 5, 6]),
    )
    handle_minutes_mean: float = F(12.0, "minutes", "mean agent time per ticket (exponential)", gt=0, le=1440)
    ai_share: float = F(0.2, "share", "tickets the AI assistant resolves without an agent", **PROB)
    ai_response_minutes: float = F(1.0, "minutes", "AI assistant's answer time", ge=0, le=1440)
    sla_hours: float = F(12.0, "hours", "first-response target", gt=0, le=720, source=SRC_REPLY)
    wismo_probability: float = F(0.03, "share", "on-time orders whose customer still asks where the order is", **PROB)
    wismo_late_probability: float = F(0.5, "share", "late orders whose customer asks where the order is", **PROB)
    return_ticket_probability: float = F(0.6, "share", "returns that start with a ticket", **PROB)
    pre_sales_per_1000_views: float = F(2.0, "tickets", "pre-sales questions per 1,000 product views", ge=0, le=1000)
    faq_pre_sales_deflection: float = F(0.0, "share", "pre-sales questions the FAQ answers before a ticket", **PROB)
    faq_wismo_deflection: float = F(0.0, "share", "where-is-my-order questions the FAQ / tracking page answers", **PROB)
    crew: dict[str, CrewShift] = F(
        None, "-", "staffing plan by shift name; when set it replaces agents and shift", default_factory=dict
    )
    hourly_cost: float = F(31.8, "money/hour", "labour cost of one agent-hour", ge=0, le=10_000, source=SRC_LABOUR)

    @property
    def pre_sales_per_view(self) -> float:
        """Chance that a product view asks a question that opens a ticket: the FAQ answers its share first,
        and no view opens one when customers cannot open tickets."""
        return self.pre_sales_per_1000_views / 1000.0 * (1.0 - self.faq_pre_sales_deflection) if self.enabled else 0.0

    @property
    def wismo_per_order(self) -> float:
        """Chance that the buyer of an order on time opens a where-is-my-order ticket: the FAQ / tracking page
        answers its share first."""
        return self.wismo_probability * (1.0 - self.faq_wismo_deflection)

    @property
    def wismo_per_late_order(self) -> float:
        """:attr:`wismo_per_order` of an order past its promise."""
        return self.wismo_late_probability * (1.0 - self.faq_wismo_deflection)


class Customers(Section):
    visit_rate_per_day: float = F(0.08, "visits/day", "sessions per active customer per day", ge=0, le=10)
    churn_probability: float = F(
        0.35, "share", "customers who stop buying after a flawless order", **PROB, source=SRC_REPEAT
    )
    bad_experience_churn: float = E(
        "customers.bad_experience_churn", "added churn after a late, wrong, defective or slow order", **PROB
    )
    repeat_channel_mix: dict[str, float] = F(
        None,
        "share",
        "channels of customers' return visits (sum to 1)",
        default_factory=lambda: {"email": 0.4, "direct": 0.4, "organic_search": 0.2},
    )
    segments: dict[str, Segment] = F(
        None, "-", "customer segments by name (empty: one homogeneous base)", default_factory=dict
    )

    @model_validator(mode="after")
    def _mix_sums_to_one(self) -> Customers:
        if any(v < 0 for v in self.repeat_channel_mix.values()):
            raise ValueError("repeat_channel_mix shares must be >= 0")
        if self.repeat_channel_mix and abs(sum(self.repeat_channel_mix.values()) - 1.0) > 1e-6:
            raise ValueError(f"repeat_channel_mix must sum to 1, got {sum(self.repeat_channel_mix.values()):.6g}")
        return self


def _shares_sum_to_one(what: str, shares: Mapping[str, float]) -> None:
    if shares and abs(sum(shares.values()) - 1.0) > 1e-6:
        raise ValueError(f"{what}: shares must sum to 1, got {sum(shares.values()):.6g} ({dict(shares)})")


class Scenario(Section):
    """One store: every section with its defaults.  Build with :func:`load_scenario` or :meth:`from_dict`."""

    meta: Meta = Field(default_factory=Meta)
    time: Time = Field(default_factory=Time)
    money: Money = Field(default_factory=Money)
    traffic: Traffic = Field(default_factory=Traffic)
    funnel: Funnel = Field(default_factory=Funnel)
    page: Page = Field(default_factory=Page)
    markets: dict[str, Market] = F(
        None, "-", "markets by name, with traffic share and localisation", default_factory=default_markets, min_length=1
    )
    reviews: Reviews = Field(default_factory=Reviews)
    catalogue: Catalogue = Field(default_factory=Catalogue)
    selection: Selection = Field(default_factory=Selection)
    pricing: Pricing = Field(default_factory=Pricing)
    warehouse: Warehouse = Field(default_factory=Warehouse)
    delivery: Delivery = Field(default_factory=Delivery)
    returns: Returns = Field(default_factory=Returns)
    warranty: Warranty = Field(default_factory=Warranty)
    service: Service = Field(default_factory=Service)
    customers: Customers = Field(default_factory=Customers)
    crm: Crm = Field(default_factory=Crm)
    risk: Risk = Field(default_factory=Risk)
    calendar: Calendar = Field(default_factory=Calendar)
    ab_test: ABTest = Field(default_factory=ABTest)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        channels, skus = set(self.traffic.channels), set(self.catalogue.skus)
        _names_known("customers.repeat_channel_mix", self.customers.repeat_channel_mix, channels, "channels")
        s = self.service
        agents = _crew_people(s.crew) if s.crew else s.agents
        if s.enabled and agents == 0 and s.ai_share < 1:
            who = "service.crew has no people" if s.crew else "service.agents is 0"
            raise ValueError(
                f"{who} while tickets are enabled and service.ai_share < 1: "
                "allowed: agents >= 1, or ai_share = 1, or enabled = false"
            )
        _shares_sum_to_one("markets", {k: m.traffic_share for k, m in self.markets.items()})
        _shares_sum_to_one("customers.segments", {k: g.share for k, g in self.customers.segments.items()})
        if self.warehouse.crew and _crew_people(self.warehouse.crew) == 0:
            raise ValueError(
                "warehouse.crew: the staffing plan has no people (allowed: at least one shift with people >= 1)"
            )
        for name, promo in self.pricing.promotions.items():
            _names_known(f"pricing.promotions.{name}.skus", promo.skus, skus, "SKUs")
        _names_known("selection.candidates", self.selection.candidates, skus, "SKUs")
        for name, c in self.crm.campaigns.items():
            _names_known(f"crm.campaigns.{name}.channel", [c.channel], channels, "channels")
        for name, shock in self.risk.traffic_shocks.items():
            _names_known(f"risk.traffic_shocks.{name}.channels", shock.channels, channels, "channels")
        for name, delay in self.risk.supplier_delays.items():
            _names_known(f"risk.supplier_delays.{name}.skus", delay.skus, skus, "SKUs")
        for name, d in self.risk.carrier_disruptions.items():
            _names_known(f"risk.carrier_disruptions.{name}.options", d.options, set(self.delivery.options), "options")
        if self.ab_test.enabled:
            self.variant_b()
        return self

    def variant_b(self) -> Scenario:
        """Arm B of ``ab_test``: this scenario with ``ab_test.variant_b`` applied (and no test of its own)."""
        t = self.ab_test
        bad = [p for p in t.variant_b if not any(fnmatch.fnmatchcase(p, pat) for pat in AB_LEVERS)]
        if bad:
            raise ValueError(f"ab_test.variant_b: {bad} cannot be split by session (allowed: {', '.join(AB_LEVERS)})")
        data = self.to_dict()
        data["ab_test"] = {}
        try:
            for path, value in t.variant_b.items():
                _set_path(data, path, value)
            return Scenario.from_dict(data, origin="ab_test.variant_b")
        except ScenarioError as exc:
            msg = str(exc)
            raise ValueError(msg if msg.startswith("ab_test.variant_b") else f"ab_test.variant_b.{msg}") from None

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "scenario") -> Scenario:
        """Validate a plain mapping (as read from YAML); raise :class:`ScenarioError` on any defect."""
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{origin}: a scenario must be a mapping of sections, got {type(data).__name__}")
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise ScenarioError(_describe(exc, origin)) from None

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved scenario as plain YAML-able data (dates as ISO strings)."""
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A copy with fields replaced by dotted path, e.g. ``{"service.agents": 12}``, validated anew."""
        data = self.to_dict()
        for path, value in overrides.items():
            _set_path(data, path, value)
        return Scenario.from_dict(data, origin="override")

    def get(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``get("catalogue.skus.tee.price")``."""
        node: Any = self.to_dict()
        for i, part in enumerate(path.split(".")):
            if not isinstance(node, dict) or part not in node:
                raise ScenarioError(_unknown_path(path, i, node))
            node = node[part]
        return node


def _names_known(path: str, names: Iterable[str], allowed: set[str], what: str) -> None:
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise ValueError(f"{path} names {what} that the scenario lacks: {unknown}; allowed: {sorted(allowed)}")


#: Fields renamed since older scenario files were written: old name -> new name.  An old file gets a
#: one-line error naming both (``delivery.options.standard.late_probability`` meant carrier incidents).
RENAMED = {
    "late_probability": "incident_probability",
    "extra_late_probability": "extra_incident_probability",
}


def _renamed(where: str, name: str, keys: Iterable[str]) -> str | None:
    """The error for an old field name that a field of this section replaced, else None."""
    new = RENAMED.get(name)
    if new is None or new not in keys:
        return None
    return f"{where}: renamed; write '{new}' instead of '{name}' (same meaning, same range)"


def _unknown_path(path: str, depth: int, node: Any) -> str:
    parts = path.split(".")
    where = ".".join(parts[: depth + 1])
    keys = sorted(node) if isinstance(node, dict) else []
    renamed = _renamed(where, parts[depth], keys)
    if renamed:
        return renamed
    hint = difflib.get_close_matches(parts[depth], keys, n=1)
    suggestion = f"; did you mean '{'.'.join(parts[:depth] + [hint[0]])}'?" if hint else ""
    return f"{where}: unknown field{suggestion} (allowed here: {', '.join(keys) or 'nothing'})"


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError(_unknown_path(path, i, node))
        node = node[part]
    last = parts[-1]
    # New keys are allowed only inside name-keyed collections (channels, skus, options, mixes).
    if not isinstance(node, dict) or (last not in node and not _is_collection(parts[:-1])):
        raise ScenarioError(_unknown_path(path, len(parts) - 1, node))
    node[last] = value


_COLLECTIONS = {
    ("traffic", "channels"),
    ("catalogue", "skus"),
    ("delivery", "options"),
    ("customers", "repeat_channel_mix"),
    ("customers", "segments"),
    ("markets",),
    ("pricing", "promotions"),
    ("crm", "campaigns"),
    ("warehouse", "crew"),
    ("service", "crew"),
    ("risk", "traffic_shocks"),
    ("risk", "supplier_delays"),
    ("risk", "carrier_disruptions"),
    ("ab_test", "variant_b"),
}


def _is_collection(parts: list[str]) -> bool:
    return tuple(parts) in _COLLECTIONS


def _allowed(err: Mapping[str, Any]) -> str:
    ctx = err.get("ctx") or {}
    bounds = [f"{sym} {ctx[key]}" for key, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")) if key in ctx]
    if bounds:
        return "allowed: " + " and ".join(bounds)
    if "expected" in ctx:
        return f"allowed: {ctx['expected']}"
    return ""


def _describe(exc: ValidationError, origin: str) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        path = ".".join(loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(_extra_key_message(loc))
            continue
        value = err.get("input")
        shown = str(value) if isinstance(value, dt.date) else shorten(value)
        msg = err["msg"].removeprefix("Value error, ")
        if not loc:  # a cross-section check: its message starts with the dotted path it is about
            lines.append(msg)
            continue
        if err["type"] == "value_error" and isinstance(value, Mapping):  # a check of a whole section
            lines.append(f"{path}: {msg}")
            continue
        allowed = _allowed(err)
        lines.append(f"{path} = {shown}: {msg}" + (f" ({allowed})" if allowed and allowed not in msg else ""))
    head = f"{origin}: {len(lines)} problem{'s' if len(lines) > 1 else ''}: " if len(lines) > 1 else f"{origin}: "
    return one_line(head + "; ".join(lines))


def _extra_key_message(loc: list[str]) -> str:
    """Unknown key: name it and suggest the closest field of the section it sits in."""
    model: Any = Scenario
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is not None:  # else `part` is a key of a named collection: stay on its item model
            model = _field_model(field.annotation)
    keys = sorted(getattr(model, "model_fields", {}))
    renamed = _renamed(one_line(".".join(loc), 80), loc[-1], keys)
    if renamed:
        return renamed
    hint = difflib.get_close_matches(loc[-1], keys, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"{one_line('.'.join(loc), 80)}: unknown field{suggestion} (allowed: {', '.join(keys)})"


def _field_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if args and getattr(annotation, "__origin__", None) is dict:
        return args[1]
    return annotation


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file strictly (``sim.scenario.yaml_strict``) and validate it."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read the scenario file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    data = load_yaml(text, str(p))
    return Scenario.from_dict(data if data is not None else {}, origin=str(p))
