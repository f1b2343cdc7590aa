"""Random streams: per-source generators, children that do not depend on who spawned first, and days."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine.model import StoreModel
from sim.engine.rng import STREAMS, Streams, children_of
from tests.conftest import SCENARIOS


def test_children_of_does_not_advance_the_seed_sequence():
    seq = np.random.SeedSequence(5)
    first = [c.generate_state(2).tolist() for c in children_of(seq, 3)]
    again = [c.generate_state(2).tolist() for c in children_of(seq, 3)]
    assert first == again
    assert first == [c.generate_state(2).tolist() for c in np.random.SeedSequence(5).spawn(3)]
    assert len({tuple(x) for x in first}) == 3


def test_a_day_starts_at_the_same_draws_whatever_the_days_before_drew():
    a, b = Streams.from_seed(11), Streams.from_seed(11)
    a.start_day(0)
    b.start_day(0)
    a.orders.random(5)  # run a draws more on day 0 (one more order, say) ...
    b.orders.random(9)
    a.start_day(1)
    b.start_day(1)
    assert np.array_equal(a.orders.random(4), b.orders.random(4))  # ... and both meet again on day 1
    day1 = Streams.from_seed(11)
    day1.start_day(1)
    day2 = Streams.from_seed(11)
    day2.start_day(2)
    assert not np.array_equal(day1.orders.random(4), day2.orders.random(4))


def test_start_day_moves_every_stream_and_day_zero_is_the_plain_stream():
    s = Streams.from_seed(3)
    plain = {
        name: np.random.Generator(np.random.PCG64(c)).random(3)
        for name, c in zip(STREAMS, children_of(np.random.SeedSequence(3), len(STREAMS)), strict=True)
    }
    s.start_day(0)
    assert all(np.array_equal(getattr(s, name).random(3), plain[name]) for name in STREAMS)
    s.start_day(7)
    assert all(not np.array_equal(getattr(s, name).random(3), plain[name]) for name in STREAMS)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_building_a_model_draws_nothing(path):
    """Day 0 starts every stream at its origin: a draw made while building the model would be drawn again."""
    model = StoreModel(sim.load_scenario(path), np.random.SeedSequence(1), 30)
    moved = [
        name
        for name, origin in zip(STREAMS, model.rng.origins, strict=True)
        if getattr(model.rng, name).bit_generator.state != origin
    ]
    assert moved == []
