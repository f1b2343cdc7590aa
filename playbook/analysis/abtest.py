"""A/B tests: sample size before, read-outs after, guardrails, and the cost of peeking.

A test compares a control arm with a treatment arm of visitors.  Conversion
is a proportion (two-proportion z-test), revenue per visitor a skewed mean
(Welch's t-test and a bootstrap interval), and guardrail metrics must not get
worse.  Looking at the result before the planned sample size and stopping at
the first significant read-out inflates the false-positive rate, so every
read-out says whether the planned size was reached, in the kernel's language
(``units.get_language()``: English, or the notebook's ``language``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest

from playbook.data.loaders import check_frame, check_values
from playbook.text import i18n


def _check_rate(p: float, name: str) -> float:
    return float(check_values(p, name, 1e-12, 1 - 1e-12))


def sample_size_per_arm(
    p_control: float,
    p_treatment: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> int:
    """Visitors needed in the control arm (treatment gets ``ratio`` times as many).

    Cohen's effect size h = 2 asin(sqrt(p_t)) - 2 asin(sqrt(p_c)), then
    n = (z_(1-alpha/2) + z_power)^2 (1 + 1/ratio) / h^2 solved by statsmodels'
    ``NormalIndPower``, rounded up.  The arcsine scale makes the variance of
    a proportion independent of its level, so one formula serves any rate.
    3.0% vs 3.45% at alpha 0.05 and power 0.8 needs about 24,200 per arm.
    """
    h = proportion_effectsize(_check_rate(p_treatment, "p_treatment"), _check_rate(p_control, "p_control"))
    if h == 0:
        raise ValueError("p_treatment must differ from p_control: no sample size detects a zero effect")
    check_values(power, "power", alpha, 1 - 1e-12)
    n = NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power, ratio=ratio, alternative=alternative)
    return int(np.ceil(n))


def power(
    p_control: float,
    p_treatment: float,
    n_control: int,
    *,
    alpha: float = 0.05,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> float:
    """Probability of a significant read-out when the true rates are p_control and p_treatment.

    power = P(reject | h) for the normal test of :func:`sample_size_per_arm` with n_control visitors.
    """
    h = proportion_effectsize(_check_rate(p_treatment, "p_treatment"), _check_rate(p_control, "p_control"))
    check_values(n_control, "n_control", 2)
    return float(
        NormalIndPower().power(effect_size=abs(h), nobs1=n_control, alpha=alpha, ratio=ratio, alternative=alternative)
    )


def _peeking_note(n_control: int, n_treatment: int, planned_per_arm: int | None) -> tuple[bool, str]:
    if planned_per_arm is None:
        return True, i18n.shown("abtest.no_plan")
    if min(n_control, n_treatment) < planned_per_arm:
        return True, i18n.shown("abtest.early", n=min(n_control, n_treatment), planned=planned_per_arm)
    return False, ""


@dataclass(frozen=True)
class ConversionReadout:
    """Result of :func:`conversion_readout`; ``difference`` = treatment rate - control rate."""

    control_rate: float
    treatment_rate: float
    difference: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    significant: bool
    early: bool
    warning: str


def conversion_readout(
    conversions_control: int,
    visitors_control: int,
    conversions_treatment: int,
    visitors_treatment: int,
    *,
    alpha: float = 0.05,
    planned_per_arm: int | None = None,
) -> ConversionReadout:
    """Two-proportion z-test of treatment vs control conversion, with a CI for the difference.

    z = (p_t - p_c) / sqrt(p (1-p) (1/n_t + 1/n_c)) with the pooled rate
    p = (x_t + x_c) / (n_t + n_c) (statsmodels ``proportions_ztest``); the
    (1 - alpha) interval for p_t - p_c is Newcombe's hybrid score interval
    (``confint_proportions_2indep``), which keeps its coverage at the low rates
    of e-commerce where the Wald interval does not.  ``early`` is set (with a
    ``warning``) when the arms are below ``planned_per_arm`` or no plan was given.
    """
    for name, x, n in (
        ("control", conversions_control, visitors_control),
        ("treatment", conversions_treatment, visitors_treatment),
    ):
        check_values(n, f"visitors_{name}", 1)
        check_values(x, f"conversions_{name}", 0, n)
    z, p_value = proportions_ztest([conversions_treatment, conversions_control], [visitors_treatment, visitors_control])
    low, high = confint_proportions_2indep(
        conversions_treatment,
        visitors_treatment,
        conversions_control,
        visitors_control,
        compare="diff",
        method="newcomb",
        alpha=alpha,
    )
    rate_c, rate_t = conversions_control / visitors_control, conversions_treatment / visitors_treatment
    early, warning = _peeking_note(visitors_control, visitors_treatment, planned_per_arm)
    return ConversionReadout(
        rate_c,
        rate_t,
        rate_t - rate_c,
        float(low),
        float(high),
        float(z),
        float(p_value),
        bool(p_value < alpha),
        early,
        warning,
    )


@dataclass(frozen=True)
class RevenueReadout:
    """Result of :func:`revenue_per_visitor_readout`; differences are treatment - control."""

    control_mean: float
    treatment_mean: float
    difference: float
    welch_t: float
    welch_df: float
    p_value: float
    welch_ci: tuple[float, float]
    bootstrap_ci: tuple[float, float]
    significant: bool
    early: bool
    warning: str


def revenue_per_visitor_readout(
    revenue_control: ArrayLike,
    revenue_treatment: ArrayLike,
    *,
    alpha: float = 0.05,
    n_resamples: int = 2000,
    seed: int = 0,
    planned_per_arm: int | None = None,
) -> RevenueReadout:
    """Difference in mean revenue per visitor (zeros for visitors who did not buy).

    Welch's t = (m_t - m_c) / sqrt(s_t^2/n_t + s_c^2/n_c) with
    Welch-Satterthwaite degrees of freedom (``scipy.stats.ttest_ind``,
    ``equal_var=False``), because the arms' variances differ.  Revenue per
    visitor is mostly zeros with a long tail, so a percentile bootstrap
    interval of m_t - m_c (``scipy.stats.bootstrap``, each arm resampled on its
    own, seeded ``numpy`` Generator) is reported next to Welch's; when they
    disagree, trust neither and collect more data.
    """
    c = check_values(revenue_control, "revenue_control", 0)
    t = check_values(revenue_treatment, "revenue_treatment", 0)
    if min(len(c), len(t)) < 2:
        raise ValueError("each arm needs at least 2 visitors")
    welch = stats.ttest_ind(t, c, equal_var=False)
    welch_ci = welch.confidence_interval(1 - alpha)
    boot = stats.bootstrap(
        (t, c),
        lambda a, b, axis: a.mean(axis) - b.mean(axis),
        vectorized=True,
        n_resamples=n_resamples,
        confidence_level=1 - alpha,
        method="percentile",
        rng=np.random.default_rng(seed),
        batch=200,
    )
    early, warning = _peeking_note(len(c), len(t), planned_per_arm)
    return RevenueReadout(
        float(c.mean()),
        float(t.mean()),
        float(t.mean() - c.mean()),
        float(welch.statistic),
        float(welch.df),
        float(welch.pvalue),
        (float(welch_ci.low), float(welch_ci.high)),
        (float(boot.confidence_interval.low), float(boot.confidence_interval.high)),
        bool(welch.pvalue < alpha),
        early,
        warning,
    )


def visitor_revenue(orders: pd.DataFrame, variant: str, visitors: int) -> np.ndarray:
    """Revenue per visitor of one arm from an orders table with a ``variant`` column.

    Net revenue (revenue - refund) of each of the arm's orders, padded with
    zeros to ``visitors`` (one order per buying visitor is assumed), ready for
    :func:`revenue_per_visitor_readout`; its length minus its zeros is the
    arm's conversions when every order has positive value.
    """
    check_frame(orders, ("variant", "revenue", "refund"), "orders")
    net = (orders["revenue"] - orders["refund"])[orders["variant"] == variant].to_numpy(float)
    check_values(visitors, "visitors", len(net))
    return np.concatenate([net, np.zeros(int(visitors) - len(net))])


def guardrail_check(
    control: Mapping[str, np.ndarray],
    treatment: Mapping[str, np.ndarray],
    *,
    higher_is_better: Mapping[str, bool],
    tolerance: float = 0.0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """For each guardrail metric, is the treatment significantly worse than tolerated?

    With means m_c, m_t and the tolerated relative harm ``tolerance`` (0.05 =
    5% worse is acceptable), the one-sided Welch test of H0: "treatment is at
    most tolerance worse" shifts the treatment values by tolerance * m_c in
    the good direction and tests whether they are still worse than control.
    ``breached`` = its p-value < alpha.  Metrics are per-unit values (0/1
    return flags per order, first-response hours per ticket, ...).  One row
    per metric: control_mean, treatment_mean, relative_change, p_value, breached
    (p_value is NaN, and nothing breached, when both arms are constant).
    """
    check_values(tolerance, "tolerance", 0)
    rows = []
    for metric, better_high in higher_is_better.items():
        if metric not in control or metric not in treatment:
            raise ValueError(f"guardrail metric {metric!r} is missing from control or treatment")
        c = check_values(control[metric], f"control[{metric!r}]")
        t = check_values(treatment[metric], f"treatment[{metric!r}]")
        sign = 1.0 if better_high else -1.0
        shifted = t + sign * tolerance * abs(c.mean())
        test = stats.ttest_ind(shifted, c, equal_var=False, alternative="less" if better_high else "greater")
        rows.append(
            (
                metric,
                c.mean(),
                t.mean(),
                t.mean() / c.mean() - 1 if c.mean() else np.nan,
                float(test.pvalue),
                bool(test.pvalue < alpha),
            )
        )
    return pd.DataFrame(
        rows, columns=["metric", "control_mean", "treatment_mean", "relative_change", "p_value", "breached"]
    ).set_index("metric")


def peeking_false_positive_rate(looks: int, *, alpha: float = 0.05, n_sims: int = 50_000, seed: int = 0) -> float:
    """False-positive rate of an A/A test read at ``looks`` equally spaced times, stopping at the first p < alpha.

    Under H0 the z-statistic after k of K equal batches is Z_k = S_k / sqrt(k),
    S_k a sum of k independent N(0, 1) batch statistics; the rate is the
    simulated share of runs with max_k |Z_k| > z_(1-alpha/2).  One look gives
    alpha; 5 looks give about 0.14 and 10 about 0.19 at alpha 0.05 (Armitage,
    McPherson & Rowe 1969), which is why a read-out before the planned size
    is flagged.
    """
    check_values(looks, "looks", 1)
    check_values(n_sims, "n_sims", 1)
    rng = np.random.default_rng(seed)
    z = np.cumsum(rng.standard_normal((int(n_sims), int(looks))), axis=1) / np.sqrt(np.arange(1, int(looks) + 1))
    return float((np.abs(z) > stats.norm.ppf(1 - alpha / 2)).any(axis=1).mean())
