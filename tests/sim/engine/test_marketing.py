"""Content traffic (sim.engine.sales.marketing.content_sessions) against its closed form, and the ramp's floor.

Theory: ``r`` posts a day, each bringing ``per_post * (1 - exp(-age / ramp))``
sessions, give ``per_post * r * sum_{a=0..d} (1 - exp(-a / ramp))`` on day
``d``; at the fastest ramp every post older than a day brings all of it
(``per_post * r * d``), and however slow the ramp, each day adds more than the last.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import sim
from sim.engine.sales.marketing import content_sessions

FASTEST = 0.01  # the field's floor (days)


def test_the_fastest_ramp_ranks_every_post_within_a_day_without_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp(-age / ramp) would raise here
        got = content_sessions(np.array([7.0]), np.array([3.0]), np.array([FASTEST]), 30)[:, 0]
    assert got == pytest.approx(3.0 * np.arange(30), rel=1e-12, abs=1e-12)


def test_a_slow_ramp_follows_the_closed_form():
    ramp, days = 40.0, 200
    got = content_sessions(np.array([14.0]), np.array([2.0]), np.array([ramp]), days)[:, 0]
    a = np.arange(days)
    # sum_{a=0..d} exp(-a / ramp) is a geometric series: (1 - q^(d+1)) / (1 - q), q = exp(-1 / ramp)
    q = np.exp(-1.0 / ramp)
    expected = 2.0 * 2.0 * ((a + 1) - (1 - q ** (a + 1)) / (1 - q))
    assert got == pytest.approx(expected, rel=1e-9)
    assert (np.diff(got) > 0).all()


def test_a_ramp_below_the_floor_is_a_one_line_error_naming_the_field():
    with pytest.raises(sim.ScenarioError, match=r"traffic.channels.blog.content_ramp_days = 1e-310.*>= 0.01"):
        sim.Scenario().with_overrides(
            {"traffic.channels.blog": {"content_posts_per_week": 3.0, "content_ramp_days": 1e-310}}
        )
