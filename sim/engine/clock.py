"""Calendar arithmetic on the model clock (hours since ``time.start_date`` 00:00).

Pickers and agents work shifts.  A job that arrives while the shift is closed
waits for the next opening; a job that is running at closing time finishes
(overtime), and a job still queued at closing is taken first next morning.
``call_later`` schedules a plain callback on the model clock.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
import operator
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
import simpy
from numpy.typing import ArrayLike

from sim.scenario.definition import Shift

HOURS_PER_DAY: Final = 24.0


class ShiftClock:
    """Opening hours of one shift, anchored to the weekday of day 0."""

    def __init__(self, shift: Shift, start_weekday: int) -> None:
        self.always_open = shift.always_open
        self.start = shift.start_hour
        self.end = shift.end_hour
        self.open_days = frozenset(shift.weekdays)
        self.start_weekday = start_weekday
        #: per weekday (0 = Monday): days from it to the next open weekday after it (1-7; 0 if it never opens)
        self._days_to_next = [next((d for d in range(1, 8) if (w + d) % 7 in self.open_days), 0) for w in range(7)]
        # the same two facts as arrays indexed by weekday, for many times at once (:meth:`next_open_many`)
        self._open_weekday = np.array([w in self.open_days for w in range(7)])
        self._days_to_next_arr = np.array(self._days_to_next)
        #: the opening hours last found open, [from, to): most calls fall inside them
        self._open_from, self._open_to = 0.0, 0.0

    def next_open_many(self, t: np.ndarray) -> np.ndarray:
        """:meth:`next_open` of many times at once."""
        if self.always_open:
            return t
        day = np.floor(t / HOURS_PER_DAY)
        weekday = (self.start_weekday + day.astype(np.int64)) % 7
        open_day = self._open_weekday[weekday]
        hod = t - day * HOURS_PER_DAY
        later = (day + self._days_to_next_arr[weekday]) * HOURS_PER_DAY + self.start
        return np.where(
            open_day & (hod < self.start),
            day * HOURS_PER_DAY + self.start,
            np.where(open_day & (hod < self.end), t, later),
        )

    def is_open(self, t: float) -> bool:
        if self.always_open:
            return True
        day = math.floor(t / HOURS_PER_DAY)
        hod = t - day * HOURS_PER_DAY
        return (self.start_weekday + day) % 7 in self.open_days and self.start <= hod < self.end

    def next_open(self, t: float) -> float:
        """The first time >= ``t`` when the shift is open (``t`` itself when it is open now).

        An opening is computed as ``day * 24 + start_hour``, so every job that
        waits for the same opening gets the same float - the key that lets a
        crew wake all of them with one event.
        """
        if self.always_open or self._open_from <= t < self._open_to:
            return t
        day = math.floor(t / HOURS_PER_DAY)
        weekday = (self.start_weekday + day) % 7
        if weekday in self.open_days:
            hod = t - day * HOURS_PER_DAY
            if hod < self.start:
                return day * HOURS_PER_DAY + self.start
            if hod < self.end:
                self._open_from, self._open_to = day * HOURS_PER_DAY + self.start, day * HOURS_PER_DAY + self.end
                return t
        ahead = self._days_to_next[weekday]
        if not ahead:
            raise AssertionError("a validated shift opens at least once a week")
        return (day + ahead) * HOURS_PER_DAY + self.start


class _Call(simpy.Timeout):
    """A timeout whose one callback calls ``fn(*args)``: no closure per event."""

    def __init__(self, env: simpy.Environment, delay: float, fn: Callable[..., object], args: tuple) -> None:
        super().__init__(env, delay)
        self._call = fn, args
        self.callbacks.append(self._fire)

    def _fire(self, _event: simpy.Event) -> None:
        fn, args = self._call
        fn(*args)


def call_later(env: simpy.Environment, delay: float, fn: Callable[..., object], *args: object) -> simpy.Timeout:
    """Call ``fn(*args)`` ``delay`` hours from now: one timeout with a callback, no generator process.

    A SimPy process costs a few microseconds to create and one resume per
    step; a step that only has to *happen* at a time (an order placed at
    10:42, a parcel delivered) needs neither.  Returns the timeout, so more
    callbacks can wait on the same moment.
    """
    return _Call(env, delay, fn, args)


_time = operator.itemgetter(0)


class Agenda:
    """Entries due at known times, ``(time, ...)`` tuples, taken earliest first (at equal times, as pushed).

    The model's closings: a few thousand orders wait to settle at any moment,
    a few hundred come due each day.  A heap pays a dozen tuple comparisons
    for each; here an entry costs a list append into its day's bucket, and a
    bucket is sorted once, when its day comes.  ``first`` is the earliest
    time waiting (``inf`` when none), so a caller can check ``first <= now``
    before it asks for :meth:`take_due`.
    """

    __slots__ = ("_buckets", "_days", "_today", "_next", "_day", "first")

    def __init__(self) -> None:
        self._buckets: dict[int, list[tuple]] = {}
        self._days: list[int] = []  # a heap of the days with a bucket
        #: every entry of the days up to ``_day``, sorted; those from ``_next`` on are waiting
        self._today: list[tuple] = []
        self._next = 0
        self._day = -(2**62)
        self.first = math.inf

    def __len__(self) -> int:
        return len(self._today) - self._next + sum(len(b) for b in self._buckets.values())

    def push(self, *entries: tuple) -> None:
        """Add entries, one after another (a collection's kept orders in one call)."""
        for entry in entries:
            day = int(entry[0] / HOURS_PER_DAY)  # = floor: times are >= 0 (and int() of a float runs in C)
            if day > self._day:
                bucket = self._buckets.get(day)
                if bucket is None:
                    self._buckets[day] = [entry]
                    heapq.heappush(self._days, day)
                else:
                    bucket.append(entry)
                if self._next >= len(self._today):
                    self._advance()
            else:
                bisect.insort(self._today, entry, lo=self._next, key=_time)
                self.first = self._today[self._next][0]

    def take_due(self, now: float) -> list[tuple]:
        """The entries due by ``now`` (time <= ``now``), earliest first, taken off the agenda.

        A slice of each day's sorted entries.  The model asks after nearly
        every order, and one or two are due most times, all from one day: so
        the end of the slice is found by stepping, not by bisection, and that
        slice is returned as it is (6% fewer instructions in the closings of
        a growth run than bisecting into a list, by valgrind).
        """
        due: list[tuple] = []
        while self.first <= now and self.first != math.inf:  # inf: nothing waits, even when asked for all
            today, start = self._today, self._next
            end, n = start + 1, len(today)  # the first is due: the others due follow it
            while end < n and today[end][0] <= now:
                end += 1
            if end < n:
                self._next, self.first = end, today[end][0]
                if not due:
                    return today[start:end]  # the usual case: all of them from one day
                return due + today[start:end]
            due += today[start:]
            self._advance()
        return due

    def _advance(self) -> None:
        """Today's entries are all taken: the next day's bucket, sorted, becomes today.

        (Dropping the old day's list frees its entries: the bulk of this step's time.)
        """
        if self._days:
            self._day = heapq.heappop(self._days)
            self._today = self._buckets.pop(self._day)
            self._today.sort(key=_time)  # floats only: CPython's fast path; equal times keep the order pushed
            self.first = self._today[0][0]
        else:
            self._today, self.first = [], math.inf
        self._next = 0


def next_daily(t: float, hour_of_day: float) -> float:
    """The first time >= t at ``hour_of_day`` (e.g. the next carrier collection)."""
    day = math.floor(t / HOURS_PER_DAY)
    candidate = day * HOURS_PER_DAY + hour_of_day
    return candidate if candidate >= t else candidate + HOURS_PER_DAY


def timestamps(start: dt.date, hours: ArrayLike) -> pd.DatetimeIndex:
    """Calendar times of model hours (``nan`` -> ``NaT``), as the ``datetime64[ns]`` of ``sim.results.tables``.

    The nanoseconds are those of ``Timestamp(start) + to_timedelta(hours, unit="h")``, worked out as pandas
    does (whole hours times 3.6e12, plus the fraction rounded to 12 digits times 3.6e12, truncated), in a
    few numpy passes instead of pandas' two conversions: a growth year's tables ask for 19 columns of up to
    90,000 times.  ``test_clock`` checks every nanosecond against pandas.
    """
    h = np.asarray(hours, dtype=float)
    missing = np.isnan(h)
    h = np.where(missing, 0.0, h)
    whole = h.astype(np.int64)
    ns = whole * NS_PER_HOUR + (np.round(h - whole, 12) * NS_PER_HOUR).astype(np.int64)
    ns += pd.Timestamp(start).as_unit("ns").value
    ns[missing] = np.iinfo(np.int64).min  # NaT
    return pd.DatetimeIndex(ns.view("M8[ns]"))


NS_PER_HOUR: Final = 3_600_000_000_000
