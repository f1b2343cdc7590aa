"""The naive way to write the same store: one SimPy process per session.

Every visitor is a process that arrives after an exponential gap, walks the
funnel with one Bernoulli draw per step and, if it buys, starts the same
order process as the real model.  Arrival rates, funnel probabilities and the
order life cycle are the model's own (``sim.demand.Demand``'s arrays and
``StoreModel._order``), so the two must agree on every KPI within their
confidence intervals; only the cost differs.  Used by ``bench_sim.py`` as the
baseline the bulk funnel is measured against; not part of the package.
"""

from __future__ import annotations

import numpy as np

from sim.demand import review_multiplier
from sim.model import CUSTOMER_GROUP, StoreModel


class NaiveStoreModel(StoreModel):
    """StoreModel whose traffic is one process per session instead of counts per hour."""

    def _days(self):
        env, d = self.env, self.demand
        self.season_by_hour = d.season(self.days * 24)
        for ch in range(len(d.channels)):
            env.process(self._arrivals(ch))
        env.process(self._customer_visits())
        yield env.timeout(self.days * 24.0)

    def _hourly_rate(self, hour: int, ch: int) -> float:
        d = self.demand
        grows = self._review_mult() if d.grows[ch] else 1.0
        return float((d.free_per_hour[ch] * grows + d.paid_per_hour[ch]) * self.season_by_hour[hour])

    def _review_mult(self) -> float:
        return review_multiplier(self.reviews.rating_now, self.reviews.count, self.scenario.reviews)

    def _poisson_process(self, rate_at, on_arrival):
        """Process: call ``on_arrival()`` at the events of a Poisson process whose rate is constant per hour."""
        env, rng, horizon = self.env, self.rng.traffic, self.days * 24
        while env.now < horizon:
            hour = int(env.now)
            rate = rate_at(hour)
            gap = rng.exponential(1.0 / rate) if rate > 0 else np.inf
            if env.now + gap >= hour + 1:  # memoryless: restart the clock at the next hour's rate
                yield env.timeout(hour + 1 - env.now)
                continue
            yield env.timeout(gap)
            on_arrival()

    def _arrivals(self, ch: int):
        d, rng = self.demand, self.rng.traffic

        def arrive() -> None:
            group = 1 if rng.random() < d.returning_share[ch] else 0
            self.env.process(self._session(ch, group))
        return self._poisson_process(lambda hour: self._hourly_rate(hour, ch), arrive)

    def _customer_visits(self):
        d, rng = self.demand, self.rng.traffic

        def arrive() -> None:
            ch = int(rng.choice(len(d.repeat_mix), p=d.repeat_mix))
            self.env.process(self._session(ch, CUSTOMER_GROUP))
        return self._poisson_process(
            lambda hour: self.customers.active * d.visit_rate_per_hour * self.season_by_hour[hour], arrive)

    def _session(self, ch: int, group: int):
        """One visitor: bounce, view a SKU, cart, checkout, order - one draw per step."""
        d, rng, f = self.demand, self.rng.funnel, self.funnel
        hour = int(self.env.now)
        f.sessions[hour, ch, group] += 1
        yield self.env.timeout(0)
        if rng.random() >= d.view_probability:
            return
        k = int(rng.choice(len(d.sku_share), p=d.sku_share))
        f.views[hour, ch, group, k] += 1
        in_stock = self.inventory.on_hand[k] > 0
        if not in_stock:
            f.views_out_of_stock[hour, ch] += 1
        stock_mult = 1.0 if in_stock else (d.backorder_acceptance if d.backorder else 0.0)
        if rng.random() >= min(d.base_cart[ch, group, k] * self._review_mult() * stock_mult, 1.0):
            return
        f.carts[hour, ch, group, k] += 1
        if rng.random() >= d.cart_to_checkout:
            return
        f.checkouts[hour, ch, group, k] += 1
        if rng.random() >= d.checkout_to_order:
            return
        o = self.rng.orders
        units = 1 + int(o.poisson(self.scenario.catalogue.extra_units_mean))
        option = int(o.choice(len(self.carriers.share), p=self.carriers.share))
        self.env.process(self._order(0.0, ch, group, k, units, option))
