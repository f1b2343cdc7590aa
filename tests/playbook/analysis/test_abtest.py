"""A/B tests: figures against statsmodels/scipy, the published sample size, and peeking theory."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest

from playbook.analysis.abtest import (
    conversion_readout,
    guardrail_check,
    peeking_false_positive_rate,
    power,
    revenue_per_visitor_readout,
    sample_size_per_arm,
    visitor_revenue,
)


def test_published_sample_size_3_vs_3_45_percent():
    n = sample_size_per_arm(0.03, 0.0345, alpha=0.05, power=0.8)
    assert n == pytest.approx(24_200, rel=0.01)
    exact = NormalIndPower().solve_power(proportion_effectsize(0.0345, 0.03), alpha=0.05, power=0.8, ratio=1)
    assert n == int(np.ceil(exact))
    assert power(0.03, 0.0345, n) == pytest.approx(0.8, abs=1e-3)
    assert sample_size_per_arm(0.03, 0.0345, power=0.9) > n > sample_size_per_arm(0.03, 0.036)


def test_conversion_readout_matches_statsmodels_and_the_pooled_formula():
    r = conversion_readout(300, 10_000, 360, 10_000, planned_per_arm=10_000)
    z, p = proportions_ztest([360, 300], [10_000, 10_000])
    pooled = 660 / 20_000
    assert r.z == pytest.approx(z) and z == pytest.approx((0.036 - 0.03) / np.sqrt(pooled * (1 - pooled) * 2 / 10_000))
    assert r.p_value == pytest.approx(p) and r.significant
    low, high = confint_proportions_2indep(360, 10_000, 300, 10_000, compare="diff", method="newcomb")
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high))
    assert r.ci_low < r.difference < r.ci_high and r.difference == pytest.approx(0.006)
    assert not r.early and r.warning == ""


def test_readout_before_planned_size_is_flagged():
    r = conversion_readout(30, 1_000, 45, 1_000, planned_per_arm=24_165)
    assert r.early and "24,165" in r.warning
    assert conversion_readout(30, 1_000, 45, 1_000).early  # no plan at all


def test_nominal_alpha_holds_in_simulated_aa_tests():
    rng = np.random.default_rng(11)
    conv = rng.binomial(20_000, 0.03, size=(400, 2))
    p_values = [conversion_readout(a, 20_000, b, 20_000).p_value for a, b in conv]
    assert np.mean(np.array(p_values) < 0.05) == pytest.approx(0.05, abs=0.035)


def test_revenue_readout_matches_welch_and_bootstrap_agrees():
    rng = np.random.default_rng(3)
    control = np.where(rng.random(4_000) < 0.05, rng.lognormal(3.5, 0.6, 4_000), 0.0)
    treatment = np.where(rng.random(4_000) < 0.06, rng.lognormal(3.5, 0.6, 4_000), 0.0)
    r = revenue_per_visitor_readout(control, treatment, seed=1, n_resamples=1000)
    welch = stats.ttest_ind(treatment, control, equal_var=False)
    assert r.welch_t == pytest.approx(welch.statistic) and r.p_value == pytest.approx(welch.pvalue)
    assert r.difference == pytest.approx(treatment.mean() - control.mean())
    assert r.welch_ci[0] < r.difference < r.welch_ci[1]
    width = r.welch_ci[1] - r.welch_ci[0]
    assert r.bootstrap_ci == pytest.approx(r.welch_ci, abs=0.1 * width)
    again = revenue_per_visitor_readout(control, treatment, seed=1, n_resamples=1000)
    assert again.bootstrap_ci == r.bootstrap_ci  # seeded


def test_visitor_revenue_from_orders_with_variants():
    orders = pd.DataFrame({"variant": ["A", "B", "A"], "revenue": [10.0, 20.0, 30.0], "refund": [0.0, 0.0, 5.0]})
    assert visitor_revenue(orders, "A", 4).tolist() == [10.0, 25.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="visitors"):
        visitor_revenue(orders, "A", 1)


def test_guardrails_flag_only_real_harm():
    rng = np.random.default_rng(5)
    control = {"returned": rng.random(5_000) < 0.10, "aov": rng.normal(50, 10, 5_000)}
    treatment = {"returned": rng.random(5_000) < 0.13, "aov": rng.normal(50, 10, 5_000)}
    out = guardrail_check(control, treatment, higher_is_better={"returned": False, "aov": True})
    assert out.loc["returned", "breached"] and not out.loc["aov", "breached"]
    assert out.loc["returned", "relative_change"] == pytest.approx(0.3, abs=0.15)
    lenient = guardrail_check(control, treatment, higher_is_better={"returned": False}, tolerance=0.5)
    assert not lenient.loc["returned", "breached"]
    with pytest.raises(ValueError, match="'refunds'"):
        guardrail_check(control, treatment, higher_is_better={"refunds": False})


@pytest.mark.parametrize("looks, published", [(1, 0.05), (5, 0.142), (10, 0.193)])
def test_peeking_inflation_matches_armitage_mcpherson_rowe(looks, published):
    assert peeking_false_positive_rate(looks, n_sims=100_000, seed=2) == pytest.approx(published, abs=0.006)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sample_size_per_arm(0.03, 0.03), "differ"),
        (lambda: sample_size_per_arm(0.0, 0.03), "p_control"),
        (lambda: conversion_readout(11, 10, 3, 10), "conversions_control"),
        (lambda: revenue_per_visitor_readout([1.0, -2.0], [1.0, 2.0]), "revenue_control"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
