"""The after-sales service desk: tickets, the AI assistant and agents on shifts.

A ticket opens for a reason (where-is-my-order, wrong item, defect, return
request, pre-sales question).  The AI assistant answers a share of them at
once; the rest queue first-come for an agent (a ``sim.engine.operations.staffing.Crew``: one
shift, or a staffing plan of several).  A ticket that arrives when nobody is
on duty waits for the next shift.  The first response is the moment an agent
(or the assistant) takes the ticket; the SLA is measured on it.  FAQ work
removes questions before they become tickets (``sim.engine.model`` thins the
pre-sales and where-is-my-order streams by ``faq_*_deflection``).

On one shift the queue is known exactly as each ticket joins it (``Crew.book``),
so a ticket needs no event: tickets due to open later (a parcel's promise
passing at 14:00 Tuesday) wait in a time-ordered agenda and join the queue, in
that order, when the model next asks (:meth:`ServiceDesk.open_due`).  A first
response about an order goes into :attr:`ServiceDesk.answers`, which the model
applies in time order with its closings (a slow answer spoils the order's review).
A staffing plan's queue changes with the roster, so there every opening and
answer is an event at its moment.

The desk's columns are the tickets table, and the event log's ticket rows
(opened, answered, resolved) are made from them when it is read (a
``sim.engine.log.RowSource``): tens of thousands a growth year, without a call
and a tuple each.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from sim.engine.clock import Agenda, call_later
from sim.engine.log import EventLog, pack
from sim.engine.operations.staffing import Crew
from sim.scenario.definition import Service

#: What to do when a ticket about an order is first answered: called (by whoever applies
#: :attr:`ServiceDesk.answers`) with the time of the answer and the hours the ticket waited for it.
OnAnswer = Callable[[float, float], None]

REASONS = ("wismo", "wrong_item", "defect", "return_request", "pre_sales")


class ServiceDesk:
    """Tickets opened now (:meth:`open`) or later (:meth:`open_later`), and their first responses.

    ``on_due(now)`` (a staffing plan only) is called when an answer arrives at
    its moment, so that the owner of :attr:`answers` applies it then.
    """

    def __init__(
        self,
        env: simpy.Environment,
        service: Service,
        crew: Crew,
        rng: np.random.Generator,
        log: EventLog,
        on_due: Callable[[float], None] | None = None,
    ) -> None:
        self.env = env
        self.crew = crew
        self.no_agents = crew.empty
        self.rng = rng
        self.handle_mean_h = service.handle_minutes_mean / 60.0
        self.ai_response_h = service.ai_response_minutes / 60.0
        self.sla_h = service.sla_hours
        # read once per ticket: plain attributes, not the scenario's
        self.enabled, self.ai_share = service.enabled, service.ai_share
        #: one shift (or the AI alone): a ticket's answer is known as it opens, so no ticket needs an event
        self.books_ahead = crew.servers is not None or self.no_agents
        self.on_due = on_due
        #: tickets due to open, ``(time, reason, order id, customer id, on_answer)``, by time (one shift)
        self.openings = Agenda()
        #: first responses of tickets about orders, ``(time, on_answer, hours waited)``, by time: the owner of
        #: the orders applies them in time order, with the other things due then
        self.answers = Agenda()
        # columns of the tickets table
        self.order_id: list[int] = []
        self.customer_id: list[int] = []
        self.reason: list[str] = []
        self.opened: list[float] = []
        self.answered: list[float] = []
        self.resolved: list[float] = []
        self.by_ai: list[bool] = []
        log.derive(self)

    def open(self, reason: str, order_id: int = -1, customer_id: int = -1, on_answer: OnAnswer | None = None) -> None:
        """Open a ticket now (after those due to open by now)."""
        if not self.enabled:
            return
        now = self.env.now
        if self.books_ahead and self.openings.first <= now:
            self.open_due(now)
        self._open(now, reason, order_id, customer_id, on_answer)

    def open_later(
        self, delay: float, reason: str, order_id: int = -1, customer_id: int = -1, on_answer: OnAnswer | None = None
    ) -> None:
        """Open a ticket ``delay`` hours from now: on one shift an entry of :attr:`openings`, at the time a
        timeout of that delay would fire at (SimPy's ``now + delay``, to the last bit); on a plan an event."""
        if not self.enabled:
            return
        if self.books_ahead:
            self.openings.push((self.env.now + delay, reason, order_id, customer_id, on_answer))
        else:
            call_later(self.env, delay, self.open, reason, order_id, customer_id, on_answer)

    def open_due(self, now: float) -> None:
        """Open the tickets due by ``now``, in time order (at equal times, as scheduled): each joins the
        agents' queue at its own time, as its event would have.

        A ticket draws its AI share and handling time here, so the owner calls this before it applies the
        answers due by ``now`` and before the desk's stream moves on to the next day (``Streams.start_day``).
        """
        for at, reason, order_id, customer_id, on_answer in self.openings.take_due(now):
            self._open(at, reason, order_id, customer_id, on_answer)

    def _open(self, at: float, reason: str, order_id: int, customer_id: int, on_answer: OnAnswer | None) -> None:
        """Open a ticket at ``at`` (now, or an opening taken from :attr:`openings`)."""
        tid = len(self.opened)
        self.order_id.append(order_id)
        self.customer_id.append(customer_id)
        self.reason.append(reason)
        self.opened.append(at)
        if self.no_agents or self.rng.random() < self.ai_share:
            ai_h = self.ai_response_h
            done = at + ai_h
            self.answered.append(done)
            self.resolved.append(done)
            self.by_ai.append(True)
            if on_answer is not None:  # the order hears at once (the reply reaches the buyer ai_h later)
                self._reply(at, on_answer, ai_h)
            return
        self.answered.append(math.nan)
        self.resolved.append(math.nan)
        self.by_ai.append(False)
        hours = self.rng.exponential(self.handle_mean_h)
        if not self.books_ahead:  # a staffing plan: the answer and the end when they come
            self.crew.serve(
                hours, lambda _started: self._resolve(tid, self.env.now), lambda: self._answer(tid, on_answer)
            )
            return
        started = self.crew.book(hours, at)
        assert started is not None, "a desk that books ahead has one shift"
        answered = at + (started - at)  # the time an event of that delay would fire at, to the last bit
        waited = self._answered(tid, answered)
        if on_answer is not None:
            self._reply(answered, on_answer, waited)
        self._resolve(tid, started + hours)

    def _answer(self, tid: int, on_answer: OnAnswer | None) -> None:
        """An agent of a staffing plan takes the ticket now: the first response."""
        waited = self._answered(tid, self.env.now)
        if on_answer is not None:
            self._reply(self.env.now, on_answer, waited)

    def _reply(self, at: float, on_answer: OnAnswer, waited: float) -> None:
        """A first response about an order at ``at``: into :attr:`answers`; on a plan, applied now."""
        self.answers.push((at, on_answer, waited))
        if not self.books_ahead and self.on_due is not None:
            self.on_due(at)

    def _answered(self, tid: int, at: float) -> float:
        """Record the first response at ``at``; return the hours the ticket waited for it."""
        self.answered[tid] = at
        return at - self.opened[tid]

    def _resolve(self, tid: int, at: float) -> None:
        """The ticket is resolved at ``at``: when its agent is done with it."""
        self.resolved[tid] = at

    def row_count(self) -> int:
        """The log's ticket rows so far: an opening each, and each answer and end recorded."""
        answered, resolved = np.asarray(self.answered), np.asarray(self.resolved)
        return len(self.opened) + int((~np.isnan(answered)).sum() + (~np.isnan(resolved)).sum())

    def row_block(self) -> np.ndarray:
        """The log's ticket rows: each ticket's opening (value: its id), first response (the hours it waited;
        the AI's response time for the AI's) and end (its id), those recorded so far, ticket by ticket."""
        opened, answered, resolved = (np.asarray(c, dtype=float) for c in (self.opened, self.answered, self.resolved))
        tid = np.arange(len(opened))
        order_id, customer_id = np.asarray(self.order_id, dtype=np.int64), np.asarray(self.customer_id, dtype=np.int64)
        waited = np.where(self.by_ai, self.ai_response_h, answered - opened)
        parts = [
            (opened, "ticket_opened", tid),
            (answered, "ticket_answered", waited),
            (resolved, "ticket_resolved", tid),
        ]
        blocks = []
        for times, kind, values in parts:
            known = ~np.isnan(times)
            blocks.append(pack(times[known], kind, order_id[known], customer_id[known], -1, values[known]))
        return np.concatenate(blocks)
