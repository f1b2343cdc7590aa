"""What the engine's part tests share: the baseline store without its seasons and sales days."""

from __future__ import annotations

import pytest

import sim

#: No seasons, no sales days: a day's traffic and prices are the channels' and SKUs' own numbers.
FLAT = {"calendar.monthly_traffic": [1.0] * 12, "calendar.sales_days": {}, "calendar.category_season": {}}


@pytest.fixture(scope="session")
def store(baseline: sim.Scenario) -> sim.Scenario:
    """The baseline store on a flat calendar."""
    return baseline.with_overrides(FLAT)
