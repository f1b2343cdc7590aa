"""The terms a session is offered: prices by day, bundle, delivery fees, return policy, warranty, member price.

One :class:`Offer` is built per arm of an A/B test (just one outside a
test), so that arm B can differ in any of these terms while everything else
about the store is shared.  Two kinds of numbers come out:

* multipliers on the funnel steps, read by ``sim.engine.sales.demand`` - the return
  policy and the warranty on add-to-cart; the delivery fee an order of each
  SKU expects to pay on checkout-to-order, ``((price + fee) / (price +
  reference_fee)) ** (elasticity x fee_salience)``, which is exactly 1 while
  the fees are the ones the scenario was loaded with, capped so the step stays a probability
  (:func:`checkout_ceiling`: free delivery against a 20.00 reference fee runs);
* what each order pays, read by ``sim.engine.model``: the unit price of the day,
  the bundle price, the fee after the free-shipping threshold, the warranty.

Example: with ``free_shipping_threshold: 40`` a hoodie order (55) never pays
the 3.90 standard fee, so its expected fee falls from 4.51 to 1.78 and its
checkout-to-order step rises by ((55 + 1.78) / (55 + 4.51)) ** -2.62 = 1.13.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.engine.sales.pricing import PricePath, price_path
from sim.scenario.definition import Scenario, expected_fee


@dataclass
class Offer:
    prices: PricePath
    #: mean extra units per order beyond the first, per SKU (with the bundle's pull)
    extra_units: np.ndarray
    bundle_min: int
    bundle_discount: float
    fee: np.ndarray
    free_above: np.ndarray
    threshold: float
    top_up: float
    return_multiplier: float
    #: add-to-cart multiplier of the return policy and the warranty promise
    cart_multiplier: float
    #: checkout-to-order multiplier of the expected delivery fee, per SKU
    checkout_multiplier: np.ndarray
    warranty: bool
    warranty_price_share: float
    warranty_attach: float
    warranty_claim: float
    warranty_churn: float
    member_discount: float

    @property
    def needs_draws(self) -> bool:
        """True when orders need per-order draws of their own (top-ups or warranties)."""
        return (self.threshold > 0 and self.top_up > 0) or self.warranty


def threshold_share(price: float, extra_units: float, threshold: float) -> float:
    """Probability that an order of one SKU reaches ``threshold``: units = 1 + Poisson(extra_units)."""
    if threshold <= 0:
        return 0.0
    need = math.ceil(threshold / price - 1e-12)
    if need <= 1:
        return 1.0
    if extra_units <= 0:
        return 0.0
    from scipy import stats  # here, not at the top: a run without a threshold offer never pays its 60 MiB

    return float(stats.poisson.sf(need - 2, extra_units))


def checkout_ceiling(s: Scenario) -> float:
    """Largest checkout multiplier that keeps checkout-to-order a probability (<= 1) in every market.

    Fees below the reference fee raise the step: with ``reference_fee: 20``
    and free delivery a 25.00 tee's checkout-to-order of 0.55 would become
    0.55 x (25 / 45) ** -2.62 = 2.56.  The step is capped at 1 (every checkout
    completes).  ``sim.engine.sales.demand`` multiplies ``(checkout_to_order x
    market multiplier) x this``, so the cap is taken against the market with
    the highest multiplier and nudged down until that float product is <= 1;
    a multiplier that kept every market <= 1 before is never changed.
    """
    f = s.funnel
    worst = max(1.0 if m.local_payment else f.missing_payment_multiplier for m in s.markets.values())
    base = f.checkout_to_order * worst
    if base <= 0:
        return 1.0  # the step is 0 whatever the multiplier; 1.0 keeps 0 x it from becoming 0 x inf
    ceiling = 1.0 / base
    while base * ceiling > 1.0:
        ceiling = float(np.nextafter(ceiling, 0.0))
    return ceiling


def build_offer(s: Scenario, days: int) -> Offer:
    skus = list(s.catalogue.skus.values())
    price = np.array([k.price for k in skus])
    elasticity = np.array([k.elasticity for k in skus])
    b = s.pricing.bundle
    base_units = s.catalogue.extra_units_mean
    extra = np.full(len(skus), base_units)
    if b.discount > 0:  # the marginal unit is cheaper: more units, by the SKU's own elasticity
        extra = base_units * (1.0 - b.discount) ** elasticity

    d = s.delivery
    opts = list(d.options.values())
    if d.free_shipping_threshold > 0:
        reach = np.array([threshold_share(p, u, d.free_shipping_threshold) for p, u in zip(price, extra, strict=True)])
        fees = np.array(
            [sum(o.share * o.fee * ((1.0 - q) if o.free_above_threshold else 1.0) for o in opts) for q in reach]
        )
    else:
        fees = np.full(len(skus), expected_fee(d.options))
    with np.errstate(over="ignore"):  # a tiny price against a large reference fee: inf, capped below
        checkout = ((price + fees) / (price + d.reference_fee)) ** (elasticity * d.fee_salience)
    checkout = np.minimum(checkout, checkout_ceiling(s))

    r, w = s.returns, s.warranty
    cart = 1.0
    if not r.free_returns:
        cart *= r.paid_returns_conversion_multiplier
    if r.no_reason_returns:
        cart *= r.no_reason_conversion_multiplier
    if w.offered:
        cart *= w.conversion_multiplier
    return Offer(
        prices=price_path(s, days),
        extra_units=extra,
        bundle_min=b.min_units,
        bundle_discount=b.discount,
        fee=np.array([o.fee for o in opts]),
        free_above=np.array([o.free_above_threshold for o in opts]),
        threshold=d.free_shipping_threshold,
        top_up=d.top_up_probability,
        return_multiplier=(r.no_reason_return_multiplier if r.no_reason_returns else 1.0)
        * (1.0 if r.free_returns else r.paid_returns_return_multiplier),
        cart_multiplier=cart,
        checkout_multiplier=checkout,
        warranty=w.offered,
        warranty_price_share=w.price_share,
        warranty_attach=w.attach_rate,
        warranty_claim=w.claim_probability,
        warranty_churn=w.churn_multiplier,
        member_discount=s.crm.membership.member_discount if s.crm.membership.offered else 0.0,
    )
