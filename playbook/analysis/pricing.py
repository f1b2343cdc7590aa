"""Pricing: price elasticity from price variation, the margin-maximising price, and promotion lift."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from playbook.data.loaders import check_frame, check_values


@dataclass(frozen=True)
class Elasticity:
    """Constant price elasticity e (% change in quantity per % change in price) with its interval."""

    elasticity: float
    ci_low: float
    ci_high: float
    std_error: float
    r_squared: float
    n: int


def price_quantity(orders: pd.DataFrame, *, freq: str = "W", sku: str | None = None) -> pd.DataFrame:
    """Units and average price per period from an orders table, the input of :func:`price_elasticity`.

    price = sum(revenue) / sum(units) over the period's orders (of ``sku`` if
    given).  Revenue includes any shipping fee the customer paid, so this is
    the price paid per unit; periods without orders are left out.
    """
    check_frame(
        orders,
        ("placed_at", "revenue", "units") + (("sku",) if sku else ()),
        "orders",
        {"revenue": (0, None), "units": (0, None)},
    )
    chosen = orders[orders["sku"] == sku] if sku else orders
    totals = chosen.groupby(chosen["placed_at"].dt.to_period(freq))[["revenue", "units"]].sum()
    totals = totals[totals["units"] > 0]
    return pd.DataFrame({"price": totals["revenue"] / totals["units"], "units": totals["units"]})


def price_elasticity(
    frame: pd.DataFrame,
    *,
    price: str = "price",
    quantity: str = "units",
    controls: Sequence[str] = (),
    alpha: float = 0.05,
) -> Elasticity:
    """Log-log regression ln q = b0 + e ln p + controls' g + error, by OLS with HC1 standard errors.

    In logs the slope e is the elasticity itself, constant along the demand
    curve q = A p^e, the model under which :func:`optimal_price` applies.
    The (1 - alpha) interval is e +- t_(n-k, 1-alpha/2) * se(e), with
    heteroskedasticity-robust (HC1) se because demand noise grows with volume.
    It needs prices that vary for reasons other than demand (tests, cost
    changes); prices that follow demand bias e towards 0.
    """
    check_frame(frame, [price, quantity, *controls], "frame", {price: (1e-12, None), quantity: (1e-12, None)})
    if frame[price].nunique() < 2:
        raise ValueError(f"frame.{price} must take at least two values to estimate an elasticity")
    design = sm.add_constant(
        pd.concat([np.log(frame[price].astype(float)).rename("ln_price"), frame[list(controls)].astype(float)], axis=1)
    )
    fit = sm.OLS(np.log(frame[quantity].astype(float)), design).fit(cov_type="HC1", use_t=True)
    low, high = fit.conf_int(alpha).loc["ln_price"]
    return Elasticity(
        float(fit.params["ln_price"]),
        float(low),
        float(high),
        float(fit.bse["ln_price"]),
        float(fit.rsquared),
        int(fit.nobs),
    )


def optimal_price(unit_cost: float, elasticity: float) -> float:
    """Margin-maximising price under constant elasticity: p* = c e / (1 + e), for e < -1.

    Profit (p - c) A p^e is maximal where its derivative is zero, which gives
    (p - c) / p = -1 / e (the Lerner rule).  For -1 <= e the profit keeps
    rising with the price (demand is inelastic): no finite optimum, so this
    raises.  Since p* rises as e goes up towards -1, the ends of an
    elasticity interval map to the ends of a price interval.
    """
    c = float(check_values(unit_cost, "unit_cost", 0))
    e = float(check_values(elasticity, "elasticity"))
    if e >= -1:
        raise ValueError(
            f"elasticity must be < -1 for a finite margin-maximising price, got {e:.3g}: "
            "with inelastic demand a higher price always earns more"
        )
    return c * e / (1 + e)


@dataclass(frozen=True)
class PromotionLift:
    """Relative lift of a promotion over the baseline, lift = promo level / baseline level - 1."""

    lift: float
    ci_low: float
    ci_high: float
    p_value: float
    promo_days: int
    baseline_days: int


def promotion_lift(
    frame: pd.DataFrame,
    *,
    value: str = "units",
    promo: str = "promo",
    date: str = "date",
    weekday_controls: bool = True,
    alpha: float = 0.05,
) -> PromotionLift:
    """Lift of ``value`` on promotion days against non-promotion days, with a confidence interval.

    OLS of ln y_d = b0 + b1 promo_d (+ day-of-week dummies) + error over days
    d; lift = exp(b1) - 1 and its interval exp(b1 +- t se) - 1 (HC1 se).  The
    log scale makes the lift relative, and the weekday dummies keep a
    promotion that ran over weekends from taking credit for the usual weekend
    peak.  Baseline = all non-promotion days in ``frame``: give it a window
    without other events.
    """
    check_frame(frame, (value, promo, date), "frame", {value: (1e-12, None), promo: (0, 1)})
    on = frame[promo].astype(bool)
    if on.all() or not on.any():
        raise ValueError(f"frame.{promo} must mark some days as promotion and some as baseline")
    design = pd.DataFrame({"promo": on.astype(float)}, index=frame.index)
    if weekday_controls:
        weekday = pd.to_datetime(frame[date]).dt.day_of_week
        design = design.join(pd.get_dummies(weekday, prefix="dow", drop_first=True, dtype=float))
    fit = sm.OLS(np.log(frame[value].astype(float)), sm.add_constant(design)).fit(cov_type="HC1", use_t=True)
    low, high = fit.conf_int(alpha).loc["promo"]
    return PromotionLift(
        float(np.expm1(fit.params["promo"])),
        float(np.expm1(low)),
        float(np.expm1(high)),
        float(fit.pvalues["promo"]),
        int(on.sum()),
        int((~on).sum()),
    )
