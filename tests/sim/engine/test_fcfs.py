"""The exact first-come queue against a SimPy Resource on the same jobs: identical starts, identical queue.

The reference is the way a SimPy user writes a crew on one shift: each job is
a process that waits for the shift to open, requests a slot of a
``simpy.Resource``, waits for the opening again if the slot came after
closing, and holds the slot for its hours.  ``FcfsServers`` computes the same
starts as each job arrives.  The jobs are random (fixed seeds) and include
nights, weekends, bursts that queue past closing and jobs longer than a shift.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim.engine.clock import ShiftClock
from sim.engine.operations.fcfs import FcfsServers
from sim.scenario.definition import Shift

WEEKDAYS_8_16 = Shift(start_hour=8, end_hour=16, weekdays=[0, 1, 2, 3, 4, 5])
ALWAYS = Shift(start_hour=0, end_hour=24, weekdays=list(range(7)))


def simpy_starts(
    clock: ShiftClock, servers: int, arrivals: np.ndarray, hours: np.ndarray, probes: np.ndarray
) -> tuple[list[float], list[int]]:
    """Each job's start on a SimPy Resource, and the number queued (arrived, not started) at each probe."""
    env = simpy.Environment()
    slots = simpy.Resource(env, capacity=servers)
    starts = [np.nan] * len(arrivals)
    queued = [0]

    def job(i: int):
        yield env.timeout(arrivals[i])
        queued[0] += 1
        yield env.timeout(clock.next_open(env.now) - env.now)
        with slots.request() as req:
            yield req
            yield env.timeout(clock.next_open(env.now) - env.now)  # granted after closing: wait for the opening
            starts[i] = env.now
            queued[0] -= 1
            yield env.timeout(hours[i])

    seen: list[int] = []

    def probe():
        for t in probes:
            yield env.timeout(t - env.now)
            seen.append(queued[0])

    for i in range(len(arrivals)):
        env.process(job(i))
    env.process(probe())
    env.run()
    return starts, seen


def fcfs_starts(
    clock: ShiftClock, servers: int, arrivals: np.ndarray, hours: np.ndarray, probes: np.ndarray
) -> tuple[list[float], list[int]]:
    queue = FcfsServers(servers, clock)
    starts, seen, j = [], [], 0
    for a, h in zip(arrivals, hours, strict=True):
        while j < len(probes) and probes[j] < a:  # a probe sees the jobs booked before it
            seen.append(queue.waiting(probes[j]))
            j += 1
        starts.append(queue.start(float(a), float(h)))
    seen += [queue.waiting(t) for t in probes[j:]]
    return starts, seen


@pytest.mark.parametrize(
    ("shift", "servers", "seed", "per_hour", "mean_hours"),
    [
        (WEEKDAYS_8_16, 1, 1, 0.6, 1.0),  # one picker, busy: queues past closing most days
        (WEEKDAYS_8_16, 5, 2, 9.0, 0.45),  # the growth store's warehouse at about its load
        (WEEKDAYS_8_16, 3, 3, 2.0, 5.0),  # jobs longer than the shift's remaining hours
        (ALWAYS, 2, 4, 3.0, 0.6),  # always open: plain FCFS M/G/2
    ],
)
def test_the_same_starts_and_queue_as_a_simpy_resource(shift, servers, seed, per_hour, mean_hours):
    rng = np.random.default_rng(seed)
    n = 3000
    arrivals = np.cumsum(rng.exponential(1 / per_hour, n))
    hours = rng.lognormal(np.log(mean_hours), 0.6, n)
    probes = np.sort(rng.uniform(0, arrivals[-1], 400))
    clock = ShiftClock(shift, start_weekday=0)
    ref_starts, ref_queued = simpy_starts(clock, servers, arrivals, hours, probes)
    starts, queued = fcfs_starts(clock, servers, arrivals, hours, probes)
    # Identical up to the rounding of a SimPy clock that reaches an opening as now + (opening - now):
    # the same job starts at the same moment, to a nanosecond of an hour.
    np.testing.assert_allclose(starts, ref_starts, rtol=0, atol=1e-9)
    assert queued == ref_queued
    waits = np.array(starts) - arrivals
    assert waits.min() >= 0 and (waits > 1.0).any()  # the queue really queued


def test_a_job_taken_after_closing_waits_for_the_next_opening():
    """One server busy until 17:00 (after the 16:00 closing): the next job starts at 08:00 the next day."""
    queue = FcfsServers(1, ShiftClock(WEEKDAYS_8_16, start_weekday=0))
    assert queue.start(15.0, 2.0) == 15.0
    assert queue.start(15.5, 1.0) == 24 + 8.0
    assert queue.waiting(20.0) == 1 and queue.waiting(24 + 8.0) == 0
