"""Crews: the pickers and agents who serve the queues, the hours they work and what those hours cost.

A crew is either one shift with a head count (``pickers`` + ``shift``,
``agents`` + ``shift``: the same people every working day) or a staffing
plan, ``crew``: named shifts, each with its own people, hours and weekdays,
e.g. two agents 07-15 and three 12-20 on weekdays, one at weekends.

One shift: a job that arrives while the shift is closed waits for the
opening (``ShiftClock``), and one taken after closing waits for the next.
Nothing else can change who is on duty, so the queue is computed exactly as
each job arrives (``sim.engine.operations.fcfs``: the same starts a SimPy
``Resource`` gives, without its four events per job); the crew then calls
back at the job's start and end.  A plan varies the head count through the
week: the SimPy resource has as many slots as the busiest hour needs, and at
every change of the roster "off duty" requests of higher priority take the
slots of the people who leave (each finishes the job in hand first) and give
them back when people arrive.

Labour cost is person-hours on the roster times ``hourly_cost``: a capacity
decision is priced whether or not the people were busy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from functools import partial
from typing import Any, Final

import numpy as np
import simpy

from sim.engine.clock import HOURS_PER_DAY, ShiftClock, call_later
from sim.engine.operations.fcfs import FcfsServers
from sim.scenario.definition import CrewShift, Shift

WEEK: Final = 7 * HOURS_PER_DAY
OFF_DUTY, WORK = 0, 1  # request priorities: lower is served first


def roster(crew: dict[str, CrewShift], start_weekday: int) -> tuple[np.ndarray, np.ndarray]:
    """(change times within the first week, head count from each time on), times in model hours."""
    edges = {0.0}
    for c in crew.values():
        for d in range(7):
            if (start_weekday + d) % 7 in c.weekdays:
                edges.update({d * HOURS_PER_DAY + c.start_hour, d * HOURS_PER_DAY + c.end_hour})
    times = np.array(sorted(t for t in edges if t < WEEK))

    def on_duty(t: float) -> int:
        day, hod = int(t // HOURS_PER_DAY), t % HOURS_PER_DAY
        return sum(
            c.people
            for c in crew.values()
            if (start_weekday + day) % 7 in c.weekdays and c.start_hour <= hod < c.end_hour
        )

    return times, np.array([on_duty(t) for t in times])


def as_one_shift(crew: dict[str, CrewShift]) -> tuple[int, Shift] | None:
    """(people, shift) of a plan whose head count never changes while anyone is at work; None for another plan.

    An early agent 08-14 and a late one 14-20, every day: at 14:00 one leaves as
    the other arrives, the job in hand goes on, and the queue cannot tell it from
    one agent working 08-20 - so the crew is served as that one shift, exactly
    (``sim.engine.operations.fcfs``).  Shifts that overlap, leave a gap, or differ
    in head count or hours from one working day to another change the head count
    and keep the plan.
    """
    days: dict[int, list[CrewShift]] = {}
    for c in crew.values():
        if c.people:
            for d in c.weekdays:
                days.setdefault(d, []).append(c)
    spans = set()
    for shifts in days.values():
        shifts.sort(key=lambda c: c.start_hour)
        if len({c.people for c in shifts}) > 1 or any(
            b.start_hour != a.end_hour for a, b in zip(shifts, shifts[1:], strict=False)
        ):
            return None
        spans.add((shifts[0].start_hour, shifts[-1].end_hour, shifts[0].people))
    if len(spans) != 1:
        return None
    start, end, people = spans.pop()
    return people, Shift(start_hour=start, end_hour=end, weekdays=sorted(days))


class Crew:
    """Serve jobs first come, first served with :meth:`serve`: a person on duty takes each job and works it.

    A picker's job: an order queued at 06:10 while the warehouse opens at
    08:00 waits for the opening, queues behind the orders of the night, and is
    picked when a picker is free; ``on_start`` is called then and ``on_done``
    when the pick is over.
    """

    def __init__(
        self, env: simpy.Environment, people: int, shift: Shift, crew: dict[str, CrewShift], start_weekday: int
    ) -> None:
        self.env = env
        self.start_weekday = start_weekday
        self.shifts = (
            list(crew.values())
            if crew
            else [
                CrewShift(people=people, start_hour=shift.start_hour, end_hour=shift.end_hour, weekdays=shift.weekdays)
            ]
        )
        #: nobody ever works (a desk answered by the AI assistant alone)
        self.empty = sum(c.people for c in self.shifts) == 0
        #: one shift: its clock and the exact first-come queue; a plan: None and a SimPy resource
        self.clock: ShiftClock | None = None
        self.servers: FcfsServers | None = None
        one = as_one_shift(crew) if crew else None
        if one is not None:
            people, shift = one
        if crew and one is None:
            self.times, self.counts = roster(crew, start_weekday)
            self.size = max(int(self.counts.max()), 1)
            self.resource = simpy.PriorityResource(env, capacity=self.size)
            self._off: list[simpy.resources.base.Put] = []
            env.process(self._roster())
        else:
            self.clock = ShiftClock(shift, start_weekday)
            self.size = people
            self.servers = FcfsServers(people, self.clock)
        #: every job taken: its start and hours, for :meth:`busy_hours` (lists: the compiled engine appends to
        #: a list of floats in C, to an ``array`` through a Python method call)
        self._starts: list[float] = []
        self._hours: list[float] = []
        #: a plan's jobs queued and not yet taken
        self._queued = 0

    def waiting(self, now: float) -> int:
        """Jobs queued at ``now`` (the clock's time, which every caller has at hand) and not yet taken."""
        return self._queued if self.servers is None else self.servers.waiting(now)

    def serve(self, hours: float, on_done: Callable[[float], None], on_start: Callable[[], None] | None = None) -> None:
        """Queue a job of ``hours``: ``on_start()`` when a person on duty takes it, ``on_done(started)`` when
        it is done (``started`` is the time it was taken).

        One shift: the start is known now (``FcfsServers``), so the crew
        needs only a timeout per callback.  A plan: callbacks on the
        resource's request and on a timeout, not a generator process - a
        crew serves tens of thousands of jobs a year, and each process would
        cost more than the job's bookkeeping.  The callbacks are partials of
        methods, not nested functions: compiled by mypyc, a nested function
        that another one calls sits in its own closure, a reference cycle
        per job that held the whole model until a full collection.
        """
        now = self.env.now
        started = self.book(hours)
        if started is not None:
            if on_start is not None:
                call_later(self.env, started - now, on_start)
            call_later(self.env, started + hours - now, on_done, started)
            return
        self._queued += 1
        request = self.resource.request(priority=WORK)
        request.callbacks.append(partial(self._start, request, hours, on_done, on_start))

    def _start(
        self,
        request: Any,
        hours: float,
        on_done: Callable[[float], None],
        on_start: Callable[[], None] | None,
        _granted: simpy.Event,
    ) -> None:
        """A person on a plan takes a queued job (its request is granted): it ends ``hours`` from now."""
        self._queued -= 1
        started = self.env.now
        self._starts.append(started)
        self._hours.append(hours)
        if on_start is not None:
            on_start()
        self.env.timeout(hours).callbacks.append(partial(self._finish, request, on_done, started))

    def book(self, hours: float, ready: float | None = None) -> float | None:
        """One shift: queue a job of ``hours`` now (or at ``ready``, not before the last job booked) and return
        when it starts (no callback); a plan: None."""
        if self.servers is None:
            return None
        started = self.servers.start(self.env.now if ready is None else ready, hours)
        self._starts.append(started)
        self._hours.append(hours)
        return started

    def busy_hours(self, days: int) -> np.ndarray:
        """Hours of work taken on each of the first ``days`` model days (a job counts on the day it starts): the
        utilisation.  Summed in the order the jobs were taken."""
        day = (np.array(self._starts) // HOURS_PER_DAY).astype(np.int64)
        inside = day < days
        return np.bincount(day[inside], weights=np.array(self._hours)[inside], minlength=days)

    def _finish(self, request: Any, on_done: Callable[[float], None], started: float, _ended: simpy.Event) -> None:
        self.resource.release(request)
        on_done(started)

    def _roster(self) -> Generator[simpy.Event, None, None]:
        """Process: keep ``size - on duty`` slots taken by off-duty requests, week after week."""
        env, week = self.env, 0
        while True:
            for t, n in zip(self.times.tolist(), self.counts.tolist(), strict=True):  # plain: the clock stays a float
                at = week * WEEK + t
                if at > env.now:
                    yield env.timeout(at - env.now)
                self._set_off_duty(self.size - int(n))
            week += 1

    def _set_off_duty(self, n: int) -> None:
        while len(self._off) < n:
            self._off.append(self.resource.request(priority=OFF_DUTY))
        while len(self._off) > n:
            req = self._off.pop()
            if req.triggered:
                self.resource.release(req)  # type: ignore[arg-type]  # simpy's stubs: a request is a Put
            else:
                req.cancel()

    def next_on_duty(self, t: float) -> float:
        """The first time >= ``t`` when someone is on duty (``t`` itself when someone is; an empty crew: ``t``)."""
        if self.clock is not None:
            return self.clock.next_open(t)
        if self.empty:
            return t
        week = math.floor(t / WEEK)
        i = int(np.searchsorted(self.times, t - week * WEEK, side="right")) - 1  # times[0] is 0
        n = len(self.times)
        for j in range(2 * n + 1):
            k = i + j
            if self.counts[k % n] > 0:
                return t if j == 0 else (week + k // n) * WEEK + float(self.times[k % n])
        raise AssertionError("a crew with people is on duty at least once a week")

    def after_work(self, t: float, hours: float) -> float:
        """When ``hours`` of the crew's on-duty time after ``t`` have passed (a plan: counted as continuous)."""
        start = self.next_on_duty(t)
        if self.clock is None or self.clock.always_open:
            return start + hours
        while True:
            close = math.floor(start / HOURS_PER_DAY) * HOURS_PER_DAY + self.clock.end
            if start + hours <= close:
                return start + hours
            hours -= close - start
            start = self.clock.next_open(close)

    def after_work_many(self, t: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """:meth:`after_work` of many (time, hours) pairs at once: a crew on one shift."""
        clock = self.clock
        if clock is None:
            raise ValueError("after_work_many needs a crew on one shift")
        start = clock.next_open_many(t)
        if clock.always_open:
            return start + hours
        out = np.empty(len(t))
        todo = np.arange(len(t))
        while len(todo):
            close = np.floor(start / HOURS_PER_DAY) * HOURS_PER_DAY + clock.end
            fits = start + hours <= close
            out[todo[fits]] = (start + hours)[fits]
            todo, start, close, hours = todo[~fits], start[~fits], close[~fits], hours[~fits]
            hours = hours - (close - start)
            start = clock.next_open_many(close)
        return out

    def person_hours(self, day: int) -> float:
        """Person-hours on the roster on model day ``day``."""
        weekday = (self.start_weekday + day) % 7
        return float(sum(c.people * (c.end_hour - c.start_hour) for c in self.shifts if weekday in c.weekdays))
