"""The service desk on a real SimPy clock: the AI answers at once, agents serve first come on their shift."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import simpy

from sim.engine.aftersales.service import REASONS, ServiceDesk
from sim.engine.log import EventLog
from sim.engine.operations.staffing import Crew
from sim.scenario.definition import Scenario, Shift

NINE_TO_FIVE = Shift(start_hour=9, end_hour=17, weekdays=[0, 1, 2, 3, 4, 5, 6])
#: a time after every test's end (``Agenda.take_due`` of it takes everything)
END = 1e9


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


def _noted(at: float, waited: float) -> None:
    """An order's answer callback that does nothing: the tests read ``ServiceDesk.answers``."""


def test_the_ai_answers_every_ticket_at_its_response_time():
    """The order hears at the opening (the answer's callback is due then); the reply is logged ai_h later."""
    env, d = desk(agents=1, ai_share=1.0)
    d.open("wismo", order_id=3, customer_id=4, on_answer=_noted)
    env.run(until=1.0)
    assert d.answers.take_due(END) == [(0.0, _noted, d.ai_response_h)]
    assert d.by_ai == [True] and d.answered == d.resolved == [d.ai_response_h]


def test_a_ticket_at_night_waits_for_the_shift():
    """Opened at 02:00 with no AI: the first response is at 09:00, a 7-hour wait."""
    env, d = desk(agents=1, ai_share=0.0)
    env.process(_open_at(env, d, 2.0))
    env.run(until=24.0)
    [(at, _, waited)] = d.answers.take_due(END)
    assert at == pytest.approx(9.0) and waited == pytest.approx(7.0)
    assert d.answered == [at] and d.resolved[0] > 9.0
    log = EventLog()
    log.derive(d)  # the desk's rows, as the model's log makes them from its columns
    events = log.frame(dt.date(2026, 1, 5), np.array([], dtype=object))
    assert list(events["kind"]) == ["ticket_opened", "ticket_answered", "ticket_resolved"]
    assert list(events["time_h"]) == [2.0, at, d.resolved[0]] and list(events["value"]) == [0.0, waited, 0.0]


def test_tickets_opened_later_without_events_are_those_of_events_at_their_times():
    """Tickets scheduled out of time order (a parcel's promise passing on Tuesday is known before a question
    asked on Monday) join the queue in time order: ids, answers and ends are those of an event per opening.

    The same desk with ``books_ahead`` off opens each ticket by an event at its moment and serves it
    with the crew's callbacks; both draw from equal generators."""
    schedule = [(0.0, 30.0), (0.0, 10.5), (3.0, 8.0), (3.0, 33.0), (9.5, 0.1), (12.0, 0.0), (12.0, 20.0)]
    answers = []
    tables = []
    for ahead in (True, False):
        env, d = desk(agents=1, ai_share=0.3, handle_minutes=90.0)
        d.books_ahead = ahead

        def scheduler(d: ServiceDesk = d, env: simpy.Environment = env):
            for n, (when, delay) in enumerate(schedule):
                yield env.timeout(when - env.now)
                d.open_later(delay, "wismo", order_id=n, on_answer=_noted)

        env.process(scheduler())
        env.run(until=200.0)
        d.open_due(env.now)
        answers.append(d.answers.take_due(END))
        tables.append((d.order_id, d.opened, d.answered, d.resolved, d.by_ai))
        assert d.row_count() == len(d.row_block()) == 3 * len(schedule), "each ticket opened, answered, resolved"
    assert tables[0] == tables[1] and answers[0] == answers[1]
    by_time = sorted(range(len(schedule)), key=lambda n: sum(schedule[n]))
    assert tables[0][0] == by_time == [4, 1, 2, 5, 0, 6, 3], "ids in the order of the openings' times"
    assert len(answers[0]) == len(schedule)


def test_one_agent_serves_first_come():
    """Three tickets at 10:00 for one agent: answered in order, each when the previous one is resolved."""
    env, d = desk(agents=1, ai_share=0.0)
    for _ in range(3):
        env.process(_open_at(env, d, 10.0))
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


def _open_at(env: simpy.Environment, d: ServiceDesk, hour: float):
    yield env.timeout(hour)
    d.open("wismo", on_answer=_noted)
