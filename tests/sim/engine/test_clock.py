"""The model clock's calendar: shift openings, daily collections, callbacks and timestamps."""

from __future__ import annotations

import datetime as dt
import heapq
import math

import numpy as np
import pandas as pd
import pytest
import simpy

from sim.engine.clock import Agenda, ShiftClock, call_later, next_daily, timestamps
from sim.scenario.definition import Shift

#: Day 0 is a Monday (weekday 0); a 9-17 shift on weekdays.
OFFICE = ShiftClock(Shift(start_hour=9, end_hour=17, weekdays=[0, 1, 2, 3, 4]), start_weekday=0)


@pytest.mark.parametrize(
    "t, is_open, next_open",
    [
        (8.0, False, 9.0),  # Monday before opening: waits for 09:00
        (9.0, True, 9.0),  # the opening itself is open
        (16.99, True, 16.99),
        (17.0, False, 24 + 9.0),  # closing time is closed: Tuesday 09:00
        (4 * 24 + 18.0, False, 7 * 24 + 9.0),  # Friday evening: Monday 09:00 of the next week
        (5 * 24 + 12.0, False, 7 * 24 + 9.0),  # Saturday noon
    ],
)
def test_shift_openings(t, is_open, next_open):
    assert OFFICE.is_open(t) is is_open
    assert OFFICE.next_open(t) == next_open


def test_the_start_weekday_shifts_the_calendar():
    """The same shift when day 0 is a Saturday: day 0 and 1 are closed, day 2 (Monday) opens at 09:00."""
    weekend_start = ShiftClock(Shift(start_hour=9, end_hour=17, weekdays=[0, 1, 2, 3, 4]), start_weekday=5)
    assert not weekend_start.is_open(12.0) and weekend_start.next_open(12.0) == 2 * 24 + 9.0


def test_round_the_clock_is_always_open():
    always = ShiftClock(Shift(start_hour=0, end_hour=24, weekdays=list(range(7))), start_weekday=3)
    assert always.always_open and all(always.is_open(t) for t in np.linspace(0, 500, 97))
    assert always.next_open(123.4) == 123.4


def test_jobs_waiting_for_one_opening_share_the_same_float():
    """The key a crew wakes its queue with: every time of Friday night maps to the same Monday opening."""
    assert len({OFFICE.next_open(t) for t in np.linspace(4 * 24 + 17, 7 * 24 + 8.9, 50)}) == 1


@pytest.mark.parametrize("t, expected", [(0.0, 15.0), (15.0, 15.0), (15.5, 24 + 15.0), (47.0, 48 + 15.0)])
def test_next_daily(t, expected):
    assert next_daily(t, 15.0) == expected


def test_call_later_runs_the_callback_at_its_time():
    env = simpy.Environment()
    seen: list[tuple[float, str]] = []
    call_later(env, 2.5, lambda tag: seen.append((env.now, tag)), "parcel")
    event = call_later(env, 1.0, lambda: seen.append((env.now, "order")))
    assert isinstance(event, simpy.Timeout)
    env.run()
    assert seen == [(1.0, "order"), (2.5, "parcel")]


def test_timestamps_are_calendar_times_and_nan_is_nat():
    out = timestamps(dt.date(2026, 1, 5), [0.0, 25.5, np.nan])
    assert out[0] == pd.Timestamp("2026-01-05") and out[1] == pd.Timestamp("2026-01-06 01:30")
    assert pd.isna(out[2]) and str(out.dtype) == "datetime64[ns]"


@pytest.mark.parametrize("weekdays, start_weekday", [([0, 1, 2, 3, 4], 0), ([5], 3), ([0, 2, 4, 6], 6)])
def test_next_open_is_the_first_open_minute_found_by_walking_the_clock(weekdays, start_weekday):
    """The weekday table against the definition: walk forward a minute at a time until the shift is open."""
    clock = ShiftClock(Shift(start_hour=8, end_hour=16, weekdays=weekdays), start_weekday)
    for t in np.random.default_rng(4).uniform(0, 24 * 21, 300).round(2).tolist() + [8.0, 16.0, 7.99]:
        walk = t
        while not clock.is_open(walk) and walk - t < 8 * 24:
            nxt = np.ceil(walk * 60 + 1e-9) / 60  # the next whole minute (openings are whole hours)
            walk = nxt if nxt > walk else walk + 1 / 60
        assert clock.next_open(t) == pytest.approx(walk, abs=1e-9), t


def test_timestamps_are_the_nanoseconds_pandas_works_out():
    """The same nanoseconds as ``Timestamp(start) + to_timedelta(hours, unit='h')``, NaT for nan: on fractions
    of every size, on hours a hair either side of a day, and on whole hours (which pandas keeps in s or us)."""
    rng = np.random.default_rng(3)
    start = dt.date(2026, 1, 5)
    edges = [0.0, 1e-9, 1e-13, 47.999999999999, 23.999999999999996, 24.000000000000004, 87_600.5, -1.25, np.nan]
    for scale in (1e-3, 1.0, 24.0, 1e3, 1e5):
        for digits in (None, 0, 3, 9):
            hours = rng.random(4000) * scale
            hours = hours if digits is None else np.round(hours, digits)
            hours[::9] = np.nan
            hours[: len(edges)] = edges
            expected = (pd.Timestamp(start) + pd.to_timedelta(hours, unit="h")).as_unit("ns")
            got = timestamps(start, hours)
            assert got.dtype == expected.dtype and (got.asi8 == expected.asi8).all(), (scale, digits)
    assert len(timestamps(start, [])) == 0 and timestamps(start, [np.nan]).isna().all()


def test_the_agenda_gives_entries_earliest_first_like_a_heap():
    """Against heapq on the same pushes and takes, interleaved as the model does them: pushes (one by one or
    several in a call) into later days, into the day being taken and into the past (due at once), takes up to a
    'now' that moves by minutes or by days.  Times at midnight or noon half the time, so many are equal: those
    come out in the order pushed."""
    rng = np.random.default_rng(6)
    agenda, heap, out_a, out_h, key, now = Agenda(), [], [], [], 0, 0.0
    while now < 24 * 150:
        batch = []
        for _ in range(int(rng.integers(0, 6))):
            t = float(now + rng.choice([rng.uniform(-5, 0), rng.uniform(0, 20), rng.uniform(24, 24 * 9)]))
            batch.append((round(t / 12) * 12.0 if rng.random() < 0.5 else t, key))
            key += 1
            heapq.heappush(heap, batch[-1])
        if rng.random() < 0.5:
            agenda.push(*batch)
        else:
            for entry in batch:
                agenda.push(entry)
        assert agenda.first == (heap[0][0] if heap else math.inf) and len(agenda) == len(heap)
        due = agenda.take_due(now)
        assert all(t <= now for t, _ in due) and agenda.first > now and agenda.take_due(now) == []
        out_a += due
        while heap and heap[0][0] <= now:
            out_h.append(heapq.heappop(heap))
        now += float(rng.choice([rng.uniform(0, 4), rng.uniform(20, 80)]))
    assert out_a == out_h and len(out_a) > 300
    assert len({t for t, _ in out_a}) < len(out_a) - 40, "many equal times"
    assert agenda.take_due(math.inf) == heapq.nsmallest(len(heap), heap) and agenda.take_due(math.inf) == []


@pytest.mark.parametrize("weekdays, start_weekday", [([0, 1, 2, 3, 4], 0), ([5], 3), ([0, 2, 4, 6], 6)])
def test_next_open_of_many_times_is_each_times_next_open(weekdays, start_weekday):
    clock = ShiftClock(Shift(start_hour=8, end_hour=16, weekdays=weekdays), start_weekday)
    t = np.concatenate([np.random.default_rng(7).uniform(0, 24 * 30, 500), [0.0, 8.0, 16.0, 15.999, 24 * 7 + 8]])
    assert clock.next_open_many(t).tolist() == [ShiftClock(clock_shift(clock), start_weekday).next_open(x) for x in t]


def clock_shift(clock: ShiftClock) -> Shift:
    """The shift of a clock (a fresh clock per call: no remembered opening hours)."""
    return Shift(start_hour=clock.start, end_hour=clock.end, weekdays=sorted(clock.open_days))
