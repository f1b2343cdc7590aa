"""Pricing: elasticity recovery and coverage, Lerner optimum, promotion lift."""

import numpy as np
import pandas as pd
import pytest

from playbook.analysis.pricing import optimal_price, price_elasticity, price_quantity, promotion_lift


def _demand(rng, n=80, e=-2.62, noise=0.25):
    price = rng.choice([18.0, 19.5, 21.0, 22.5, 24.0], size=n)
    units = np.round(np.exp(9.0 + e * np.log(price) + rng.normal(0, noise, n)) * 1.0, 6)
    return pd.DataFrame({"price": price, "units": units})


def test_elasticity_recovers_the_true_value_with_coverage():
    # Chance of failing on a correct fit: 1.4e-4 for the estimate (|t_78| > 4) plus 2.9e-4 for the
    # coverage (the share of 400 intervals, Binomial(400, 0.95) / 400, outside 0.95 +- 0.04): < 1 in 1,000.
    rng = np.random.default_rng(1)
    fit = price_elasticity(_demand(rng))
    assert fit.ci_low < fit.elasticity < fit.ci_high and fit.n == 80
    assert fit.elasticity == pytest.approx(-2.62, abs=4 * fit.std_error)
    covered = [(lambda f: f.ci_low <= -2.62 <= f.ci_high)(price_elasticity(_demand(rng))) for _ in range(400)]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.04)


def test_optimal_price_follows_the_lerner_rule_and_maximises_profit():
    assert optimal_price(10.0, -2.0) == pytest.approx(20.0)
    p = optimal_price(7.5, -2.62)
    assert (p - 7.5) / p == pytest.approx(1 / 2.62)

    def profit(q: float) -> float:
        return (q - 7.5) * q**-2.62

    assert profit(p) > profit(p * 0.99) and profit(p) > profit(p * 1.01)
    for inelastic in (-1.0, -0.5, 0.3):
        with pytest.raises(ValueError, match="elasticity must be < -1"):
            optimal_price(10.0, inelastic)


def test_promotion_lift_with_weekday_pattern():
    rng = np.random.default_rng(4)
    dates = pd.date_range("2024-01-01", periods=120, freq="D")
    promo = np.isin(np.arange(120), np.r_[26:33, 61:68, 96:103])  # three promotion weeks
    weekend = np.where(dates.day_of_week >= 5, 1.4, 1.0)
    units = 50 * weekend * np.where(promo, 1.25, 1.0) * np.exp(rng.normal(0, 0.1, 120))
    frame = pd.DataFrame({"date": dates, "units": units, "promo": promo})
    # Chance of failing on a correct model: two 99.95% intervals (alpha = 0.0005) that must hold the
    # true lift, <= 1 in 1,000 together (HC1 intervals are close to exact at 120 days); the true lift
    # is ~9 standard errors from 0, so p < 1e-6 fails with a chance of ~1e-5.  The first interval
    # must also be narrower than 0.2 (+-0.1 around a lift of 0.25): a claim, not a shrug.
    out = promotion_lift(frame, alpha=0.0005)
    assert out.ci_low < 0.25 < out.ci_high and out.ci_high - out.ci_low < 0.2
    assert out.ci_low < out.lift < out.ci_high and out.promo_days == 21 and out.p_value < 1e-6
    none = promotion_lift(frame.assign(units=50 * weekend * np.exp(rng.normal(0, 0.1, 120))), alpha=0.0005)
    assert none.ci_low < 0 < none.ci_high


def test_price_quantity_from_orders():
    orders = pd.DataFrame(
        {
            "placed_at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-09"]),
            "sku": ["A", "A", "B"],
            "units": [1, 3, 2],
            "revenue": [10.0, 27.0, 30.0],
        }
    )
    weekly = price_quantity(orders, sku="A")
    assert weekly["units"].tolist() == [4] and weekly["price"].tolist() == [37.0 / 4]
    assert len(price_quantity(orders)) == 2


@pytest.mark.parametrize(
    "frame, match",
    [
        (pd.DataFrame({"price": [10.0, 0.0], "units": [3.0, 4.0]}), r"frame.price must be in"),
        (pd.DataFrame({"price": [10.0, 11.0], "units": [3.0, -4.0]}), r"frame.units must be in"),
        (pd.DataFrame({"price": [10.0, 10.0], "units": [3.0, 4.0]}), "two values"),
        (pd.DataFrame({"price": [10.0]}), "units"),
    ],
)
def test_bad_input(frame, match):
    with pytest.raises(ValueError, match=match):
        price_elasticity(frame)
