"""Crews: the pickers and agents who serve the queues, the hours they work and what those hours cost.

A crew is either one shift with a head count (``pickers`` + ``shift``,
``agents`` + ``shift``: the same people every working day) or a staffing
plan, ``crew``: named shifts, each with its own people, hours and weekdays,
e.g. two agents 07-15 and three 12-20 on weekdays, one at weekends.

One shift works as the core model always did: a job that arrives while the
shift is closed waits for the opening (``ShiftClock``).  A plan varies the
head count through the week: the SimPy resource has as many slots as the
busiest hour needs, and at every change of the roster "off duty" requests of
higher priority take the slots of the people who leave (each finishes the job
in hand first) and give them back when people arrive.

Labour cost is person-hours on the roster times ``hourly_cost``: a capacity
decision is priced whether or not the people were busy.
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.clock import HOURS_PER_DAY, ShiftClock
from sim.scenario import CrewShift, Shift

WEEK = 7 * HOURS_PER_DAY
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
        return sum(c.people for c in crew.values()
                   if (start_weekday + day) % 7 in c.weekdays and c.start_hour <= hod < c.end_hour)

    return times, np.array([on_duty(t) for t in times])


class Crew:
    """Serve jobs with ``seize`` (a generator: waits for a person on duty) and ``release``."""

    def __init__(self, env: simpy.Environment, people: int, shift: Shift, crew: dict[str, CrewShift],
                 start_weekday: int) -> None:
        self.env = env
        self.start_weekday = start_weekday
        self.shifts = list(crew.values()) if crew else [CrewShift(people=people, start_hour=shift.start_hour,
                                                                 end_hour=shift.end_hour, weekdays=shift.weekdays)]
        #: nobody ever works (a desk answered by the AI assistant alone)
        self.empty = sum(c.people for c in self.shifts) == 0
        if crew:
            self.clock = None
            self.times, self.counts = roster(crew, start_weekday)
            self.size = max(int(self.counts.max()), 1)
            self.resource = simpy.PriorityResource(env, capacity=self.size)
            self._off: list[simpy.resources.base.Put] = []
            env.process(self._roster())
        else:
            self.clock = ShiftClock(shift, start_weekday)
            self.size = people
            self.resource = simpy.Resource(env, capacity=max(people, 1))

    def seize(self):
        """Process step: wait until someone is on duty and free; returns the request to release."""
        env = self.env
        if self.clock is None:
            req = self.resource.request(priority=WORK)
            yield req
            return req
        wait = self.clock.delay_until_open(env.now)
        if wait:
            yield env.timeout(wait)
        req = self.resource.request()
        yield req
        wait = self.clock.delay_until_open(env.now)
        if wait:  # queued past closing: first in line at the next opening
            yield env.timeout(wait)
        return req

    def release(self, req) -> None:
        self.resource.release(req)

    def _roster(self):
        """Process: keep ``size - on duty`` slots taken by off-duty requests, week after week."""
        env, week = self.env, 0
        while True:
            for t, n in zip(self.times, self.counts):
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
                self.resource.release(req)
            else:
                req.cancel()

    def person_hours(self, day: int) -> float:
        """Person-hours on the roster on model day ``day``."""
        weekday = (self.start_weekday + day) % 7
        return float(sum(c.people * (c.end_hour - c.start_hour) for c in self.shifts if weekday in c.weekdays))

