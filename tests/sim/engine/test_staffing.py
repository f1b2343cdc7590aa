"""Crews on the SimPy clock: first come, first served, shift hours, overtime and staffing plans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import simpy

import sim
from sim.engine.operations import staffing
from sim.engine.operations.staffing import Crew, as_one_shift
from sim.scenario.definition import CrewShift, Shift
from tests.conftest import SCENARIOS

WEEKDAYS = Shift(start_hour=8, end_hour=17, weekdays=[0, 1, 2, 3, 4])


def _serve(crew: Crew, env: simpy.Environment, jobs: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Submit (arrival hour, hours of work) jobs; return each job's (start, end) in submission order."""
    out: list[tuple[float, float] | None] = [None] * len(jobs)

    def submit(i: int, hours: float) -> None:
        crew.serve(hours, lambda started: out.__setitem__(i, (started, env.now)))

    for i, (at, hours) in enumerate(jobs):
        env.timeout(at).callbacks.append(lambda _e, i=i, hours=hours: submit(i, hours))
    env.run(until=24 * 14)
    return out


def test_night_orders_wait_for_the_opening_and_are_served_in_arrival_order():
    env = simpy.Environment()
    crew = Crew(env, 1, WEEKDAYS, {}, start_weekday=0)  # day 0 is a Monday
    done = _serve(crew, env, [(6.0, 1.0), (6.5, 1.0), (7.0, 0.5), (9.2, 0.25)])
    assert done == [(8.0, 9.0), (9.0, 10.0), (10.0, 10.5), (10.5, 10.75)]


def test_a_job_running_at_closing_finishes_and_the_queue_waits_for_monday():
    env = simpy.Environment()
    crew = Crew(env, 1, WEEKDAYS, {}, start_weekday=0)
    friday_4pm = 4 * 24 + 16.0
    done = _serve(crew, env, [(friday_4pm, 2.0), (friday_4pm + 0.5, 1.0)])
    monday_8am = 7 * 24 + 8.0
    assert done == [(friday_4pm, friday_4pm + 2.0), (monday_8am, monday_8am + 1.0)]


def test_two_people_serve_two_jobs_at_once():
    env = simpy.Environment()
    crew = Crew(env, 2, WEEKDAYS, {}, start_weekday=0)
    done = _serve(crew, env, [(9.0, 2.0), (9.0, 2.0), (9.0, 2.0)])
    assert done == [(9.0, 11.0), (9.0, 11.0), (11.0, 13.0)]


def test_a_staffing_plan_serves_with_the_people_on_duty():
    env = simpy.Environment()
    plan = {
        "early": CrewShift(people=1, start_hour=6, end_hour=14, weekdays=[0, 1, 2, 3, 4]),
        "late": CrewShift(people=2, start_hour=12, end_hour=20, weekdays=[0, 1, 2, 3, 4]),
    }
    crew = Crew(env, 0, WEEKDAYS, plan, start_weekday=0)
    # at 05:00 nobody works; from 06:00 one person, from 12:00 three
    done = _serve(crew, env, [(5.0, 3.0), (5.0, 3.0), (5.0, 3.0)])
    assert done == [(6.0, 9.0), (9.0, 12.0), (12.0, 15.0)]
    assert crew.person_hours(0) == 8 + 2 * 8


def _shift(start: float, end: float, people: int = 1, weekdays: list[int] | None = None) -> CrewShift:
    return CrewShift(start_hour=start, end_hour=end, people=people, weekdays=weekdays or list(range(7)))


def test_a_plan_whose_head_count_never_changes_at_work_is_one_shift():
    early_late = {"early": _shift(8, 14), "late": _shift(14, 20)}
    assert as_one_shift(early_late) == (1, Shift(start_hour=8, end_hour=20, weekdays=list(range(7))))
    two_each = {"a": _shift(6, 12, 2, [0, 1, 2]), "b": _shift(12, 22, 2, [0, 1, 2]), "off": _shift(0, 24, 0)}
    assert as_one_shift(two_each) == (2, Shift(start_hour=6, end_hour=22, weekdays=[0, 1, 2]))
    assert as_one_shift({"a": _shift(8, 14), "b": _shift(12, 20)}) is None, "an overlap: two at work 12-14"
    assert as_one_shift({"a": _shift(8, 12), "b": _shift(13, 20)}) is None, "a gap: nobody 12-13"
    assert as_one_shift({"a": _shift(8, 14), "b": _shift(14, 20, 2)}) is None, "one, then two"
    weekend = {"week": _shift(8, 16, 1, [0, 1, 2, 3, 4]), "weekend": _shift(10, 14, 1, [5, 6])}
    assert as_one_shift(weekend) is None, "other hours at the weekend"


def test_such_a_plan_served_as_one_shift_gives_the_same_run_as_the_simpy_roster(monkeypatch):
    """The growth store's agents (early 08-14 and late 14-20) through the exact queue and through the SimPy
    resource with its roster: the same orders, customers and reviews; ticket times equal to a nanosecond (a
    callback's time is a delay from another moment)."""
    scenario = sim.load_scenario(SCENARIOS / "growth.yaml")
    assert as_one_shift(scenario.service.crew) is not None
    one_shift = sim.simulate(scenario, seed=3, days=40)
    monkeypatch.setattr(staffing, "as_one_shift", lambda crew: None)
    roster = sim.simulate(scenario, seed=3, days=40)
    assert len(one_shift.tickets) > 500
    for name in ("orders", "customers", "reviews", "daily"):
        pd.testing.assert_frame_equal(getattr(one_shift, name), getattr(roster, name), check_exact=True, obj=name)
    a, b = one_shift.tickets, roster.tickets
    stamps = a.select_dtypes("datetime").columns
    pd.testing.assert_frame_equal(a.drop(columns=stamps), b.drop(columns=stamps), obj="tickets")
    for c in stamps:
        assert ((a[c] - b[c]).abs().fillna(pd.Timedelta(0)) <= pd.Timedelta(microseconds=1)).all(), c


def test_after_work_of_many_is_each_ones_after_work():
    env = simpy.Environment()
    crew = Crew(env, 2, Shift(start_hour=8, end_hour=16, weekdays=[0, 1, 2, 3, 4]), {}, start_weekday=2)
    rng = np.random.default_rng(8)
    t, hours = rng.uniform(0, 24 * 20, 400), rng.exponential(5.0, 400)  # many need several working days
    assert crew.after_work_many(t, hours).tolist() == [crew.after_work(a, h) for a, h in zip(t, hours, strict=True)]
