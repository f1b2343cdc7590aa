"""Stage 5 levers: paid budgets with Hill saturation and adstock carry-over, budget schedules, organic growth.

Theory compared with: expected paid sessions ``(K / cpc) A / (A + K)`` at
Hill slope 1 (Jin et al. 2017; Google Meridian), so at K = budget doubling
the budget multiplies sessions by (2 / 3) / (1 / 2) = 4/3, not 2; normalised
geometric adstock conserves the clicks a budget buys and only spreads them
in time.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine.rng import as_seed_sequence
from sim.engine.sales.marketing import content_sessions, hill_sessions
from tests.sim.levers.test_common import assert_direction, assert_directions, assert_rejected, channel_sessions, kpi

PAID = "traffic.channels.paid_search"


@pytest.fixture(scope="module")
def flat(baseline) -> sim.Scenario:
    """The baseline without its calendar and with a 60-a-day search budget: the theory's constant traffic."""
    return baseline.with_overrides({"calendar": {}, f"{PAID}.daily_budget": 60.0})


def test_hill_curve_matches_its_formula():
    cpc, half = np.array([0.6]), np.array([60.0])
    assert hill_sessions(np.array([60.0]), cpc, half, np.array([1.0]))[0] == pytest.approx(50.0)
    assert hill_sessions(np.array([120.0]), cpc, half, np.array([1.0]))[0] == pytest.approx(200 / 3)
    assert hill_sessions(np.array([120.0]), cpc, np.array([0.0]), np.array([1.0]))[0] == pytest.approx(200.0)
    # content: 7 posts a week, ramp 1 day, 1 session a post: day 0 has one post of age 0 -> 0 sessions
    c = content_sessions(np.array([7.0]), np.array([1.0]), np.array([1.0]), 3)[:, 0]
    assert c == pytest.approx([0.0, 1 - np.exp(-1), 2 - np.exp(-1) - np.exp(-2)])


def test_doubling_a_saturated_budget_less_than_doubles_paid_sessions(flat):
    one = flat.with_overrides({f"{PAID}.half_saturation_spend": 60.0})
    two = one.with_overrides({f"{PAID}.daily_budget": 120.0})
    sessions = channel_sessions("paid_search")
    excess = []
    for seed in as_seed_sequence(4).spawn(6):
        excess.append(sessions(sim.simulate(two, seed, 30)) - 2 * sessions(sim.simulate(one, seed, 30)))
    d, lo, hi = sim.mean_ci(excess)
    print(f"EFFECT sessions(2x) - 2 sessions(1x): diff {d:.4g}, 95% CI [{lo:.4g}, {hi:.4g}]")
    assert hi < 0
    # theory: 50 -> 66.7 sessions a day, so 2x budget gives 4/3 of the sessions
    ratio = sessions(sim.simulate(two, 1, 30)) / sessions(sim.simulate(one, 1, 30))
    assert ratio == pytest.approx(4 / 3, rel=0.06)
    # and the channel's CAC rises with the budget
    assert_direction(one, two, lambda r: float(r.channels.set_index("channel").loc["paid_search", "cac"]), +1, days=30)


def test_carry_over_brings_traffic_after_the_budget_stops(flat):
    stop = flat.with_overrides({f"{PAID}.scale_from_day": 20, f"{PAID}.scaled_budget": 0.0})
    carry = stop.with_overrides({f"{PAID}.carryover": 0.6})
    assert_direction(stop, carry, channel_sessions("paid_search", 20, 26), +1, days=30)
    r = sim.simulate(carry, seed=2, days=30)
    paid = r.daily[r.daily["channel"] == "paid_search"]
    assert (paid["spend"].iloc[20:] == 0).all() and paid["sessions"].iloc[20:23].sum() > 0
    # normalised adstock conserves clicks: 20 days at 100 a day, spread out, about 2,000 in all
    assert paid["sessions"].sum() == pytest.approx(2000, rel=0.08)


def test_start_cheap_then_scale(flat):
    scale = flat.with_overrides(
        {
            f"{PAID}.daily_budget": 20.0,
            f"{PAID}.scale_from_day": 15,
            f"{PAID}.scaled_budget": 150.0,
            f"{PAID}.scale_ramp_days": 10,
        }
    )
    cheap = flat.with_overrides({f"{PAID}.daily_budget": 20.0})
    assert_directions(cheap, scale, {"spend": (kpi("marketing_spend"), +1), "orders": (kpi("orders"), +1)}, days=40)
    spend = sim.simulate(scale, seed=1, days=40).daily.query("channel == 'paid_search'")["spend"].to_numpy()
    assert spend[:15].mean() == pytest.approx(20, rel=0.25) and spend[25:].mean() == pytest.approx(150, rel=0.1)


def test_scaling_waits_for_an_acceptable_cac(baseline):
    base = baseline.with_overrides({f"{PAID}.daily_budget": 20.0})
    gated = base.with_overrides(
        {f"{PAID}.scale_from_day": 15, f"{PAID}.scaled_budget": 150.0, f"{PAID}.scale_max_cac": 0.5}
    )  # no channel acquires customers at 0.50
    a, b = sim.simulate(base, seed=3, days=30), sim.simulate(gated, seed=3, days=30)
    assert a.daily["spend"].equals(b.daily["spend"])
    open_gate = gated.with_overrides({f"{PAID}.scale_max_cac": 1000.0})
    assert sim.simulate(open_gate, seed=3, days=30).daily["spend"].sum() > 2 * a.daily["spend"].sum()


def test_content_output_grows_organic_traffic(baseline):
    content = baseline.with_overrides(
        {
            "traffic.channels.organic_search.content_posts_per_week": 5.0,
            "traffic.channels.organic_search.sessions_per_post": 2.0,
        }
    )
    assert_direction(baseline, content, channel_sessions("organic_search", 50, 60), +1, days=60, n=4)


def test_organic_traffic_grows_with_review_count_and_rating(baseline):
    counted = baseline.with_overrides(
        {"traffic.channels.organic_search.review_count_elasticity": 0.5, "reviews.review_probability": 0.3}
    )
    assert_direction(
        baseline.with_overrides({"reviews.review_probability": 0.3}),
        counted,
        channel_sessions("organic_search", 30, 45),
        +1,
        days=45,
        n=4,
    )
    liked = baseline.with_overrides({"reviews.initial_rating": 4.9, "reviews.rating_sensitivity": 0.3})
    assert_direction(baseline, liked, channel_sessions("organic_search", 0, 20), +1, days=20, n=4)


def test_cac_per_channel_in_the_channels_table(baseline_run):
    t = baseline_run.channels.set_index("channel")
    assert set(t.index) == set(baseline_run.scenario.traffic.channels)
    paid = t.loc["paid_search"]
    assert paid["cac"] == pytest.approx(paid["spend"] / paid["new_customers"])
    assert t["spend"].sum() == pytest.approx(baseline_run.daily["spend"].sum())
    assert t.loc["organic_search", "cac"] == 0.0


@pytest.mark.parametrize(
    "override, path",
    [
        ({f"{PAID}.hill_slope": 0.0}, f"{PAID}.hill_slope"),
        ({f"{PAID}.carryover": 1.0}, f"{PAID}.carryover"),
        ({f"{PAID}.half_saturation_spend": -5.0}, f"{PAID}.half_saturation_spend"),
        ({f"{PAID}.scaled_budget": 100.0}, PAID),
        (
            {"traffic.channels.social.scaled_budget": 10.0, "traffic.channels.social.scale_from_day": 3},
            "traffic.channels.social",
        ),
        (
            {"traffic.channels.organic_search.content_posts_per_week": -1.0},
            "traffic.channels.organic_search.content_posts_per_week",
        ),
    ],
)
def test_bad_channel_values_name_their_path(baseline, override, path):
    assert_rejected(baseline, override, path)
