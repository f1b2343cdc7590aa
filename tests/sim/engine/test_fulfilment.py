"""Fulfilment: the layout's pick time, picks on one shift and under a plan, carriers' transit and disruptions."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import simpy

import sim
from sim.engine.operations.fulfilment import Carriers, Picking, lognormal_params, pick_minutes
from sim.engine.operations.staffing import Crew
from sim.engine.rng import Streams
from sim.engine.shocks import Shocks
from sim.scenario.definition import CrewShift, Shift, Warehouse
from tests.sim.levers.test_common import assert_inside

WEEKDAYS = Shift(start_hour=8, end_hour=16, weekdays=[0, 1, 2, 3, 4])


def test_a_shorter_path_cuts_only_the_walking():
    """Half the time is walking; a path 0.7 as long cuts the mean by 0.5 x 0.3 = 15%."""
    wh = Warehouse(pick_minutes_mean=6.0, travel_share=0.5, path_length_factor=0.7)
    assert pick_minutes(wh) == pytest.approx(6.0 * 0.85)
    assert pick_minutes(Warehouse(pick_minutes_mean=6.0, travel_share=0.0, path_length_factor=0.7)) == 6.0


@pytest.mark.parametrize(("mean", "cv"), [(0.1, 0.5), (2.0, 1.5), (1.0, 0.0)])
def test_lognormal_parameters_give_back_the_mean_and_cv(mean, cv):
    """Theory: a lognormal(mu, sigma) has mean exp(mu + sigma^2 / 2) and cv sqrt(exp(sigma^2) - 1)."""
    mu, sigma = lognormal_params(mean, cv)
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(mean, rel=1e-12)
    assert math.sqrt(math.expm1(sigma**2)) == pytest.approx(cv, rel=1e-12, abs=1e-12)


def _picking(env: simpy.Environment, crew: Crew) -> Picking:
    return Picking(env, Warehouse(), crew, np.random.default_rng(1))


def test_on_one_shift_a_pick_is_known_when_the_order_joins_the_queue():
    """An order placed Monday 06:00 is picked 08:00-09:00; the next one queues behind it, and the estimate
    of an order placed meanwhile counts the queue ahead of it."""
    env = simpy.Environment()
    picking = _picking(env, Crew(env, 1, WEEKDAYS, {}, start_weekday=0))
    done: list[tuple[float, float]] = []
    env.run(until=6.0)
    picking.pick(1.0, lambda started, finished: done.append((started, finished)))
    picking.pick(0.5, lambda started, finished: done.append((started, finished)))
    assert done == [(8.0, 9.0), (9.0, 9.5)]  # at once, at 06:00, with times in the future
    assert picking.crew.waiting(env.now) == 2
    assert picking.ready_estimate(6.0, picking.crew.waiting(env.now)) == pytest.approx(8.0 + 3 * picking.mean_hours)
    env.run(until=8.5)
    assert picking.crew.waiting(env.now) == 1


def test_under_a_staffing_plan_a_pick_reports_when_it_ends():
    env = simpy.Environment()
    plan = {  # a helper in the afternoon: the head count changes, so this stays a plan (not one shift)
        "day": CrewShift(people=1, start_hour=8, end_hour=16, weekdays=[0, 1, 2, 3, 4]),
        "help": CrewShift(people=1, start_hour=12, end_hour=16, weekdays=[0, 1, 2, 3, 4]),
    }
    picking = _picking(env, Crew(env, 0, WEEKDAYS, plan, start_weekday=0))
    done: list[tuple[float, float, float]] = []
    env.run(until=6.0)
    picking.pick(1.0, lambda started, finished: done.append((started, finished, env.now)))
    assert done == []
    env.run(until=24.0)
    assert done == [(8.0, 9.0, 9.0)]


def test_collection_is_the_next_pickup_at_or_after_a_time():
    env = simpy.Environment()
    picking = _picking(env, Crew(env, 1, WEEKDAYS, {}, start_weekday=0))
    hour = Warehouse().carrier_pickup_hour
    assert picking.next_collection(hour) == hour
    assert picking.next_collection(hour + 0.01) == 24 + hour


def _carriers(scenario: sim.Scenario) -> Carriers:
    return Carriers(scenario.delivery, np.random.default_rng(2), Shocks(scenario, 60))


def _transit(c: Carriers, option: int, collected: float, extra: float, lead: float, u: float, delay: float) -> float:
    """``Carriers.transit_hours`` of one parcel."""
    args = (np.array([option]), *(np.array([x]) for x in (collected, extra, lead, u, delay)))
    return float(c.transit_hours(*args)[0])


def test_transit_is_the_lead_time_plus_a_market_and_an_incident_delay(baseline):
    c = _carriers(baseline)
    for option in range(len(c.names)):
        plain = _transit(c, option, 100.0, 24.0, 1.3, 1.0, 2.0)  # u = 1: never an incident
        assert plain == pytest.approx(c.mean_h[option] * 1.3 + 24.0)
        hit = _transit(c, option, 100.0, 24.0, 1.3, 0.0, 2.0)  # u = 0: an incident if it can happen
        assert hit in (pytest.approx(plain), pytest.approx(plain + c.late_mean_h[option] * 2.0))


def test_a_carrier_disruption_stretches_parcels_collected_inside_it(baseline):
    start = baseline.time.start_date
    strike = {"start": str(start + dt.timedelta(days=10)), "days": 5, "lead_time_multiplier": 2.0}
    c = _carriers(baseline.with_overrides({"risk.carrier_disruptions": {"strike": strike}}))
    before, inside, after = 5 * 24.0, 12 * 24.0, 20 * 24.0
    plain = [_transit(c, 0, t, 0.0, 1.0, 1.0, 0.0) for t in (before, inside, after)]
    assert plain == pytest.approx([c.mean_h[0], 2.0 * c.mean_h[0], c.mean_h[0]])
    many = c.transit_hours(
        np.zeros(3, dtype=int), np.array([before, inside, after]), *np.zeros((1, 3)), *np.ones((2, 3)), np.zeros(3)
    )
    assert many.tolist() == plain, "many parcels at once: the same hours as one by one"
    assert [c.transit_hour(0, t, 0.0, 1.0, 1.0, 0.0) for t in (before, inside, after)] == plain


@pytest.mark.parametrize("disrupted", [False, True])
def test_one_parcels_transit_is_the_same_float_as_many_parcels(baseline, disrupted):
    """``transit_hour`` (plain floats) gives each parcel exactly what ``transit_hours`` gives it among many."""
    start = baseline.time.start_date
    strike = {"start": str(start + dt.timedelta(days=3)), "days": 4, "lead_time_multiplier": 1.7}
    c = _carriers(baseline.with_overrides({"risk.carrier_disruptions": {"strike": strike}}) if disrupted else baseline)
    rng = np.random.default_rng(11)
    n = 400
    options = rng.integers(0, len(c.names), n)
    collected, extra = rng.uniform(0, 24 * 10, n), rng.choice([0.0, 48.0], n)
    lead, u, delay = rng.gamma(4.0, 0.25, n), rng.random(n), rng.exponential(1.0, n)
    many = c.transit_hours(options, collected, extra, lead, u, delay)
    columns = (a.tolist() for a in (options, collected, extra, lead, u, delay))
    one = [c.transit_hour(*args) for args in zip(*columns, strict=True)]
    assert one == many.tolist() and (u < c.late_p[options]).any()


def test_collections_of_many_times_are_each_times_next_collection():
    env = simpy.Environment()
    picking = _picking(env, Crew(env, 1, WEEKDAYS, {}, start_weekday=0))
    times = np.random.default_rng(3).uniform(0, 24 * 30, 500)
    assert picking.next_collections(times).tolist() == [picking.next_collection(t) for t in times.tolist()]


def test_draws_are_one_per_order_and_lead_times_have_mean_one(baseline):
    """Theory: the lead multiple is gamma with mean 1. A 99.9% interval over 20,000 parcels: a correct
    model fails at most 1 in 1,000 times."""
    c = Carriers(baseline.delivery, Streams.from_seed(np.random.SeedSequence(5)).carriers, Shocks(baseline, 10))
    lead, u, delay = c.draw(np.zeros(20_000, dtype=int))
    assert len(lead) == len(u) == len(delay) == 20_000
    assert_inside(lead, 1.0, "lead multiple", 0.05)


def test_an_option_with_a_fixed_lead_time_arrives_in_exactly_its_mean_and_the_others_spread(baseline):
    """Express at cv 0 gets a lead multiple of exactly 1 for every parcel; standard and pickup keep a gamma
    spread (every draw distinct); one multiple and two uniforms per parcel either way."""
    fixed = baseline.with_overrides({"delivery.options.express.lead_time_days_cv": 0.0})
    options = np.tile([0, 1, 2], 400)
    lead, u, delay = Carriers(fixed.delivery, np.random.default_rng(8), Shocks(fixed, 10)).draw(options)
    express = options == 1
    assert len(lead) == len(u) == len(delay) == len(options)
    assert (lead[express] == 1.0).all() and len(np.unique(lead[~express])) == (~express).sum()
