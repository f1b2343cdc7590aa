"""Shared helpers of the lever tests, and the contracts every lever keeps.

``effect`` is ``sim.compare`` for any metric of a run, not just the KPIs:
both scenarios run on the same ``n`` seeds (common random numbers) and the
paired differences B - A get a Student-t interval at DIRECTION_LEVEL
(``sim.mean_ci``).  A direction test passes when the interval excludes 0 on
the expected side.

How often a statistical test fails on a correct model is set here, once:

* A theory test ("Erlang C's mean wait lies inside the interval of the
  replications", :func:`assert_inside`) fails on a correct model exactly when
  the interval misses the true mean: 1 - THEORY_LEVEL = 1 in 1,000.  The
  interval stays meaningful because each such test also bounds its width.
* A direction test ("more agents answer faster") fails on a correct model when
  the interval reaches 0 although the true paired effect is delta.  With n
  pairs, t = mean / (sd / sqrt(n)) follows a noncentral t(n - 1, delta / se),
  so the chance is nct.cdf(t_crit, n - 1, delta / se): at most 1 in 1,000 when
  delta / se >= MIN_T[n - 1] (6.6 for n = 6, 5.8 for n = 10; at
  DIRECTION_LEVEL = 95%).  A lever with no effect passes at most 2.5% of the
  time: the claim is "this way, not the other", and it stays that strong.
  Every direction assertion prints t and :func:`false_failure` (the chance
  with the observed t standing in for delta / se); the tests' comments quote
  the t they were designed with, measured over several seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from scipy import stats

import sim
from sim.engine.rng import as_seed_sequence
from tests.sim.engine.test_model import _digest as digest

Metric = Callable[[sim.Result], float]


#: Confidence of the interval a direction test reads (two-sided; see the module docstring).
DIRECTION_LEVEL = 0.95
#: Confidence of the interval that must contain a theoretical value: its complement is the test's
#: chance of failing on a correct model.
THEORY_LEVEL = 0.999
#: The largest chance of failing on a correct model that a statistical test may be designed with.
MAX_FALSE_FAILURE = 1e-3


def false_failure(t: float, n: int, level: float = DIRECTION_LEVEL) -> float:
    """Chance that n pairs whose true standardized effect is ``t`` give an interval reaching 0."""
    crit = stats.t.ppf(0.5 + level / 2, n - 1)
    # beyond t = 50 (a deterministic difference, or nearly) the chance underflows; nct.cdf then gives nan
    return float(stats.nct.cdf(crit, n - 1, abs(t))) if abs(t) < 50 else 0.0


def min_t(n: int, level: float = DIRECTION_LEVEL, rate: float = MAX_FALSE_FAILURE) -> float:
    """The smallest true standardized effect whose direction test on n pairs fails at most ``rate`` of the time."""
    t = stats.t.ppf(0.5 + level / 2, n - 1)
    while false_failure(t, n, level) > rate:
        t += 0.05
    return float(t)


def effects(
    a: sim.Scenario, b: sim.Scenario, metrics: dict[str, Metric], n: int = 6, days: int = 60, seed: int = 17
) -> dict[str, tuple[float, float, float]]:
    """Per metric, (mean, low, high) of metric(B) - metric(A) over ``n`` paired runs (common random numbers)."""
    diffs: dict[str, list[float]] = {name: [] for name in metrics}
    for s in as_seed_sequence(seed).spawn(n):
        ra, rb = sim.simulate(a, s, days), sim.simulate(b, s, days)
        for name, m in metrics.items():
            diffs[name].append(m(rb) - m(ra))
    return {name: sim.mean_ci(d, DIRECTION_LEVEL) for name, d in diffs.items()}


def effect(a: sim.Scenario, b: sim.Scenario, metric: Metric, **kw: int) -> tuple[float, float, float]:
    return effects(a, b, {"metric": metric}, **kw)["metric"]


def assert_directions(
    a: sim.Scenario, b: sim.Scenario, expected: dict[str, tuple[Metric, int]], n: int = 6, **kw: int
) -> dict[str, tuple[float, float, float]]:
    """Each metric moves the expected way (+1 up, -1 down): its interval excludes 0 on that side."""
    found = effects(a, b, {name: m for name, (m, _) in expected.items()}, n=n, **kw)
    crit = stats.t.ppf(0.5 + DIRECTION_LEVEL / 2, n - 1)
    for name, (_, sign) in expected.items():
        d, lo, hi = found[name]
        t = d / ((hi - lo) / 2 / crit) if hi > lo else np.inf
        print(
            f"EFFECT {name}: diff {d:.4g}, CI [{lo:.4g}, {hi:.4g}], t {t:.3g}, false failure {false_failure(t, n):.1e}"
        )
        assert (lo > 0) if sign > 0 else (hi < 0), (
            f"{name}: diff {d:.4g}, {DIRECTION_LEVEL:.0%} CI [{lo:.4g}, {hi:.4g}]"
        )
    return found


def assert_inside(
    values: Sequence[float], theory: float, name: str, max_width: float, checks: int = 1
) -> tuple[float, float, float]:
    """``theory`` lies inside the interval of ``values``, and that interval is narrower than ``max_width``.

    The interval's level is 1 - (1 - THEORY_LEVEL) / checks (Bonferroni): a test making ``checks`` such
    comparisons fails on a correct model at most 1 - THEORY_LEVEL of the time in all.  The width bound
    keeps the claim from weakening as the interval widens.
    """
    level = 1 - (1 - THEORY_LEVEL) / checks
    mean, lo, hi = sim.mean_ci(values, level)
    print(f"THEORY {name}: {theory:.4g} against {mean:.4g}, {level:.2%} CI [{lo:.4g}, {hi:.4g}]")
    assert lo <= theory <= hi, f"{name}: theory {theory:.4f} outside the {level:.2%} CI [{lo:.4f}, {hi:.4f}]"
    assert hi - lo < max_width, f"{name}: CI [{lo:.4f}, {hi:.4f}] wider than {max_width:.4f}: too few replications"
    return mean, lo, hi


def assert_direction(
    a: sim.Scenario, b: sim.Scenario, metric: Metric, sign: int, **kw: int
) -> tuple[float, float, float]:
    return assert_directions(a, b, {"metric": (metric, sign)}, **kw)["metric"]


def kpi(name: str) -> Metric:
    return lambda r: r.kpis()[name]


def measure(name: str) -> Metric:
    return lambda r: r.measures()[name]


def channel_sessions(channel: str, first: int = 0, last: int | None = None) -> Metric:
    """Sessions of one channel between days ``first`` and ``last`` (exclusive)."""

    def m(r: sim.Result) -> float:
        d = r.daily[r.daily["channel"] == channel]["sessions"].to_numpy()
        return float(d[first:last].sum())

    return m


def busy(s: sim.Scenario, factor: float) -> sim.Scenario:
    """The same store with ``factor`` times the traffic and stock: more orders per run, tighter intervals.

    Common random numbers pair the funnel draws of two runs only until the
    first order differs (repeat visits then shift the traffic stream), so a
    small conversion effect needs orders rather than replications: the
    interval of a relative effect shrinks like sqrt(2 / orders per arm).
    """
    over: dict[str, float] = {}
    for name, c in s.traffic.channels.items():
        over[f"traffic.channels.{name}.sessions_per_day"] = c.sessions_per_day * factor
        over[f"traffic.channels.{name}.daily_budget"] = c.daily_budget * factor
    for name, k in s.catalogue.skus.items():
        for field in ("initial_stock", "reorder_point", "reorder_quantity"):
            over[f"catalogue.skus.{name}.{field}"] = int(getattr(k, field) * factor)
    over["warehouse.pickers"] = int(s.warehouse.pickers * factor)
    return s.with_overrides(over)


def assert_rejected(scenario: sim.Scenario, override: dict, path: str) -> None:
    """The override raises ScenarioError, and the message names the dotted ``path``."""
    with pytest.raises(sim.ScenarioError, match=path.replace(".", r"\.")):
        scenario.with_overrides(override)


@pytest.fixture(scope="module")
def all_levers(baseline) -> sim.Scenario:
    """The baseline with a lever of every stage pulled at once."""
    return baseline.with_overrides(
        {
            "markets": {
                "home": {"traffic_share": 0.7},
                "abroad": {"traffic_share": 0.3, "local_language": False, "extra_delivery_days": 3.0},
            },
            "pricing.promotions": {"spring": {"start": "2026-01-19", "days": 10, "depth": 0.2}},
            "pricing.bundle.discount": 0.1,
            "selection.candidates": ["poster"],
            "selection.kill_below_conversion": 0.5,
            "selection.review_after_days": 10,
            "traffic.channels.paid_search.half_saturation_spend": 80.0,
            "traffic.channels.paid_search.carryover": 0.5,
            "traffic.channels.organic_search.content_posts_per_week": 3.0,
            "crm.membership": {"offered": True, "fee_per_year": 20.0},
            "crm.campaigns": {"winback": {"every_days": 7, "audience": "churned", "response_rate": 0.2}},
            "crm.review_prompts.response_rate": 0.1,
            "customers.segments": {
                "loyal": {"share": 0.3, "churn_multiplier": 0.5},
                "casual": {"share": 0.7, "churn_multiplier": 1.2},
            },
            "warranty.offered": True,
            "returns.no_reason_returns": True,
            "delivery.free_shipping_threshold": 40.0,
            "service.crew": {
                "early": {"people": 1, "start_hour": 7, "end_hour": 15, "weekdays": [0, 1, 2, 3, 4]},
                "late": {"people": 2, "start_hour": 12, "end_hour": 20, "weekdays": [0, 1, 2, 3, 4, 5, 6]},
            },
            "warehouse.path_length_factor": 0.8,
            "risk.traffic_shocks": {"policy": {"start": "2026-01-26", "days": 5, "multiplier": 0.5}},
            "risk.carrier_disruptions": {"storm": {"start": "2026-01-12", "days": 4, "lead_time_multiplier": 2.0}},
            "ab_test": {"enabled": True, "start": "2026-01-08", "days": 14, "variant_b": {"page.quality": 0.8}},
        }
    )


def test_all_levers_at_once_are_deterministic(all_levers):
    a = sim.simulate(all_levers, seed=3, days=30)
    b = sim.simulate(all_levers, seed=3, days=30)
    assert digest(a) == digest(b)
    assert len(a.orders) > 100 and a.orders["variant"].isin(["", "A", "B"]).all()
    assert set(a.orders["market"]) == {"home", "abroad"}


def test_neutral_levers_change_nothing(baseline):
    """Pulling a lever to its neutral value (a 0% sale, a x1 shock, an empty campaign list) changes no table."""
    neutral = baseline.with_overrides(
        {
            "pricing.promotions": {"nothing": {"depth": 0.0, "days": 30}},
            "risk.traffic_shocks": {"nothing": {"multiplier": 1.0, "days": 30}},
            "traffic.channels.paid_search.carryover": 0.7,  # a constant budget: carry-over changes nothing
        }
    )
    assert digest(sim.simulate(baseline, seed=5, days=20)) == digest(sim.simulate(neutral, seed=5, days=20))


def test_false_failure_rates_of_the_design():
    """The numbers the docstring quotes: a direction test on 6 pairs needs t >= 6.6, on 10 pairs 5.8."""
    assert min_t(6) == pytest.approx(6.6, abs=0.1) and min_t(10) == pytest.approx(5.8, abs=0.1)
    assert false_failure(min_t(6), 6) <= MAX_FALSE_FAILURE < false_failure(min_t(6) - 0.1, 6)
    # a t-interval's coverage of a true mean: 1 - THEORY_LEVEL misses over 20,000 draws of 8 normals
    rng = np.random.default_rng(7)
    draws = rng.normal(size=(20_000, 8))
    half = stats.t.ppf(0.5 + THEORY_LEVEL / 2, 7) * draws.std(axis=1, ddof=1) / np.sqrt(8)
    misses = (np.abs(draws.mean(axis=1)) > half).mean()
    assert misses < 0.003  # expected 0.001: 20 misses; P(>= 60 | Poisson(20)) < 1e-10


def test_effect_of_a_scenario_on_itself_is_exactly_zero(baseline):
    assert effect(baseline, baseline, kpi("orders"), n=3, days=10) == (0.0, 0.0, 0.0)
