"""Every in-range scenario runs: derived probabilities capped, paid traffic, dates and run size bounded."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine.sales.offer import build_offer, checkout_ceiling
from sim.errors import ScenarioError
from sim.scenario.definition import MAX_SESSIONS_PER_DAY
from sim.scenario.run_size import MAX_RUN_SESSIONS, check_run_size, expected_sessions, nominal_sessions_per_day


@pytest.mark.parametrize("checkout_to_order", [0.55, 0.3, 0.7, 0.9, 1.0, 0.123456789])
@pytest.mark.parametrize("missing_payment", [0.91, 0.33, 1.0])
def test_checkout_ceiling_keeps_the_float_product_a_probability(
    baseline: sim.Scenario, checkout_to_order: float, missing_payment: float
) -> None:
    s = baseline.with_overrides(
        {
            "funnel.checkout_to_order": checkout_to_order,
            "funnel.missing_payment_multiplier": missing_payment,
            "delivery.reference_fee": 10_000,  # every fee far below the reference: the multiplier explodes
        }
    )
    offer = build_offer(s, days=2)
    assert np.all(offer.checkout_multiplier == checkout_ceiling(s))
    for market in (1.0, missing_payment):  # the product sim.engine.sales.demand forms, in its order
        assert np.all(checkout_to_order * market * offer.checkout_multiplier <= 1.0)


def test_the_cap_leaves_multipliers_that_were_probabilities_alone(baseline: sim.Scenario) -> None:
    s = baseline.with_overrides({"delivery.free_shipping_threshold": 40})  # README example: hoodie x1.13
    offer = build_offer(s, days=2)
    assert 1.0 < offer.checkout_multiplier.max() < checkout_ceiling(s)
    assert checkout_ceiling(baseline.with_overrides({"funnel.checkout_to_order": 0.0})) == 1.0


def test_the_free_shipping_what_if_and_a_high_reference_fee_run(baseline: sim.Scenario) -> None:
    free = baseline.with_overrides({"delivery.options.standard.fee": 0, "delivery.options.express.fee": 0})
    for s in (free, baseline.with_overrides({"delivery.reference_fee": 20})):
        kpis = sim.simulate(s, seed=1, days=3).kpis()
        assert kpis["orders"] > 0 and 0 <= kpis["conversion_rate"] <= 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"traffic.channels.paid_search.daily_budget": 60, "traffic.channels.paid_search.cost_per_click": 1e-9},
            "budget 60.00 / cost_per_click 1e-09 = 60,000,000,000 sessions/day; allowed: at most 200,000",
        ),
        (
            {
                "traffic.channels.paid_search.daily_budget": 1_000_000,
                "traffic.channels.paid_search.cost_per_click": 0.01,
            },
            "cost_per_click >= 5",
        ),
        (
            {
                "traffic.channels.paid_search.scale_from_day": 5,
                "traffic.channels.paid_search.scaled_budget": 1_000_000,
            },
            "traffic.channels.paid_search: budget 1,000,000.00 / cost_per_click 0.6",
        ),
        ({"time.start_date": "2262-04-10"}, "time.start_date = '2262-04-10': allowed: a date from 1900-01-01"),
        ({"time.start_date": "1677-09-22"}, "allowed: a date from 1900-01-01 to 2200-12-31"),
        (  # found by the fuzz: 1 / cv**2 overflowed and standard parcels were never delivered
            {"delivery.options.standard.lead_time_days_cv": 1e-300},
            "delivery.options.standard.lead_time_days_cv = 1e-300: allowed: 0 (a fixed lead time) or from 1e-06 to 5",
        ),
    ],
)
def test_paid_traffic_and_dates_outside_the_engine_are_refused(
    baseline: sim.Scenario, overrides: dict, expected: str
) -> None:
    with pytest.raises(ScenarioError, match="^override: ") as info:
        baseline.with_overrides(overrides)
    assert expected in str(info.value)


def test_saturated_paid_traffic_is_judged_by_what_it_can_buy(baseline: sim.Scenario) -> None:
    """With Hill saturation at spend K, a channel never buys more than K / cost_per_click sessions a day."""
    s = baseline.with_overrides(
        {
            "traffic.channels.paid_search.daily_budget": 1_000_000,
            "traffic.channels.paid_search.cost_per_click": 0.01,
            "traffic.channels.paid_search.half_saturation_spend": 100,
        }
    )
    assert s.traffic.channels["paid_search"].half_saturation_spend / 0.01 <= MAX_SESSIONS_PER_DAY
    with pytest.raises(
        ScenarioError, match="half_saturation_spend 10,000.00 / cost_per_click 0.01 = 1,000,000 sessions/day"
    ):
        s.with_overrides({"traffic.channels.paid_search.half_saturation_spend": 10_000})


def test_the_latest_start_date_runs_to_the_longest_horizon_without_overflow(baseline: sim.Scenario) -> None:
    s = baseline.with_overrides({"time.start_date": "2200-12-31"})
    result = sim.simulate(s, seed=0, days=2)
    assert str(result.daily["date"].max().date()) == "2201-01-01"
    first = sim.simulate(baseline.with_overrides({"time.start_date": "1900-01-01"}), seed=0, days=2)
    assert str(first.daily["date"].min().date()) == "1900-01-01"


def test_run_size_counts_free_paid_and_content_traffic(baseline: sim.Scenario) -> None:
    per_day = sum(c.sessions_per_day + c.paid_sessions_per_day for c in baseline.traffic.channels.values())
    assert expected_sessions(baseline, 10) == pytest.approx(10 * per_day)  # seo_quality 0.5: no SEO spread
    content = baseline.with_overrides(
        {"traffic.channels.social.content_posts_per_week": 7, "traffic.channels.social.sessions_per_post": 1}
    )
    # one post a day, ramp 90 days: sum over d < 3 of sum over a <= d of (1 - exp(-a / 90))
    ramp = sum((3 - a) * (1 - np.exp(-a / 90)) for a in range(3))
    assert expected_sessions(content, 3) - expected_sessions(baseline, 3) == pytest.approx(ramp)


def test_a_run_past_the_budget_is_refused_with_the_numbers(baseline: sim.Scenario) -> None:
    big = baseline.with_overrides({"traffic.channels.direct.sessions_per_day": 200_000})
    check_run_size(big, 100)  # 20 million sessions: within the budget
    with pytest.raises(ScenarioError, match=f"allowed: at most {MAX_RUN_SESSIONS:,}") as info:
        sim.simulate(big, seed=0, days=3650)
    per_day = nominal_sessions_per_day(big)  # 200,000 direct plus the rest of the baseline's traffic
    assert f"{per_day:,.0f} sessions/day x 3,650 days" in str(info.value)
    assert f"= {per_day * 3650:,.0f} sessions" in str(info.value)
