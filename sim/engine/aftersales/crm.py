"""CRM programmes day by day (stage 6): membership, campaigns on a schedule, and what they cost and earn.

* Membership: a first-time buyer joins at checkout with ``join_probability``
  and pays ``fee_per_year`` then and on every anniversary while still a
  customer; members pay the member price and visit and churn at their own
  rates (``sim.engine.aftersales.customers``).
* Campaigns: on each send day, ``audience_share`` of the audience (active
  customers, members, or churned customers for a win-back) is reached, at
  ``send_cost`` a message; each recipient responds with ``response_rate``
  and visits on the campaign's channel on one of the next
  ``response_days``, as an existing customer.  Responders to a win-back
  rejoin the active base.

Example: a birthday greeting is ``{every_days: 1, audience_share: 0.00274}``
(1/365 of the active base each day); a quarterly win-back is ``{every_days:
91, audience: churned}``.

All draws come from the ``crm`` stream.  Costs and income are rows of
``Result.programmes`` (date, programme, events, cost, revenue).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from sim.engine.aftersales.customers import CustomerBase
from sim.engine.clock import call_later
from sim.engine.sales.pricing import day_of
from sim.scenario.definition import Scenario

YEAR_H = 365 * 24.0


class Programmes:
    def __init__(
        self,
        s: Scenario,
        days: int,
        customers: CustomerBase,
        rng: np.random.Generator,
        env: simpy.Environment,
        close_due: Callable[[float], None] | None = None,
    ) -> None:
        self.days = days
        #: brings the customers up to date at a time (the model's closings due by then, ``StoreModel._close_due``)
        self.close_due = close_due
        self.customers = customers
        self.rng = rng
        self.env = env
        self.membership = s.crm.membership
        channels = list(s.traffic.channels)
        self.campaigns = [
            (name, c, day_of(c.start, s.time.start_date), channels.index(c.channel))
            for name, c in s.crm.campaigns.items()
        ]
        longest = max((c.response_days for _, c, _, _ in self.campaigns), default=1)
        self.pending = np.zeros((days + longest, len(channels)), dtype=np.int64)
        #: (day, programme, events, cost, revenue)
        self.rows: list[tuple[int, str, int, float, float]] = []

    def _record(self, now_h: float, programme: str, events: int, cost: float = 0.0, revenue: float = 0.0) -> None:
        day = int(now_h // 24)
        if day < self.days:
            self.rows.append((day, programme, events, cost, revenue))

    # --- membership -----------------------------------------------------------------------------
    def first_order(self, now: float, cid: int) -> None:
        """A new customer at checkout: offered the membership."""
        m = self.membership
        if m.offered and self.rng.random() < m.join_probability:
            self.customers.join(cid)
            self._record(now, "membership", 1, revenue=m.fee_per_year)
            if m.fee_per_year > 0:
                call_later(self.env, YEAR_H, self._renew, cid, now + YEAR_H)

    def _renew(self, cid: int, at: float) -> None:
        if self.close_due is not None:
            self.close_due(self.env.now)
        if not self.customers.churned[cid]:
            self._record(at, "membership_renewal", 1, revenue=self.membership.fee_per_year)
            call_later(self.env, YEAR_H, self._renew, cid, at + YEAR_H)

    # --- campaigns ------------------------------------------------------------------------------
    def _audience(self, who: str) -> int:
        c = self.customers
        return {"active": c.active, "churned": c.churned_count, "members": c.active_members()}[who]

    def start_day(self, day: int, season: np.ndarray) -> np.ndarray | None:
        """Send today's campaigns; return today's campaign sessions as [hour, channel] (None when there are none)."""
        for name, c, first, ch in self.campaigns:
            if day < first or (day != first and (c.every_days == 0 or (day - first) % c.every_days)):
                continue
            reached = int(self.rng.binomial(self._audience(c.audience), c.audience_share))
            responders = int(self.rng.binomial(reached, c.response_rate))
            if c.audience == "churned":
                responders = self.customers.win_back(responders)
            self.pending[day : day + c.response_days, ch] += self.rng.multinomial(
                responders, np.full(c.response_days, 1.0 / c.response_days)
            )
            self._record(day * 24.0, f"campaign:{name}", reached, cost=reached * c.send_cost)
        today = self.pending[day]
        if not today.any():
            return None
        return self.rng.multinomial(today, season / season.sum()).T
