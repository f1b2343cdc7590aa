"""Stage 10 (and 7) levers: staffing plans as data - agents and pickers per shift - with their cost.

Theory compared with: a round-the-clock plan of c agents is an M/M/c queue,
so its mean wait matches Erlang C, Wq = C(c, a) / (c mu - lambda)
(``playbook.analysis.staffing.mean_wait``); labour cost = sum of people x shift hours
x hourly cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from playbook.analysis.staffing import mean_wait
from tests.sim.engine.test_queueing import desk_scenario
from tests.sim.levers.test_common import assert_directions, assert_inside, assert_rejected, kpi, measure

WEEK = [0, 1, 2, 3, 4, 5, 6]


def test_labour_cost_is_people_times_hours_times_cost(baseline):
    plan = baseline.with_overrides(
        {
            "warehouse.crew": {
                "day": {"people": 2, "start_hour": 8, "end_hour": 16, "weekdays": [0, 1, 2, 3, 4]},
                "saturday": {"people": 1, "start_hour": 9, "end_hour": 17, "weekdays": [5]},
            },
            "warehouse.hourly_cost": 20.0,
        }
    )
    r = sim.simulate(plan, seed=1, days=14)
    pickers = r.labour[r.labour["team"] == "pickers"]
    assert pickers["person_hours"].sum() == 2 * (2 * 8 * 5 + 1 * 8)
    assert r.measures()["labour_cost"] == pytest.approx(
        pickers["cost"].sum() + r.labour.query("team == 'agents'")["cost"].sum()
    )
    assert pickers["cost"].sum() == pytest.approx(20.0 * 2 * 88)


def test_a_round_the_clock_plan_matches_erlang_c():
    scenario, lam = desk_scenario(2, handle_minutes=12.0, tickets_per_hour=8.0)
    plan = scenario.with_overrides(
        {"service.crew": {"all": {"people": 2, "start_hour": 0, "end_hour": 24, "weekdays": WEEK}}, "service.agents": 1}
    )
    # Chance of failing on a correct model: 1 in 1,000 (a 99.9% interval over 10 replications,
    # assert_inside), and the interval must be narrower than the theoretical wait itself.
    waits = []
    for seed in np.random.SeedSequence(31).spawn(10):
        t = sim.simulate(plan, seed=seed, days=20).tickets
        opened = (t["opened_at"] - t["opened_at"].min()).dt.total_seconds() / 3600
        waits.append(float(((t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 3600)[opened > 48].mean()))
    theory = mean_wait(lam, 5.0, 2)
    assert_inside(waits, theory, "Erlang C mean wait", max_width=theory)


def test_nobody_answers_before_the_first_shift(baseline):
    plan = baseline.with_overrides(
        {
            **{"service.ai_share": 0.0, "service.pre_sales_per_1000_views": 20.0},
            "service.crew": {"day": {"people": 1, "start_hour": 9, "end_hour": 17, "weekdays": WEEK}},
        }
    )
    t = sim.simulate(plan, seed=4, days=10).tickets
    hour = t["first_response_at"].dt.hour + t["first_response_at"].dt.minute / 60
    started = t["first_response_at"] > t["opened_at"]
    # every wait that ends does so while someone is on duty (or finishing the job in hand just after 17:00)
    assert ((hour >= 9) & (hour < 17.5))[started].all()
    night = t["opened_at"].dt.hour < 8
    assert (t.loc[night, "first_response_at"].dt.hour >= 9).all()


def test_a_late_shift_cuts_waits_and_costs_money(baseline):
    busy = baseline.with_overrides(
        {
            "service.pre_sales_per_1000_views": 40.0,
            "service.handle_minutes_mean": 45.0,
            "service.crew": {"day": {"people": 1, "start_hour": 9, "end_hour": 18, "weekdays": [0, 1, 2, 3, 4, 5]}},
        }
    )
    late = busy.with_overrides({"service.crew.late": {"people": 2, "start_hour": 14, "end_hour": 22, "weekdays": WEEK}})
    assert_directions(
        busy,
        late,
        {"first response": (kpi("first_response_mean_hours"), -1), "labour cost": (measure("labour_cost"), +1)},
        days=30,
        n=6,  # first response: t ~8 at 4 pairs (false failure 1.5e-3), ~10 at 6 (< 1e-5)
    )


def test_more_pickers_on_the_plan_ship_faster_at_a_price(baseline):
    slow = baseline.with_overrides(
        {
            "warehouse.pick_minutes_mean": 45.0,
            "warehouse.crew": {"day": {"people": 1, "start_hour": 8, "end_hour": 17, "weekdays": [0, 1, 2, 3, 4, 5]}},
        }
    )
    more = slow.with_overrides({"warehouse.crew.day.people": 3})
    assert_directions(
        slow,
        more,
        {"fulfilment hours": (kpi("mean_fulfilment_hours"), -1), "labour cost": (measure("labour_cost"), +1)},
        days=30,
        n=10,  # fulfilment hours: t ~5.7 at 4 pairs (false failure 5%), ~9 at 10 (< 1e-5)
    )


@pytest.mark.parametrize(
    "override, path",
    [
        ({"service.crew": {"x": {"people": -1}}}, "service.crew.x.people"),
        ({"warehouse.crew": {"x": {"people": 0}}}, "warehouse.crew"),
        ({"service.crew": {"x": {"start_hour": 20, "end_hour": 8}}}, "service.crew.x"),
        ({"service.hourly_cost": -3.0}, "service.hourly_cost"),
    ],
)
def test_bad_staffing_values_name_their_path(baseline, override, path):
    assert_rejected(baseline, override, path)


def test_the_labour_table_has_one_row_per_day_and_team(baseline_run):
    t = baseline_run.labour
    assert len(t) == 2 * baseline_run.days and set(t["team"]) == {"pickers", "agents"}
    assert pd.api.types.is_datetime64_any_dtype(t["date"])
