"""Every lever with a register entry moves its KPI by an amount inside the published range.

``data/reference/effects.yaml`` gives each behavioural coefficient a
default, a published range and sources; entries with a ``whatif`` name a
lever pulled on the baseline and the range its paired effect must land in
(e.g. a page 1 s faster: net revenue +1% to +25%, Akamai 2017, Portent
2019/2022, Deloitte 2020).  The test holds the *mean* paired effect over
replications with common random numbers inside that range.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine.rng import as_seed_sequence
from sim.scenario.effects import EFFECTS

WHATIFS = {key: e.whatif for key, e in EFFECTS.items() if e.whatif is not None}


def _metric(r: sim.Result, name: str) -> float:
    return {**r.kpis(), **r.measures()}[name]


@pytest.mark.parametrize("key", sorted(WHATIFS))
def test_each_whatif_lands_inside_its_published_range(baseline, key):
    """Mean paired effect over 8 replications of 120 days.

    The ranges are wide against the noise: the interval half-widths measured
    are under a third of each range's distance from the model's mean, so a
    correct model falls outside with a chance well below 1 in 1,000.
    """
    w = WHATIFS[key]
    b = baseline.with_overrides(w.overrides)
    diffs = []
    for s in as_seed_sequence(12).spawn(8):
        a_value = _metric(sim.simulate(baseline, s, 120), w.metric)
        b_value = _metric(sim.simulate(b, s, 120), w.metric)
        diffs.append((b_value - a_value) / a_value if w.relative else b_value - a_value)
    mean = float(np.mean(diffs))
    print(f"WHATIF {key} {w.overrides} -> {w.metric}: {mean:+.4g} (range {w.low:g} to {w.high:g})")
    assert w.low <= mean <= w.high, f"{key}: {w.metric} moved {mean:+.4g}, published range {w.low:g} to {w.high:g}"
