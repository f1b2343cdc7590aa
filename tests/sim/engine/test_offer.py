"""The terms a session is offered: the free-shipping threshold's pull, the fee's effect on checkout, its ceiling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine.sales.offer import build_offer, checkout_ceiling, threshold_share

SKUS = ["tee", "hoodie", "mug", "poster"]


def test_threshold_share_is_the_poisson_tail_of_the_extra_units():
    """units = 1 + Poisson(m): a 15.00 mug reaches 40.00 with 3 units, P(X >= 2) = 1 - e^-m (1 + m)."""
    m = 0.5
    assert threshold_share(15.0, m, 40.0) == pytest.approx(1 - math.exp(-m) * (1 + m))
    assert threshold_share(55.0, m, 40.0) == 1.0, "one hoodie is over the threshold"
    assert threshold_share(20.0, m, 40.0) == pytest.approx(1 - math.exp(-m)), "exactly 40 with two posters"
    assert threshold_share(15.0, 0.0, 40.0) == 0.0 and threshold_share(15.0, m, 0.0) == 0.0


def test_threshold_share_agrees_with_simulated_orders():
    # 200,000 simulated orders: the share's standard error is <= 0.0011, the tolerance 0.005 is 4.5 of them
    # (a correct formula fails about 1 in 150,000)
    units = 1 + np.random.default_rng(3).poisson(1.2, 200_000)
    assert threshold_share(12.0, 1.2, 40.0) == pytest.approx((units * 12.0 >= 40.0).mean(), abs=0.005)


def test_the_loaded_fees_leave_checkout_alone(baseline):
    offer = build_offer(baseline, 10)
    assert offer.checkout_multiplier.tolist() == [1.0] * 4
    assert offer.cart_multiplier == 1.0 and not offer.warranty and offer.member_discount == 0.0
    assert offer.fee.tolist() == [3.9, 8.9, 0.0] and offer.free_above.tolist() == [True, False, True]


def test_the_docstrings_free_shipping_example(baseline):
    """Free shipping from 40: a hoodie order's expected fee falls from 4.51 to 1.78, checkout rises by 1.13."""
    offer = build_offer(baseline.with_overrides({"delivery.free_shipping_threshold": 40.0}), 10)
    hoodie = SKUS.index("hoodie")
    assert offer.checkout_multiplier[hoodie] == pytest.approx(((55 + 1.78) / (55 + 4.51)) ** -2.62)
    assert offer.checkout_multiplier[hoodie] == pytest.approx(1.13, abs=0.005)
    assert np.all(offer.checkout_multiplier >= 1.0), "a waived fee never lowers checkout"
    assert offer.needs_draws, "orders below the threshold may top up"


def test_the_ceiling_keeps_checkout_a_probability(baseline):
    """reference fee 20, delivery free: a 25.00 tee's step would be 0.55 x (25 / 45)^-2.62 = 2.56."""
    free = {f"delivery.options.{o}.fee": 0.0 for o in baseline.delivery.options}
    s = baseline.with_overrides({**free, "delivery.reference_fee": 20.0})
    offer = build_offer(s, 10)
    assert np.all(offer.checkout_multiplier * s.funnel.checkout_to_order <= 1.0)
    assert checkout_ceiling(s) * s.funnel.checkout_to_order <= 1.0
    assert checkout_ceiling(s) == pytest.approx(1 / 0.55)
    unpaid = s.with_overrides({"funnel.checkout_to_order": 0.0})
    assert checkout_ceiling(unpaid) == 1.0


def test_return_policy_warranty_and_bundle_terms(baseline):
    strict = build_offer(baseline.with_overrides({"returns.free_returns": False}), 5)
    assert strict.cart_multiplier == pytest.approx(baseline.returns.paid_returns_conversion_multiplier)
    warranty = build_offer(baseline.with_overrides({"warranty.offered": True}), 5)
    assert warranty.cart_multiplier == pytest.approx(baseline.warranty.conversion_multiplier) and warranty.needs_draws
    bundle = build_offer(baseline.with_overrides({"pricing.bundle.discount": 0.2}), 5)
    base = baseline.catalogue.extra_units_mean
    assert np.all(bundle.extra_units > base), "a cheaper marginal unit sells more units (elasticity < 0)"
    assert bundle.extra_units[0] == pytest.approx(base * 0.8**-2.62)
