"""Probabilistic customer-base models: BG/NBD, Pareto/NBD and Gamma-Gamma spend.

These "buy till you die" models explain each customer's repeat purchases by
a purchase rate and an unobserved moment of dropping out, with both varying
across customers; from a customer's frequency, recency and age they give the
probability that the customer is still active and the purchases to expect.
Gamma-Gamma adds the value per purchase.  Parameters are fitted by maximum
likelihood (``scipy.optimize.minimize`` on log-parameters so they stay
positive); the log-likelihoods are written from the papers:

* BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy
  way", Marketing Science 24(2), eq. (6), (10) and (13).
* Pareto/NBD: Schmittlein, Morrison & Colombo (1987); the likelihood in the
  form of Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and
  related expressions", eq. (22)-(24), and the conditional expectation of
  Schmittlein et al. eq. (22).
* Gamma-Gamma: Fader & Hardie (2013), "The Gamma-Gamma model of monetary
  value", eq. (1) and (5).

Time is in the unit of the summary (weeks for :func:`customer_summary`'s
default, as in the papers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import betaln, expit, gammaln, hyp2f1

from playbook.data.loaders import check_frame, check_values
from sim.results.kpis import order_net

#: A date pandas can read: '1997-09-30', a datetime.date or a Timestamp.
Date = str | dt.date
#: The log-likelihood's parts: the common term and the 'alive' and 'dropped out' terms (log scale).
Terms = tuple[np.ndarray, np.ndarray, np.ndarray]
#: Model parameters in the order a log-likelihood takes them.
Params = Sequence[float] | np.ndarray

# --- data --------------------------------------------------------------------


def customer_summary(orders: pd.DataFrame, calibration_end: Date, *, unit_days: float = 7.0) -> pd.DataFrame:
    """Per-customer (frequency, recency, T, monetary_value) for a calibration period.

    Orders placed on or before ``calibration_end`` count; orders of one
    customer on the same calendar day are one purchase (Fader & Hardie's
    convention, which reproduces their CDNOW summary).  With t_first, t_last
    the first and last purchase days: frequency x = purchases - 1 (repeat
    purchases), recency t_x = (t_last - t_first) / unit, T = (calibration_end
    - t_first) / unit, and monetary_value = mean net value (revenue - refund)
    of the x repeat purchases (0 when x = 0; Gamma-Gamma models repeat spend
    only).  Customers whose first order falls after ``calibration_end`` are
    not yet acquired and are left out.  Index: customer_id.
    """
    check_frame(
        orders, ("customer_id", "placed_at", "revenue", "refund"), "orders", {"revenue": (0, None), "refund": (0, None)}
    )
    end = pd.Timestamp(calibration_end)
    days = (
        orders.loc[orders["placed_at"] <= end]
        .assign(day=lambda f: f["placed_at"].dt.normalize(), value=order_net)
        .groupby(["customer_id", "day"], as_index=False)["value"]
        .sum()
    )
    if days.empty:
        raise ValueError(f"orders has no order on or before calibration_end {end.date()}")
    by = days.groupby("customer_id")
    first, last, n = by["day"].min(), by["day"].max(), by.size()
    unit = pd.Timedelta(days=unit_days)
    repeat_value = by["value"].sum() - by["value"].first()  # days are sorted within each customer
    return pd.DataFrame(
        {
            "frequency": n - 1,
            "recency": (last - first) / unit,
            "T": (end.normalize() - first) / unit,
            "monetary_value": (repeat_value / (n - 1)).where(n > 1, 0.0),
        }
    )


def _check_rft(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = check_values(x, "frequency", 0)
    T = check_values(T, "T", 0)
    t_x = check_values(t_x, "recency", 0)
    if np.any(t_x > T + 1e-9):
        raise ValueError("recency must be in [0, T] for every customer")
    if np.any(x % 1):
        raise ValueError("frequency must be whole numbers of repeat purchases")
    return x, t_x, T


#: L-BFGS-B stopping rules of every fit.  SciPy's defaults (ftol 2.2e-9, gtol 1e-5) stop CDNOW's
#: BG/NBD fit while its parameters still move by ~1e-5 relative, and which kernels numpy picks for
#: ``log``/``exp`` on a CPU (AVX-512 or not) moves them by that much too.  These stop it where the
#: parameters agree to ~5e-6 relative on both kernel sets (measured on the CDNOW master summary),
#: so a tolerance of rtol=1e-4 on fitted parameters is honest; the fit costs ~2 more iterations.
FIT_OPTIONS = {"ftol": 1e-12, "gtol": 1e-8}


def _fit(neg_loglik: Callable[[np.ndarray], float], n_params: int) -> tuple[np.ndarray, float]:
    """Maximise a log-likelihood over positive parameters: minimise -LL(exp(theta)) by L-BFGS-B."""

    def objective(theta: np.ndarray) -> float:
        value = neg_loglik(np.exp(theta))
        return value if np.isfinite(value) else 1e300

    start = np.zeros(n_params)
    res = minimize(objective, start, method="L-BFGS-B", options=FIT_OPTIONS)
    if not res.success and res.message.startswith("ABNORMAL"):
        # The line search found no lower point: on a flat ridge (BG/NBD's a and b when few customers are seen
        # to drop out) the tight rules ask more than a finite-difference gradient resolves, and where that
        # happens depends on the CPU's SIMD kernels (notebook 06's simulated year: on an Intel Xeon, not on an
        # AMD EPYC).  A fit by SciPy's own rules is the yardstick: if it converges, the better point stands.
        loose = minimize(objective, start, method="L-BFGS-B")
        if loose.success:
            res = min(res, loose, key=lambda r: float(r.fun))
            res.success = True
    if not res.success:
        raise RuntimeError(f"maximum-likelihood fit did not converge: {res.message}")
    return np.exp(res.x), -float(res.fun)


class PurchaseModel(Protocol):
    """What :func:`customer_lifetime_value` needs from BG/NBD or Pareto/NBD."""

    def expected_purchases(self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray: ...


# --- BG/NBD ---------------------------------------------------------------------


def bgnbd_loglik(params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """BG/NBD log-likelihood of each customer (FHL 2005, eq. 6).

    L = B(a, b+x)/B(a, b) * G(r+x) a^r / (G(r) (alpha+T)^(r+x))
      + [x>0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x)),
    summed in log space (logaddexp) so large x or T do not overflow.
    """
    return _loglik(_bgnbd_terms, params, x, t_x, T)


def _bgnbd_terms(params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> Terms:
    r, alpha, a, b = params
    ln_common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    ln_alive = betaln(a, b + x) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_dropped = np.where(x > 0, betaln(a + 1, b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return ln_common, ln_alive, ln_dropped


class _BuyTillYouDie:
    """What BG/NBD and Pareto/NBD share: a maximum-likelihood fit and P(alive).

    Both write a customer's likelihood as common * (alive + dropped), the
    terms in logs; P(alive | x, t_x, T) = alive / (alive + dropped).  A
    subclass names its four parameters (``params``) and its ``_terms``.
    """

    _terms: Callable

    @classmethod
    def fit(cls, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Self:
        """Maximum-likelihood fit: argmax over the four parameters > 0 of sum_i ln L_i."""
        x, t_x, T = _check_rft(frequency, recency, T)
        params, ll = _fit(lambda p: -_loglik(cls._terms, p, x, t_x, T).sum(), 4)
        return cls(*params, loglik=ll)  # type: ignore[call-arg]  # the subclasses are dataclasses

    @property
    def params(self) -> tuple[float, ...]:
        raise NotImplementedError

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
        """P(alive | x, t_x, T) = exp(ln_alive) / (exp(ln_alive) + exp(ln_dropped))."""
        x, t_x, T = _check_rft(x, t_x, T)
        _, ln_alive, ln_dropped = type(self)._terms(self.params, x, t_x, T)
        return expit(ln_alive - ln_dropped)


def _loglik(terms: Callable[..., Terms], params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    ln_common, ln_alive, ln_dropped = terms(params, x, t_x, T)
    return ln_common + np.logaddexp(ln_alive, ln_dropped)


@dataclass(frozen=True)
class BGNBD(_BuyTillYouDie):
    """Fitted BG/NBD: purchase rate ~ Gamma(r, alpha), drop-out probability after each purchase ~ Beta(a, b).

    P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))  (FHL eq. 13).
    """

    _terms = staticmethod(_bgnbd_terms)

    r: float
    alpha: float
    a: float
    b: float
    loglik: float

    @property
    def params(self) -> tuple[float, float, float, float]:
        """(r, alpha, a, b), the order the log-likelihood takes them in."""
        return self.r, self.alpha, self.a, self.b

    def expected_purchases(self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
        """E[Y(t) | x, t_x, T], purchases in the next ``t`` (FHL eq. 10).

        = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x)
          * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] * P(alive | x, t_x, T).
        """
        t = check_values(t, "t", 0)
        x, t_x, T = _check_rft(x, t_x, T)
        r, alpha, a, b = self.params
        z = t / (alpha + T + t)
        tail = np.exp((r + x) * np.log1p(-z)) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * (1 - tail) * self.p_alive(x, t_x, T)


# --- Pareto/NBD ------------------------------------------------------------------


def pareto_nbd_loglik(params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Pareto/NBD log-likelihood of each customer (Fader & Hardie 2005 note, eq. 22-24).

    L = G(r+x) alpha^r beta^s / G(r) * [1 / ((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) * A0],
    A0 = F(t_x) - F(T) with, for alpha >= beta,
    F(y) = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+y)) / (alpha+y)^(r+s+x),
    and for alpha < beta the same with alpha <-> beta and s+1 -> r+x.  The
    argument of 2F1 then stays in [0, 1), where the series is stable; A0 is
    formed as exp(ln F(t_x)) * (1 - exp(ln F(T) - ln F(t_x))) and the sum in
    log space.
    """
    return _loglik(_pareto_terms, params, x, t_x, T)


def _pareto_terms(params: Params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> Terms:
    r, alpha, s, beta = params
    rsx = r + s + x
    big, small, second = (alpha, beta, s + 1) if alpha >= beta else (beta, alpha, r + x)

    def ln_f(y: np.ndarray) -> np.ndarray:
        return np.log(hyp2f1(rsx, second, rsx + 1, (big - small) / (big + y))) - rsx * np.log(big + y)

    ln_ft = ln_f(t_x)
    with np.errstate(divide="ignore"):
        ln_a0 = ln_ft + np.log1p(-np.exp(ln_f(T) - ln_ft))
    ln_common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    ln_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    ln_dropped = np.log(s) - np.log(rsx) + ln_a0
    return ln_common, ln_alive, ln_dropped


@dataclass(frozen=True)
class ParetoNBD(_BuyTillYouDie):
    """Fitted Pareto/NBD: purchase rate ~ Gamma(r, alpha), drop-out rate ~ Gamma(s, beta).

    P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0)  (F&H note eq. 25).
    """

    _terms = staticmethod(_pareto_terms)

    r: float
    alpha: float
    s: float
    beta: float
    loglik: float

    @property
    def params(self) -> tuple[float, float, float, float]:
        """(r, alpha, s, beta), the order the log-likelihood takes them in."""
        return self.r, self.alpha, self.s, self.beta

    def expected_purchases(self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
        """E[Y(t) | x, t_x, T] (Schmittlein et al. 1987, eq. 22).

        = (r+x)(beta+T) / ((alpha+T)(s-1)) * [1 - ((beta+T)/(beta+T+t))^(s-1)] * P(alive),
        computed as (r+x)/(alpha+T) * (beta+T) * -expm1((s-1) ln q)/(s-1), q = (beta+T)/(beta+T+t),
        whose limit at s = 1 is -(beta+T) ln q.
        """
        t = check_values(t, "t", 0)
        x, t_x, T = _check_rft(x, t_x, T)
        r, alpha, s, beta = self.params
        ln_q = np.log(beta + T) - np.log(beta + T + t)
        growth = -ln_q if abs(s - 1) < 1e-12 else -np.expm1((s - 1) * ln_q) / (s - 1)
        return (r + x) / (alpha + T) * (beta + T) * growth * self.p_alive(x, t_x, T)


# --- Gamma-Gamma spend -------------------------------------------------------------


def gamma_gamma_loglik(params: Params, x: np.ndarray, zbar: np.ndarray) -> np.ndarray:
    """Gamma-Gamma log-likelihood of each repeat customer's mean spend (Fader & Hardie 2013, eq. 1).

    f(zbar | x) = G(px+q) / (G(px) G(q)) * gamma^q x^(px) zbar^(px-1) / (gamma + x zbar)^(px+q):
    each purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across customers.
    """
    p, q, gamma = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + px * np.log(x)
        + (px - 1) * np.log(zbar)
        - (px + q) * np.log(gamma + x * zbar)
    )


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma model of the value per purchase."""

    p: float
    q: float
    gamma: float
    loglik: float

    @classmethod
    def fit(cls, frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGamma:
        """Maximum-likelihood fit on customers with x > 0 repeat purchases and their mean repeat spend zbar > 0."""
        x = check_values(frequency, "frequency", 0)
        zbar = np.asarray(monetary_value, dtype=float)
        repeat = x > 0
        if not repeat.any():
            raise ValueError("frequency has no customer with a repeat purchase (x > 0) to fit spend on")
        zbar = check_values(zbar[repeat], "monetary_value of repeat customers", 1e-12)
        params, ll = _fit(lambda p: -gamma_gamma_loglik(p, x[repeat], zbar).sum(), 3)
        return cls(params[0], params[1], params[2], loglik=ll)

    @property
    def population_mean(self) -> float:
        """Mean spend per purchase across customers, E[Z] = p gamma / (q - 1) (infinite for q <= 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")

    def expected_spend(self, x: ArrayLike, zbar: ArrayLike) -> np.ndarray:
        """E[Z | x, zbar] = p (gamma + x zbar) / (p x + q - 1)  (F&H 2013, eq. 5).

        A weighted mean of the population mean p gamma/(q-1) and the customer's
        own zbar, with weight px/(px+q-1) on zbar: the more purchases, the
        more the customer's own average counts.  x = 0 gives the population mean.
        """
        x = check_values(x, "frequency", 0)
        zbar = check_values(zbar, "monetary_value", 0)
        return self.p * (self.gamma + x * zbar) / (self.p * x + self.q - 1)


# --- value ---------------------------------------------------------------------------


def customer_lifetime_value(
    purchases: PurchaseModel,
    spend: GammaGamma,
    summary: pd.DataFrame,
    *,
    horizon: float,
    step: float,
    margin: float = 1.0,
    discount_rate: float = 0.0,
) -> pd.Series:
    """Expected (discounted) margin from each customer over ``horizon``, in money.

    CLV_i = sum_{k=1..K} margin * E[Z_i] * (E[Y_i(k step)] - E[Y_i((k-1) step)]) / (1 + d)^k,
    K = ceil(horizon / step), with E[Y_i] from the purchase model, E[Z_i] the
    Gamma-Gamma expected spend and d the discount rate per step (e.g. monthly
    steps of 52/12 weeks and d = 0.01 per month).  Purchases in step k are
    discounted to the present as if made at its end.  ``summary`` has the
    columns of :func:`customer_summary`.
    """
    check_frame(summary, ("frequency", "recency", "T", "monetary_value"), "summary")
    check_values(horizon, "horizon", 1e-12)
    check_values(step, "step", 1e-12)
    check_values(margin, "margin", 0, 1)
    check_values(discount_rate, "discount_rate", 0)
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    times = np.minimum(np.arange(1, int(np.ceil(horizon / step - 1e-9)) + 1) * step, horizon)
    cumulative = np.stack([np.zeros(len(summary))] + [purchases.expected_purchases(t, x, t_x, T) for t in times])
    per_step = np.diff(cumulative, axis=0)
    discount = (1 + discount_rate) ** -np.arange(1, len(times) + 1)
    value = margin * spend.expected_spend(x, summary["monetary_value"]) * (discount @ per_step)
    return pd.Series(value, index=summary.index, name="clv")
