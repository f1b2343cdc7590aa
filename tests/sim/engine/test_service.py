"""The service desk on a real SimPy clock: the AI answers at once, agents serve first come on their shift."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim.engine.aftersales.service import REASONS, ServiceDesk
from sim.engine.log import EventLog
from sim.engine.operations.staffing import Crew
from sim.scenario.definition import Scenario, Shift

NINE_TO_FIVE = Shift(start_hour=9, end_hour=17, weekdays=[0, 1, 2, 3, 4, 5, 6])


def desk(
    agents: int, ai_share: float, handle_minutes: float = 30.0, enabled: bool = True
) -> tuple[simpy.Environment, ServiceDesk]:
    env = simpy.Environment()
    service = Scenario().service.model_copy(
        update={
            "agents": agents,
            "ai_share": ai_share,
            "handle_minutes_mean": handle_minutes,
            "shift": NINE_TO_FIVE,
            "enabled": enabled,
        }
    )
    crew = Crew(env, agents, NINE_TO_FIVE, {}, start_weekday=0)
    return env, ServiceDesk(env, service, crew, np.random.default_rng(1), EventLog())


def test_the_ai_answers_every_ticket_at_its_response_time():
    env, d = desk(agents=1, ai_share=1.0)
    waits: list[float] = []
    d.open("wismo", order_id=3, customer_id=4, on_answer=waits.append)
    env.run(until=1.0)
    assert d.by_ai == [True] and waits == [d.ai_response_h] and d.answered == d.resolved == [d.ai_response_h]


def test_a_ticket_at_night_waits_for_the_shift():
    """Opened at 02:00 with no AI: the first response is at 09:00, a 7-hour wait."""
    env, d = desk(agents=1, ai_share=0.0)
    waits: list[float] = []
    env.process(_open_at(env, d, 2.0, waits))
    env.run(until=24.0)
    assert waits == [pytest.approx(7.0)] and d.answered == [pytest.approx(9.0)] and d.resolved[0] > 9.0
    kinds = [row[1] for row in sorted(d.log.rows, key=lambda row: row[0])]  # in time (rows may be written ahead)
    assert kinds == ["ticket_opened", "ticket_answered", "ticket_resolved"]


def test_one_agent_serves_first_come():
    """Three tickets at 10:00 for one agent: answered in order, each when the previous one is resolved."""
    env, d = desk(agents=1, ai_share=0.0)
    for _ in range(3):
        env.process(_open_at(env, d, 10.0, []))
    env.run(until=48.0)
    assert d.answered[0] == 10.0 and d.answered[1] == d.resolved[0] and d.answered[2] == d.resolved[1]


def test_a_desk_without_agents_is_answered_by_the_ai_and_a_disabled_desk_opens_nothing():
    env, d = desk(agents=0, ai_share=0.0)
    d.open("pre_sales")
    assert d.by_ai == [True]
    env, off = desk(agents=1, ai_share=0.0, enabled=False)
    off.open("defect")
    assert off.opened == []
    assert "pre_sales" in REASONS and len(REASONS) == 5


def _open_at(env: simpy.Environment, d: ServiceDesk, hour: float, waits: list[float]):
    yield env.timeout(hour)
    d.open("wismo", on_answer=waits.append)
