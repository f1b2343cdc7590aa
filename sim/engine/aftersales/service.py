"""The after-sales service desk: tickets, the AI assistant and agents on shifts.

A ticket opens for a reason (where-is-my-order, wrong item, defect, return
request, pre-sales question).  The AI assistant answers a share of them at
once; the rest queue first-come for an agent (a ``sim.engine.operations.staffing.Crew``: one
shift, or a staffing plan of several).  A ticket that arrives when nobody is
on duty waits for the next shift.  The first response is the moment an agent
(or the assistant) takes the ticket; the SLA is measured on it.  FAQ work
removes questions before they become tickets (``sim.engine.model`` thins the
pre-sales and where-is-my-order streams by ``faq_*_deflection``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from sim.engine.clock import call_later
from sim.engine.log import EventLog
from sim.engine.operations.staffing import Crew
from sim.scenario.definition import Service

#: Called with the hours a ticket waited for its first response.
OnAnswer = Callable[[float], None]

REASONS = ("wismo", "wrong_item", "defect", "return_request", "pre_sales")


class ServiceDesk:
    def __init__(
        self, env: simpy.Environment, service: Service, crew: Crew, rng: np.random.Generator, log: EventLog
    ) -> None:
        self.env = env
        self.crew = crew
        self.no_agents = crew.empty
        self.rng = rng
        self.log = log
        self.handle_mean_h = service.handle_minutes_mean / 60.0
        self.ai_response_h = service.ai_response_minutes / 60.0
        self.sla_h = service.sla_hours
        # read once per ticket: plain attributes, not the scenario's
        self.enabled, self.ai_share = service.enabled, service.ai_share
        # columns of the tickets table
        self.order_id: list[int] = []
        self.customer_id: list[int] = []
        self.reason: list[str] = []
        self.opened: list[float] = []
        self.answered: list[float] = []
        self.resolved: list[float] = []
        self.by_ai: list[bool] = []

    def open(self, reason: str, order_id: int = -1, customer_id: int = -1, on_answer: OnAnswer | None = None) -> None:
        """Open a ticket now.  ``on_answer(hours_waited)`` is called at the first response."""
        if not self.enabled:
            return
        tid = len(self.opened)
        now, log = self.env.now, self.log
        self.order_id.append(order_id)
        self.customer_id.append(customer_id)
        self.reason.append(reason)
        self.opened.append(now)
        log.add(now, "ticket_opened", order_id, customer_id, "", tid)
        if self.no_agents or self.rng.random() < self.ai_share:
            ai_h = self.ai_response_h
            done = now + ai_h
            self.answered.append(done)
            self.resolved.append(done)
            self.by_ai.append(True)
            log.add(done, "ticket_answered", order_id, customer_id, "", ai_h)
            log.add(done, "ticket_resolved", order_id, customer_id, "", tid)
            if on_answer is not None:
                on_answer(ai_h)
            return
        self.answered.append(math.nan)
        self.resolved.append(math.nan)
        self.by_ai.append(False)
        hours = self.rng.exponential(self.handle_mean_h)
        started = self.crew.book(hours)
        if started is None:  # a staffing plan: the answer and the end when they come
            self.crew.serve(
                hours, lambda _started: self._resolve(tid, self.env.now), lambda: self._answer(tid, on_answer)
            )
        else:  # one shift: both known now; only an answer that may settle an order waits for its moment
            if on_answer is None:  # a pre-sales question: written now, at the time the event would have
                self._answered(tid, now + (started - now))
            else:
                call_later(self.env, started - now, self._answer, tid, on_answer)
            self._resolve(tid, started + hours)

    def _answer(self, tid: int, on_answer: OnAnswer | None) -> None:
        """An agent takes the ticket now: the first response."""
        waited = self._answered(tid, self.env.now)
        if on_answer is not None:
            on_answer(waited)

    def _answered(self, tid: int, at: float) -> float:
        """Record the first response at ``at``; return the hours the ticket waited for it."""
        waited = at - self.opened[tid]
        self.answered[tid] = at
        self.log.add(at, "ticket_answered", self.order_id[tid], self.customer_id[tid], "", waited)
        return waited

    def _resolve(self, tid: int, at: float) -> None:
        """The ticket is resolved at ``at``: when its agent is done with it."""
        self.resolved[tid] = at
        self.log.add(at, "ticket_resolved", self.order_id[tid], self.customer_id[tid], "", tid)
