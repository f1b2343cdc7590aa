"""How big a run is before it starts, and the budget it must fit in.

Memory grows with orders (each order, its events and its customer take about
4 kB in the tables; measured: 10,867 orders over 399,235 sessions raised the
peak from 214 MB to 260 MB), and orders grow with sessions.  A scenario
with 200,000 sessions a day (the most one channel may bring) over 3,650 days
is 730 million sessions - tens of GB - so a run is refused up front when its
expected sessions exceed :data:`MAX_RUN_SESSIONS`, e.g.::

    run size: 200,000 sessions/day x 365 days = 73,000,000 sessions; allowed: at most 30,000,000
    (a memory budget of ~4 GB at 3% conversion); shorten the run (days) or lower traffic

The count is the scenario's nominal traffic: free sessions (with the SEO
spread), what the paid budgets buy before saturation, content that ranks over
the run and traffic shocks.  Traffic that grows with reviews during the run
is not foreseen.
"""

from __future__ import annotations

import numpy as np

from sim.errors import ScenarioError
from sim.scenario.definition import Scenario

#: expected sessions one run may simulate: ~1 million orders at 3% conversion, ~4 GB at ~4 kB an order
MAX_RUN_SESSIONS = 30_000_000


def nominal_sessions_per_day(s: Scenario) -> float:
    """Sessions of an average day before content, shocks and review growth: free channels plus paid clicks."""
    total = 0.0
    seo = 1.0 + s.funnel.seo_effect * (2.0 * s.page.seo_quality - 1.0)
    for c in s.traffic.channels.values():
        total += c.sessions_per_day * (seo if c.seo_sensitive else 1.0)
        if c.cost_per_click > 0:
            budget = max(c.daily_budget, c.scaled_budget)
            spend = min(budget, c.half_saturation_spend) if c.half_saturation_spend > 0 else budget
            total += spend / c.cost_per_click
    return total


def expected_sessions(s: Scenario, days: int) -> float:
    """Sessions a ``days``-long run is expected to simulate (see the module doc for what is counted)."""
    per_day = nominal_sessions_per_day(s)
    total = per_day * days
    ages = np.arange(days, dtype=float)
    for c in s.traffic.channels.values():
        if c.content_posts_per_week > 0 and c.sessions_per_post > 0:  # day d sums posts aged 0..d
            ranked = (days - ages) * -np.expm1(-ages / c.content_ramp_days)
            total += c.sessions_per_post * c.content_posts_per_week / 7.0 * float(ranked.sum())
    for shock in s.risk.traffic_shocks.values():
        total += max(0.0, shock.multiplier - 1.0) * per_day * min(days, shock.days + shock.recovery_days)
    return total


def check_run_size(s: Scenario, days: int) -> None:
    """Raise :class:`ScenarioError` with the numbers when a run would exceed :data:`MAX_RUN_SESSIONS`."""
    total = expected_sessions(s, days)
    if total > MAX_RUN_SESSIONS:
        raise ScenarioError(
            f"run size: {nominal_sessions_per_day(s):,.0f} sessions/day x {days:,} days (with content and shocks) "
            f"= {total:,.0f} sessions; allowed: at most {MAX_RUN_SESSIONS:,} (a memory budget of ~4 GB); "
            "shorten the run (days) or lower traffic"
        )
