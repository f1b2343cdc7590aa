"""CRM programmes on the model clock: campaigns on their schedule at their cost, membership fees at checkout."""

from __future__ import annotations

import pandas as pd
import pytest

import sim


def test_a_campaign_sends_on_its_schedule_at_its_cost(baseline):
    s = baseline.with_overrides(
        {"crm.campaigns": {"fortnightly": {"start": "2026-01-12", "every_days": 14, "send_cost": 0.01}}}
    )
    r = sim.simulate(s, seed=3, days=45)
    sends = r.programmes[r.programmes["programme"] == "campaign:fortnightly"]
    start = pd.Timestamp(s.time.start_date)
    days = ((pd.to_datetime(sends["date"]) - start).dt.days).tolist()
    first = (pd.Timestamp("2026-01-12") - start).days
    assert days == list(range(first, 45, 14))  # the start day, then every 14 days within the horizon
    assert sends["cost"].tolist() == pytest.approx((sends["events"] * 0.01).tolist())
    assert (sends["events"] > 0).all()


def test_members_join_at_checkout_and_pay_the_fee(baseline):
    s = baseline.with_overrides({"crm.membership": {"offered": True, "fee_per_year": 12.0, "join_probability": 0.5}})
    r = sim.simulate(s, seed=4, days=30)
    joins = r.programmes[r.programmes["programme"] == "membership"]
    first_buyers = r.orders.loc[~r.orders["is_repeat"], "customer_id"].nunique()
    # each first buyer joins with probability 0.5: the share lies within 4 sd of it (fails < 1 in 10,000)
    sd = (0.25 / first_buyers) ** 0.5
    assert joins["events"].sum() / first_buyers == pytest.approx(0.5, abs=4 * sd)
    assert joins["revenue"].sum() == 12.0 * joins["events"].sum()
    assert "membership_renewal" not in set(r.programmes["programme"])  # no anniversary within 30 days
