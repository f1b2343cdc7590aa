"""Funnels: step conversion, drop-off and Wilson intervals by group."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from playbook.analysis.funnel import funnel


@pytest.fixture
def daily():
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02"]),
            "channel": pd.array(["organic", "paid", "organic", "paid"], dtype="string"),
            "sessions": [1000, 400, 1200, 600],
            "views": [600, 300, 700, 420],
            "carts": [120, 40, 150, 60],
            "checkouts": [60, 20, 70, 30],
            "orders": [30, 8, 40, 16],
        }
    )


def test_step_conversion_drop_off_and_reach(daily):
    out = funnel(daily, "channel").set_index(["channel", "step"])
    organic_orders = out.loc[("organic", "orders")]
    assert organic_orders["count"] == 70 and organic_orders["previous"] == 130
    assert organic_orders["step_conversion"] == pytest.approx(70 / 130)
    assert organic_orders["drop_off"] == pytest.approx(60 / 130)
    assert organic_orders["reach"] == pytest.approx(70 / 2200)
    # reach of the last step is the product of the step conversions
    assert out.loc["paid", "step_conversion"].prod() == pytest.approx(out.loc[("paid", "orders"), "reach"])


def test_wilson_interval_formula(daily):
    row = funnel(daily, "channel").set_index(["channel", "step"]).loc[("paid", "orders")]
    n, k, z = 50, 24, stats.norm.ppf(0.975)
    p = k / n
    centre, half = (
        (p + z * z / (2 * n)) / (1 + z * z / n),
        z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n),
    )
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((centre - half, centre + half))


def test_wilson_coverage_at_low_rates():
    rng = np.random.default_rng(9)
    reps = pd.DataFrame({"rep": np.arange(2000), "sessions": 500, "orders": rng.binomial(500, 0.012, size=2000)})
    out = funnel(reps, "rep", steps=("sessions", "orders"))
    covered = (out["ci_low"] <= 0.012) & (0.012 <= out["ci_high"])
    # Wilson's exact coverage at n = 500, p = 0.012 (sum of the binomial pmf over the k whose interval,
    # by statsmodels, holds p) is 0.9415, not 0.95: the test compares with it.  2,000 replications give
    # a share with sd 0.0052; 0.02 is 3.8 sd, so a correct funnel fails with a chance of ~1.4e-4.
    k = np.arange(501)
    low, high = proportion_confint(k, 500, alpha=0.05, method="wilson")
    exact = stats.binom.pmf(k, 500, 0.012)[(low <= 0.012) & (0.012 <= high)].sum()
    assert exact == pytest.approx(0.9415, abs=1e-4)
    assert covered.mean() == pytest.approx(exact, abs=0.02)


def test_pooled_funnel_and_empty_step(daily):
    pooled = funnel(daily, None).set_index("step")
    assert pooled.loc["orders", "count"] == 94 and pooled.loc["orders", "reach"] == pytest.approx(94 / 3200)
    zero = daily.assign(views=0, carts=0, checkouts=0, orders=0)
    assert np.isnan(funnel(zero, None).set_index("step").loc["carts", "step_conversion"])


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda d: d.drop(columns="carts"), "carts"),
        (lambda d: d.assign(orders=d["checkouts"] + 1), r"daily.orders .* exceeds daily.checkouts"),
        (lambda d: d.assign(views=-1), r"daily.views must be in \[0, inf\]"),
        (lambda d: d.iloc[:0], "empty"),
        (lambda d: d.drop(columns="channel"), "channel"),
    ],
)
def test_bad_input(daily, change, match):
    with pytest.raises(ValueError, match=match):
        funnel(change(daily), "channel")
