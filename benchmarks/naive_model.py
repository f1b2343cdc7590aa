"""The naive way to write the same store: one SimPy process per session.

Every visitor is a process that arrives after an exponential gap, walks the
funnel with one Bernoulli draw per step and, if it buys, places the order
at that moment as the real model does; a viewer asks a pre-sales question
at the moment of the view.  Arrival rates, funnel probabilities, the chance
of a question (``Service.pre_sales_per_view``) and the order life cycle are
the model's own (``sim.engine.sales.demand.Demand``'s arrays and
``StoreModel._place``), so the two must agree on every KPI within their
confidence intervals; only the cost differs.  Used by ``bench_sim.py`` as the
baseline the bulk funnel is measured against; not part of the package.
"""

from __future__ import annotations

import numpy as np

from sim.engine.model import StoreModel
from sim.engine.sales.demand import CUSTOMER, review_multiplier


class NaiveStoreModel(StoreModel):
    """StoreModel whose traffic is one process per session instead of counts per hour (one cell only)."""

    def _days(self):
        env, d = self.env, self.demand
        if self.cells.count != 1:
            raise ValueError("the naive model covers one market and no A/B test")
        self.season_by_hour = d.season(self.days * 24)
        self.rates = np.zeros(len(d.channels))
        for ch in range(len(d.channels)):
            env.process(self._arrivals(ch))
        env.process(self._customer_visits())
        for day in range(self.days):  # the day's channel rates, as the bulk model reads them at midnight
            free, paid, _ = self.marketing.today(day, self._review_mult(), self.reviews.count, self.new_by_channel)
            self.rates = free + paid
            first = len(self.orders)
            yield env.timeout(24.0)
            self._record_placed(first)

    def _review_mult(self) -> float:
        self._close_due(self.env.now)  # the reviews of orders closed by now (the model applies them lazily)
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

        return self._poisson_process(lambda hour: self.rates[ch] * self.season_by_hour[hour], arrive)

    def _customer_visits(self):
        d, rng = self.demand, self.rng.traffic

        def arrive() -> None:
            ch = int(rng.choice(len(d.repeat_mix), p=d.repeat_mix))
            self.env.process(self._session(ch, CUSTOMER))

        def rate(hour: int) -> float:
            self._close_due(self.env.now)  # customers who settled by now are in the active base
            return self.customers.visit_weight() * d.visit_rate_per_hour * self.season_by_hour[hour]

        return self._poisson_process(rate, arrive)

    def _session(self, ch: int, group: int):
        """One visitor: bounce, view a SKU (and maybe ask about it), cart, checkout, order - one draw per step."""
        d, rng, f = self.demand, self.rng.funnel, self.funnel
        hour = int(self.env.now)
        day = hour // 24
        f.sessions[hour, ch, group] += 1
        yield self.env.timeout(0)
        if rng.random() >= d.view_p[0]:
            return
        k = int(rng.choice(len(d.sku_share), p=d.sku_share))
        f.views[day, ch, group, k] += 1
        if rng.random() < self.scenario.service.pre_sales_per_view:  # a question about the product, now
            self.desk.open("pre_sales")
        in_stock = self.inventory.on_hand[k] > 0
        if not in_stock:
            f.views_out_of_stock[day, ch] += 1
        stock_mult = 1.0 if in_stock else (d.backorder_acceptance if d.backorder else 0.0)
        p_cart = _at(d.base_cart[ch, group, 0], k) * d.price_mult[day][0, k] * self._review_mult() * stock_mult
        if rng.random() >= min(p_cart, 1.0):
            return
        f.carts[day, ch, group, k] += 1
        if rng.random() >= _at(d.cart_to_checkout[0], k):
            return
        f.checkouts[day, ch, group, k] += 1
        if rng.random() >= _at(d.checkout_to_order[0], k):
            return
        now = np.array([self.env.now])
        columns = self._order_rows(day, now, np.array([ch]), np.array([group]), np.array([0]), np.array([k]))
        self._place(*(c.item(0) for c in columns))


def _at(values, k: int) -> float:
    """Entry ``k`` of a per-SKU array, or its only entry when the factor is the same for every SKU."""
    values = np.atleast_1d(values)
    return float(values[k if len(values) > 1 else 0])
