"""A/B arms and markets: which share of sessions each cell gets on each day, and the arms' labels and scenarios."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.sales.variants import build_arms, build_cells


def test_without_a_test_one_arm_one_cell(baseline):
    cells = build_cells(baseline, 10)
    assert cells.count == 1 and cells.n_arms == 1 and cells.market_names == ["home"]
    assert cells.arms.labels == [""] and not cells.arms.in_test.any()
    assert cells.share().tolist() == [[1.0]] * 10


def test_a_test_window_splits_sessions_and_labels_the_arms(baseline):
    s = baseline.with_overrides(
        {
            "ab_test.enabled": True,
            "ab_test.start": "2026-01-08",
            "ab_test.days": 4,
            "ab_test.share_b": 0.3,
            "ab_test.variant_b": {"page.load_time_s": 1.0},
        }
    )
    arms = build_arms(s, 10)
    assert arms.labels == ["A", "B"] and arms.in_test.tolist() == [False] * 3 + [True] * 4 + [False] * 3
    assert arms.share[3].tolist() == [0.7, 0.3] and arms.share[0].tolist() == [1.0, 0.0] and arms.share[9, 1] == 0.0
    assert arms.scenarios[0] is s and arms.scenarios[1].page.load_time_s == 1.0
    assert arms.share.sum(axis=1) == pytest.approx(np.ones(10))


def test_a_test_without_a_length_runs_to_the_end(baseline):
    s = baseline.with_overrides({"ab_test.enabled": True, "ab_test.start": "2026-01-10"})
    assert build_arms(s, 10).in_test.tolist() == [False] * 5 + [True] * 5


def test_cells_are_markets_times_arms(baseline):
    markets = {
        "home": {"traffic_share": 0.8},
        "abroad": {"traffic_share": 0.2, "local_language": False},
    }
    s = baseline.with_overrides({"markets": markets, "ab_test.enabled": True, "ab_test.share_b": 0.5})
    cells = build_cells(s, 3)
    assert cells.count == 4 and cells.market_of.tolist() == [0, 0, 1, 1] and cells.arm_of.tolist() == [0, 1, 0, 1]
    assert cells.share()[0] == pytest.approx([0.4, 0.4, 0.1, 0.1])
    assert not cells.markets[1].local_language
