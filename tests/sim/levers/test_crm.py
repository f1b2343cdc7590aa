"""Stage 6 levers: segments, a membership programme, CRM campaigns (newsletter, win-back), review prompts.

Theory compared with: a campaign reaching n customers with response rate r
brings Binomial(n, r) visits and costs n x send_cost; a review prompt turns
the review probability p into 1 - (1 - p)(1 - q); a paid membership earns
joins x fee in its first year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from tests.sim.levers.test_common import (
    assert_direction,
    assert_directions,
    assert_rejected,
    busy,
    channel_sessions,
    measure,
)

LOYAL = {
    "loyal": {"share": 0.5, "churn_multiplier": 0.3, "visit_rate_multiplier": 2.0},
    "casual": {"share": 0.5, "churn_multiplier": 1.5},
}


def repeat_orders(r: sim.Result) -> float:
    return float(r.orders["is_repeat"].sum())


def test_a_loyal_segment_buys_again_more_often(baseline):
    segmented = baseline.with_overrides({"customers.segments": LOYAL})
    # t ~4.7 at 12 pairs, ~8 at 36: a correct model fails with a chance below 1e-4 (see test_common)
    assert_direction(baseline, segmented, repeat_orders, +1, days=45, n=36)
    c = sim.simulate(segmented, seed=1, days=60).customers
    assert (c["segment"] == "loyal").mean() == pytest.approx(0.5, abs=0.06)
    per = c.groupby("segment")["orders"].mean()
    assert per["loyal"] > per["casual"]


def test_membership_keeps_customers_and_pays_the_member_price(baseline):
    club = baseline.with_overrides({"crm.membership": {"offered": True, "join_probability": 0.8}})
    assert_direction(baseline, club, repeat_orders, +1, days=60, n=14)  # t ~8.6: false failure < 1e-4
    o = sim.simulate(club, seed=2, days=40).orders
    members = o[o["member"] & (o["unit_price"] > 0)]
    list_price = members["sku"].map({k: v.price for k, v in baseline.catalogue.skus.items()}).astype(float)
    assert len(members) > 50 and np.allclose(members["unit_price"], 0.95 * list_price)


def test_a_paid_membership_earns_its_fees(baseline):
    paid = baseline.with_overrides({"crm.membership": {"offered": True, "fee_per_year": 30.0, "join_probability": 0.1}})
    r = sim.simulate(paid, seed=3, days=40)
    joins = r.programmes.query("programme == 'membership'")["events"].sum()
    assert joins == r.customers["member"].sum() > 0
    assert r.measures()["membership_fees"] == pytest.approx(30.0 * joins)


def test_a_newsletter_brings_customers_back_at_its_cost(baseline):
    weekly = {"crm.campaigns": {"weekly": {"every_days": 7, "response_rate": 0.2}}}
    # a few extra repeat orders a month at the baseline's size: three times the store to see them, and
    # 16 pairs (repeat orders: t ~4.2 at 8 pairs and a 10% response; ~12 here, false failure < 1e-6)
    store = busy(baseline, 3)
    assert_directions(
        store,
        store.with_overrides(weekly),
        {"email sessions": (channel_sessions("email"), +1), "repeat orders": (repeat_orders, +1)},
        days=60,
        n=16,
    )
    news = baseline.with_overrides(weekly)
    r = sim.simulate(news, seed=4, days=60)
    sends = r.programmes[r.programmes["programme"] == "campaign:weekly"]
    assert len(sends) == 9 and r.measures()["crm_cost"] == pytest.approx(0.002 * sends["events"].sum())


def test_a_win_back_campaign_reactivates_churned_customers(baseline):
    store = busy(baseline, 3)
    win = store.with_overrides(
        {
            "crm.campaigns": {
                "winback": {"start": "2026-02-02", "every_days": 14, "audience": "churned", "response_rate": 0.3}
            }
        }
    )
    # a 30% response for power: at 15% t ~5 over 8 pairs (false failure ~1%); here ~10 (< 1e-5)
    assert_direction(store, win, repeat_orders, +1, days=60, n=8)


def test_review_prompts_raise_the_review_rate(baseline):
    prompted = baseline.with_overrides({"crm.review_prompts.response_rate": 0.1})
    assert_directions(
        baseline,
        prompted,
        {"reviews": (lambda r: float(len(r.reviews)), +1), "CRM cost": (measure("crm_cost"), +1)},
        days=40,
        n=4,
    )
    r = sim.simulate(prompted, seed=5, days=60)
    end = pd.Timestamp(r.scenario.time.start_date) + pd.Timedelta(days=60)
    reviews_per_prompt = (r.reviews["reviewed_at"] < end).sum() / r.programmes.query("programme == 'review_prompts'")[
        "events"
    ].sum()
    assert reviews_per_prompt == pytest.approx(1 - (1 - 0.08) * (1 - 0.1), abs=0.04)


@pytest.mark.parametrize(
    "override, path",
    [
        ({"customers.segments": {"a": {"share": 0.5}}}, "customers.segments"),
        ({"crm.campaigns": {"x": {"channel": "tv"}}}, "crm.campaigns.x.channel"),
        ({"crm.campaigns": {"x": {"audience": "everyone"}}}, "crm.campaigns.x.audience"),
        ({"crm.membership.member_discount": 0.95}, "crm.membership.member_discount"),
        ({"crm.review_prompts.response_rate": 2.0}, "crm.review_prompts.response_rate"),
    ],
)
def test_bad_crm_values_name_their_path(baseline, override, path):
    assert_rejected(baseline, override, path)
