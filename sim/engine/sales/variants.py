"""A/B tests inside the simulation, and the cells (market x arm) that sessions are split into.

With ``ab_test.enabled`` each session of the test window is sent to arm B
with ``share_b``, else to arm A; arm B sees the scenario with
``ab_test.variant_b`` applied (``Scenario.variant_b``), arm A the scenario
itself.  Markets split sessions the same way, by ``traffic_share``.  A cell
is one (market, arm) pair; the funnel is drawn per cell, one multinomial
split per day from the ``cells`` stream, so a store with one market and no
test has one cell and draws nothing extra.

Orders carry their arm's label in ``orders.variant`` ('' outside the test
window) and their market in ``orders.market``; ``Result.variants`` and
``Result.markets`` hold the funnel per day and cell, the way a testing tool
would report it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.sales.pricing import window
from sim.scenario.definition import Scenario
from sim.scenario.levers import Market


@dataclass
class Arms:
    scenarios: list[Scenario]
    #: ``orders.variant`` of each arm inside the test window
    labels: list[str]
    #: share of sessions per arm, [day, arm]
    share: np.ndarray
    #: day lies in the test window
    in_test: np.ndarray


def build_arms(s: Scenario, days: int) -> Arms:
    t = s.ab_test
    if not t.enabled:
        return Arms([s], [""], np.ones((days, 1)), np.zeros(days, dtype=bool))
    first = window(t.start, days, s.time.start_date, days).start
    rows = window(t.start, t.days or max(days - first, 1), s.time.start_date, days)
    share = np.zeros((days, 2))
    share[:, 0] = 1.0
    share[rows] = (1.0 - t.share_b, t.share_b)
    in_test = np.zeros(days, dtype=bool)
    in_test[rows] = True
    return Arms([s, s.variant_b()], [t.name_a, t.name_b], share, in_test)


@dataclass
class Cells:
    """Sessions split into cells, one per (market, arm): cell index = market * arms + arm."""

    market_names: list[str]
    markets: list[Market]
    arms: Arms

    @property
    def n_arms(self) -> int:
        return len(self.arms.scenarios)

    @property
    def count(self) -> int:
        return len(self.markets) * self.n_arms

    @property
    def market_of(self) -> np.ndarray:
        return np.arange(self.count) // self.n_arms

    @property
    def arm_of(self) -> np.ndarray:
        return np.arange(self.count) % self.n_arms

    def share(self) -> np.ndarray:
        """Share of sessions per cell on every day, [day, cell]."""
        m = np.array([mk.traffic_share for mk in self.markets])
        return (m[None, :, None] * self.arms.share[:, None, :]).reshape(len(self.arms.share), -1)


def build_cells(s: Scenario, days: int) -> Cells:
    return Cells(list(s.markets), list(s.markets.values()), build_arms(s, days))
