"""Dated shocks: a traffic drop and its linear recovery, supplier delays and carrier disruptions inside their window."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.shocks import Shocks

DAY = 24.0


def _carrier(shocks: Shocks, option: int, t: float) -> tuple[float, float]:
    """``Shocks.carrier_at`` of one parcel."""
    mult, late = shocks.carrier_at(np.array([option]), np.array([t]))
    return float(mult[0]), float(late[0])


def test_no_shock_no_change(store):
    shocks = Shocks(store, 20)
    assert np.all(shocks.traffic == 1.0)
    assert shocks.supplier_extra_hours(0, 5 * DAY) == 0.0 and _carrier(shocks, 0, 5 * DAY) == (1.0, 0.0)


def test_the_docstrings_policy_change_halves_social_then_recovers_linearly(store):
    """Half of social's traffic for 28 days from 2026-03-02, back over 14 more (the module's example)."""
    shock = {"start": "2026-03-02", "days": 28, "multiplier": 0.5, "channels": ["social"], "recovery_days": 14}
    s = store.with_overrides({"risk.traffic_shocks": {"policy_change": shock}})
    shocks = Shocks(s, 120)
    social, first = list(s.traffic.channels).index("social"), 56  # 2026-03-02 is day 56 of a 2026-01-05 start
    traffic = shocks.traffic[:, social]
    assert np.all(traffic[:first] == 1.0) and np.all(traffic[first : first + 28] == 0.5)
    recovery = traffic[first + 28 : first + 42]
    assert recovery == pytest.approx(0.5 + 0.5 * np.arange(1, 15) / 15)
    assert np.all(traffic[first + 42 :] == 1.0)
    others = np.delete(shocks.traffic, social, axis=1)
    assert np.all(others == 1.0), "only the channels named"


def test_overlapping_traffic_shocks_multiply(store):
    both = {
        "a": {"start": "2026-01-06", "days": 4, "multiplier": 0.5},
        "b": {"start": "2026-01-08", "days": 4, "multiplier": 3.0},
    }
    traffic = Shocks(store.with_overrides({"risk.traffic_shocks": both}), 10).traffic[:, 0]
    assert traffic.tolist() == [1.0, 0.5, 0.5, 1.5, 1.5, 3.0, 3.0, 1.0, 1.0, 1.0]


def test_supplier_delays_count_for_orders_placed_inside_the_window(store):
    delay = {"start": "2026-01-07", "days": 3, "extra_lead_time_days": 5, "skus": ["mug"]}
    shocks = Shocks(store.with_overrides({"risk.supplier_delays": {"port": delay}}), 20)
    mug = list(store.catalogue.skus).index("mug")
    assert shocks.supplier_extra_hours(mug, 2 * DAY) == 5 * DAY
    assert shocks.supplier_extra_hours(mug, 4 * DAY + 23) == 5 * DAY
    assert shocks.supplier_extra_hours(mug, 5 * DAY) == 0.0, "the window ends at midnight after its last day"
    assert shocks.supplier_extra_hours(mug, 1 * DAY) == 0.0 and shocks.supplier_extra_hours(0, 3 * DAY) == 0.0


def test_carrier_disruptions_stretch_lead_times_and_add_late_probability(store):
    storms = {
        "storm": {"start": "2026-01-06", "days": 2, "lead_time_multiplier": 2.0, "extra_incident_probability": 0.1},
        "strike": {"start": "2026-01-07", "days": 2, "lead_time_multiplier": 1.5, "options": ["express"]},
    }
    shocks = Shocks(store.with_overrides({"risk.carrier_disruptions": storms}), 10)
    express = list(store.delivery.options).index("express")
    assert _carrier(shocks, 0, 1 * DAY + 1) == (2.0, pytest.approx(0.1))
    assert _carrier(shocks, express, 2 * DAY) == (3.0, pytest.approx(0.1)), "overlapping disruptions compound"
    assert _carrier(shocks, 0, 3 * DAY) == (1.0, 0.0)
    assert _carrier(shocks, express, 3 * DAY) == (1.5, 0.0)
