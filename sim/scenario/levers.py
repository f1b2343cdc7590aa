"""The strategy-lever sections of a scenario: programmes a store may run, stage by stage of the guide.

Each section here is off or neutral by default (no promotions, no candidate
SKUs under test, one fully localised market, no membership, no campaigns, no
shocks, no A/B test), so a scenario that does not mention a lever behaves
exactly as it did before the lever existed.  Pulling one is a field in the
YAML file, e.g. four planned sales a year::

    pricing:
      promotions:
        spring: {start: 2026-03-02, days: 14, depth: 0.2}
        summer: {start: 2026-06-01, days: 14, depth: 0.2}
        ...

The behavioural constants behind each lever (how much a missing language
costs, how fast a sale lowers the fair price ...) are fields too, with the
published figure they come from named in ``source`` and written out in
``data/reference/<topic>.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import model_validator

from sim.scenario.effects import E
from sim.scenario.fields import PROB, F, Section

# --- sources (full citations and ranges: data/reference/*.md) -----------------------------------
SRC_WARRANTY = (
    "weak: trade press (Warranty Week, Consumer Reports): extended warranties sell to 10-30% of buyers at "
    "10-25% of the item price; data/reference/after_sales.md"
)
SRC_MEMBER = (
    "weak: Liu 2007 (J. Marketing) and Bolton, Kannan & Bramlett 2000 (JAMS): loyalty-programme members buy "
    "more often and forgive more; magnitudes 1.2-1.5x visits, 0.6-0.8x churn; data/reference/crm.md"
)
SRC_EMAIL_RESPONSE = "Mailchimp e-mail marketing benchmarks 2019: e-commerce click rate 2.0% (all industries 2.6%)"
SRC_EMAIL_COST = "weak: e-mail service providers' list prices, about 0.001-0.003 per message; data/reference/crm.md"


def _start(doc: str) -> Any:
    return F(None, "date", doc + " (empty: the first simulated day)", strict=False)


# --- stage 4: pricing and promotions ---------------------------------------------------------------


class Promotion(Section):
    """One sale on the promotion calendar: a price cut on some (or all) SKUs for a run of days."""

    start: dt.date | None = _start("first day of the sale")
    days: int = F(7, "days", "length of the sale", ge=1, le=3650)
    depth: float = F(0.0, "share", "price cut, e.g. 0.2 for 20% off", ge=0, le=0.9)
    skus: list[str] = F(None, "-", "SKUs on sale (empty: all)", default_factory=list)
    show_was_price: bool = F(True, "-", "show the regular price struck through (an anchor, see pricing.anchor_weight)")


class Bundle(Section):
    """A multi-buy offer: every unit of an order is cheaper once the order has ``min_units`` units."""

    min_units: int = F(2, "units", "units an order needs for the bundle price", ge=2, le=100)
    discount: float = F(0.0, "share", "price cut on every unit of a bundle order (0: no bundle offer)", ge=0, le=0.9)


class Pricing(Section):
    """Promotion calendar, reference-price memory (promotion fatigue), anchoring and bundles.

    Each SKU's *reference price* (the price customers consider fair) mixes
    its ``reference_price`` (competitors') with the memory ``M`` of the
    prices this store has shown: ``R = reference_price + memory_weight * (M -
    reference_price)``, where ``M`` moves day by day toward the price shown,
    ``M[t+1] = M[t] + (1 - lambda) * (P[t] - M[t])`` with ``lambda = 0.5 **
    (1 / reference_half_life_days)``.  Add-to-cart follows ``(P / R) **
    elasticity``, with the elasticity multiplied by ``loss_aversion`` when
    the price is above the reference.  So a long or frequent sale lowers R,
    and when the price returns to normal it sits above R and full-price
    conversion falls until R recovers: the fatigue of an "always on sale"
    store (Mela, Gupta & Lehmann 1997).
    """

    promotions: dict[str, Promotion] = F(None, "-", "the promotion calendar, sales by name", default_factory=dict)
    memory_weight: float = E(
        "pricing.memory_weight",
        "weight of the memory of this store's own past prices in the reference "
        "price (the rest: the SKU's reference_price, competitors' price)",
        **PROB,
    )
    reference_half_life_days: float = E(
        "pricing.reference_half_life_days",
        "days for the reference price to close half its gap to the price shown",
        gt=0,
        le=3650,
    )
    loss_aversion: float = E(
        "pricing.loss_aversion", "elasticity multiplier when the price is above the reference price", ge=1, le=5
    )
    anchor_weight: float = E(
        "pricing.anchor_weight", "how far a shown 'was' price pulls the reference price up toward it", **PROB
    )
    bundle: Bundle = F(None, "-", "multi-buy bundle offer", default_factory=Bundle)


# --- stage 1: selection (test and kill) --------------------------------------------------------------


class Selection(Section):
    """A test-and-kill launch: candidate SKUs start with small stock and face a review after N days.

    At the review a candidate whose conversion (orders wanted / product views
    while in stock) or gross margin ((revenue - refunds - cost of goods kept) /
    (revenue - refunds), over the test) is below its threshold is killed: it
    leaves the shop (its views go to the other SKUs), is never reordered, and
    its remaining stock is dead stock.  A candidate that passes is reordered
    by its own reorder policy from then on.
    """

    candidates: list[str] = F(None, "-", "SKUs launched as a test (empty: no test)", default_factory=list)
    review_after_days: int = F(
        28, "days", "day of the kill review, counted from the first simulated day", ge=1, le=3650
    )
    kill_below_conversion: float = F(
        0.0, "share", "kill a candidate converting fewer product views than this (0: never on conversion)", **PROB
    )
    kill_below_margin: float = F(
        -1.0,
        "share",
        "kill a candidate whose gross margin over the test is below this (-1: never on margin)",
        ge=-1,
        le=1,
    )
    test_budget: float = F(
        0.0,
        "money",
        "money for the candidates' initial stock, split evenly, at unit cost (0: each candidate's own initial_stock)",
        ge=0,
        le=100_000_000,
    )
    restock_during_test: bool = F(False, "-", "candidates may be reordered before they pass the review")


# --- stages 2-3: markets and localisation ---------------------------------------------------------------


class Market(Section):
    """A market the store sells into: its share of traffic and what is localised for it."""

    traffic_share: float = F(1.0, "share", "share of sessions from this market (markets sum to 1)", **PROB)
    local_language: bool = F(True, "-", "pages in the market's language (else funnel.foreign_language_multiplier)")
    local_payment: bool = F(True, "-", "the market's usual payment methods (else funnel.missing_payment_multiplier)")
    local_delivery: bool = F(
        True,
        "-",
        "delivery times stated for this market and promised accordingly "
        "(else funnel.unlocalised_delivery_multiplier and the home promise)",
    )
    extra_delivery_days: float = F(0.0, "days", "extra carrier days to reach this market", ge=0, le=60)


def default_markets() -> dict[str, Market]:
    return {"home": Market()}


# --- stage 6: CRM ------------------------------------------------------------------------------------------


class Segment(Section):
    """A customer segment: new customers fall into it with ``share``; it buys and leaves at its own pace."""

    share: float = F(1.0, "share", "share of new customers in this segment (segments sum to 1)", **PROB)
    churn_multiplier: float = F(1.0, "x", "multiplier on customers.churn_probability", ge=0, le=10)
    visit_rate_multiplier: float = F(1.0, "x", "multiplier on customers.visit_rate_per_day", ge=0, le=20)


class Membership(Section):
    """A membership programme: joined at checkout, with a fee, a member price and a retention effect."""

    offered: bool = F(False, "-", "the programme exists")
    fee_per_year: float = F(
        0.0, "money/year", "membership fee, paid on joining and every year after (0: free)", ge=0, le=100_000
    )
    join_probability: float = F(
        0.25,
        "share",
        "first-time buyers who join at checkout",
        **PROB,
        source="weak: free programmes sign up 20-40% of buyers, paid ones far fewer; data/reference/crm.md",
    )
    member_discount: float = F(
        0.05,
        "share",
        "member price: discount on every member order",
        ge=0,
        le=0.9,
        source="weak: member prices of 5-10% off are common; data/reference/crm.md",
    )
    churn_multiplier: float = F(0.7, "x", "multiplier on a member's churn probability", ge=0, le=10, source=SRC_MEMBER)
    visit_rate_multiplier: float = F(1.3, "x", "multiplier on a member's visit rate", ge=0, le=20, source=SRC_MEMBER)


class Campaign(Section):
    """A CRM message on a schedule (newsletter, birthday greeting, win-back).

    On each send day ``audience_share`` of the audience receives it; each
    recipient comes back (one session on ``channel``) with
    ``response_rate``, spread over ``response_days``.  Win-back messages go to
    churned customers, and those who respond rejoin the active base.  A
    birthday greeting is a daily campaign with ``audience_share`` 1/365.
    """

    start: dt.date | None = _start("first send day")
    every_days: int = F(0, "days", "days between sends (0: once)", ge=0, le=3650)
    audience: Literal["active", "churned", "members"] = F("active", "-", "who receives it")
    audience_share: float = F(1.0, "share", "share of the audience reached by one send", **PROB)
    channel: str = F("email", "-", "traffic channel of the visits it brings", min_length=1)
    send_cost: float = F(0.002, "money/message", "cost of one message", ge=0, le=100, source=SRC_EMAIL_COST)
    response_rate: float = F(0.02, "share", "recipients who come back to the store", **PROB, source=SRC_EMAIL_RESPONSE)
    response_days: int = F(
        3,
        "days",
        "days over which the responses arrive",
        ge=1,
        le=60,
        source="weak: e-mail service providers report most opens and clicks within 1-3 days of "
        "a send; data/reference/crm.md",
    )


class ReviewPrompts(Section):
    """Review and UGC requests sent after delivery."""

    response_rate: float = F(
        0.0,
        "share",
        "prompted buyers who post a review they would not have posted "
        "(0: no prompts; vendors report 5-15%, data/reference/crm.md)",
        **PROB,
    )
    cost_per_prompt: float = F(0.002, "money/message", "cost of one prompt", ge=0, le=100, source=SRC_EMAIL_COST)


class Crm(Section):
    membership: Membership = F(None, "-", "membership programme", default_factory=Membership)
    campaigns: dict[str, Campaign] = F(None, "-", "CRM campaigns by name", default_factory=dict)
    review_prompts: ReviewPrompts = F(None, "-", "post-delivery review prompts", default_factory=ReviewPrompts)


# --- stage 7: after-sales --------------------------------------------------------------------------------------


class Warranty(Section):
    """A 'worry-free' extended warranty offered at checkout."""

    offered: bool = F(False, "-", "the warranty is offered")
    price_share: float = F(
        0.15, "share", "price of the warranty as a share of the goods value", ge=0, le=2, source=SRC_WARRANTY
    )
    attach_rate: float = F(0.2, "share", "orders that add the warranty", **PROB, source=SRC_WARRANTY)
    claim_probability: float = F(
        0.05, "share", "warranties claimed (cost: one unit replaced at unit cost)", **PROB, source=SRC_WARRANTY
    )
    conversion_multiplier: float = F(
        1.03,
        "x",
        "add-to-cart multiplier of the worry-free promise",
        ge=0.5,
        le=2,
        source="weak: guarantee badges lift conversion by a few percent in vendor "
        "A/B tests; data/reference/after_sales.md",
    )
    churn_multiplier: float = F(
        0.9,
        "x",
        "churn multiplier for customers whose order carried the warranty",
        ge=0,
        le=10,
        source="weak: guide, stage 7 ('worry-free options lift repurchase'); data/reference/after_sales.md",
    )


# --- stage 11: risk --------------------------------------------------------------------------------------------


class TrafficShock(Section):
    """Traffic multiplied for a while: a drop after a platform policy change, or a spike after a viral post."""

    start: dt.date | None = _start("first day of the shock")
    days: int = F(7, "days", "length of the shock", ge=1, le=3650)
    multiplier: float = F(
        1.0, "x", "sessions multiplier while it lasts (0.6: a 40% drop; 4: a viral spike)", ge=0, le=100
    )
    channels: list[str] = F(None, "-", "channels hit (empty: all)", default_factory=list)
    recovery_days: int = F(0, "days", "days after the end over which traffic returns linearly to normal", ge=0, le=3650)


class SupplierDelay(Section):
    """Purchase orders placed while it lasts arrive later."""

    start: dt.date | None = _start("first day of the delay")
    days: int = F(7, "days", "length of the disruption", ge=1, le=3650)
    extra_lead_time_days: float = F(0.0, "days", "added to the supplier lead time", ge=0, le=365)
    skus: list[str] = F(None, "-", "SKUs affected (empty: all)", default_factory=list)


class CarrierDisruption(Section):
    """Parcels collected while it lasts travel longer and are late more often."""

    start: dt.date | None = _start("first day of the disruption")
    days: int = F(7, "days", "length of the disruption", ge=1, le=3650)
    lead_time_multiplier: float = F(1.0, "x", "multiplier on the carrier lead time", ge=1, le=20)
    extra_incident_probability: float = F(0.0, "share", "added to each option's incident_probability", **PROB)
    options: list[str] = F(None, "-", "delivery options affected (empty: all)", default_factory=list)


class Risk(Section):
    traffic_shocks: dict[str, TrafficShock] = F(None, "-", "dated traffic drops and spikes", default_factory=dict)
    supplier_delays: dict[str, SupplierDelay] = F(None, "-", "dated supplier delays", default_factory=dict)
    carrier_disruptions: dict[str, CarrierDisruption] = F(None, "-", "dated carrier disruptions", default_factory=dict)


# --- the calendar: seasons, platform sales days, carrier pauses ---------------------------------------------

SRC_SEASON = (
    "medium: US Census Bureau, Monthly Retail Trade, e-commerce / nonstore retailers not seasonally adjusted: "
    "December about 1.3-1.4x the average month, January-February about 0.85x"
)


class SalesDay(Section):
    """A platform sales day, every year on the same date: more visitors, a discount, more conversion."""

    month: int = F(11, "month", "month of the first day", ge=1, le=12)
    day: int = F(11, "day", "day of the month of the first day", ge=1, le=31)
    days: int = F(1, "days", "length of the event", ge=1, le=60)
    traffic_multiplier: float = E(
        "calendar.sales_days.*.traffic_multiplier", "sessions multiplier while it lasts", ge=0, le=50
    )
    conversion_multiplier: float = F(
        1.0, "x", "add-to-cart multiplier beyond the discount (urgency, event pages)", ge=0, le=10
    )
    discount: float = F(
        0.0, "share", "price cut on every SKU while it lasts (shown against the was price)", ge=0, le=0.9
    )

    @model_validator(mode="after")
    def _a_date(self) -> SalesDay:
        try:
            dt.date(2024, self.month, self.day)  # a leap year: 29 February is allowed
        except ValueError:
            raise ValueError(f"month {self.month}, day {self.day} is not a date") from None
        return self


class CarrierPause(Section):
    """Carriers collect nothing while it lasts (Chinese New Year): parcels wait for the first collection after."""

    start: dt.date | None = _start("first day without collections")
    days: int = F(7, "days", "days without collections", ge=1, le=60)


class Calendar(Section):
    """Yearly seasons by SKU category, platform sales days, carrier pauses and slower carriers at peaks.

    Example: a store whose visits rise toward Christmas, with a Black Friday
    at three times the traffic and 20% off, and carriers pausing for the
    Chinese New Year::

        calendar:
          monthly_traffic: [0.85, 0.8, 0.9, 0.95, 0.95, 1.0, 0.95, 0.95, 0.95, 1.0, 1.25, 1.45]
          sales_days:
            black_friday: {month: 11, day: 27, traffic_multiplier: 3.0, discount: 0.2}
          carrier_pauses:
            chinese_new_year: {start: 2026-02-16, days: 7}
    """

    monthly_traffic: list[float] = F(
        None,
        "relative",
        "sessions weight of each month, January first (1 everywhere: no season)",
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        source=SRC_SEASON,
    )
    category_season: dict[str, list[float]] = F(
        None,
        "relative",
        "add-to-cart weight of each month for SKUs of a category (catalogue.skus.*.category), January first",
        default_factory=dict,
    )
    sales_days: dict[str, SalesDay] = F(None, "-", "platform sales days by name", default_factory=dict)
    carrier_pauses: dict[str, CarrierPause] = F(None, "-", "dated carrier pauses by name", default_factory=dict)
    peak_lead_time_multiplier: float = E(
        "calendar.peak_lead_time_multiplier",
        "carrier lead-time multiplier from a sales day's start to peak_days_after its end",
        ge=1,
        le=10,
    )
    peak_days_after: int = F(3, "days", "days after a sales day that carriers stay slow", ge=0, le=60)
    reorder_ahead: bool = F(
        True, "-", "reorder points and quantities follow the demand the calendar expects over the supplier lead time"
    )

    @model_validator(mode="after")
    def _profiles(self) -> Calendar:
        for name, months in {"monthly_traffic": self.monthly_traffic, **self.category_season}.items():
            if len(months) != 12 or any(m < 0 for m in months) or sum(months) <= 0:
                raise ValueError(f"{name}: 12 monthly weights >= 0 with a positive sum, got {months}")
        return self


# --- stage 9: experiments --------------------------------------------------------------------------------------

#: Levers an A/B test may split by session: dotted paths, ``*`` standing for one name.
AB_LEVERS = (
    "page.*",
    "funnel.*",
    "pricing.*",
    "pricing.bundle.*",
    "catalogue.skus.*.price",
    "catalogue.skus.*.was_price",
    "delivery.free_shipping_threshold",
    "delivery.options.*.fee",
    "returns.free_returns",
    "returns.no_reason_returns",
    "warranty.*",
    "crm.membership.member_discount",
)


class ABTest(Section):
    """An A/B test inside the simulation: sessions split at random between the scenario (A) and a variant (B).

    ``variant_b`` holds the lever values of arm B as dotted paths, e.g.
    ``{"page.quality": 0.8}`` or ``{"delivery.free_shipping_threshold": 40}``.
    Sessions and their orders carry the arm's name (``orders.variant``, the
    ``variants`` table); outside the test window they carry ''.  The split is
    by visitor, so each arm's shoppers remember that arm's prices (a price
    test moves the reference price of its own arm only).
    """

    enabled: bool = F(False, "-", "run the test")
    start: dt.date | None = _start("first day of the test")
    days: int = F(0, "days", "length of the test (0: to the end of the run)", ge=0, le=3650)
    share_b: float = F(0.5, "share", "sessions sent to arm B", **PROB)
    variant_b: dict[str, Any] = F(None, "-", "lever values of arm B by dotted path", default_factory=dict)
    name_a: str = F("A", "-", "label of the control arm", min_length=1, max_length=40)
    name_b: str = F("B", "-", "label of the variant arm", min_length=1, max_length=40)

    @model_validator(mode="after")
    def _names_differ(self) -> ABTest:
        if self.name_a == self.name_b:
            raise ValueError(f"name_a and name_b must differ, both are {self.name_a!r}")
        return self
