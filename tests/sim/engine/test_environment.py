"""StoreEnvironment: SimPy's clock, moved forward without an event when nothing is due before (``skip_to``)."""

from __future__ import annotations

import pytest

from sim.engine.environment import StoreEnvironment


def test_skip_to_moves_the_clock_when_nothing_is_due_before():
    env = StoreEnvironment()
    assert env.skip_to(2.5) and env.now == 2.5 and env.peek() == float("inf")
    assert env.skip_to(2.5) and env.now == 2.5  # standing still is a move too


def test_skip_to_leaves_the_clock_when_an_event_is_due_first_or_at_the_same_time():
    env = StoreEnvironment()
    fired = []
    env.timeout(3.0).callbacks.append(lambda _: fired.append(env.now))
    assert not env.skip_to(3.0) and env.now == 0.0  # due at 3.0 exactly: it goes first
    assert env.skip_to(2.0) and env.now == 2.0
    env.run(until=5.0)
    assert fired == [3.0], "the timeout still fires at its own time after a skip"


def test_skip_to_never_moves_the_clock_back():
    env = StoreEnvironment()
    env.skip_to(4.0)
    with pytest.raises(ValueError, match="cannot move the clock back from 4.0 to 1.0"):
        env.skip_to(1.0)
