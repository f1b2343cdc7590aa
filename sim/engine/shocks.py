"""Dated shocks (stage 11, risk): traffic drops and spikes, supplier delays, carrier disruptions.

Each shock is a dated entry of ``risk`` in the scenario.  Traffic shocks
become a multiplier per day and channel, computed before the run (several
overlapping shocks multiply); after a shock ends traffic climbs back
linearly over ``recovery_days``.  Supplier delays add days to purchase orders
placed inside the window; carrier disruptions stretch the lead time and add
to the late probability of parcels collected inside it.

Example: a platform policy change that halves social traffic for four weeks
and takes two more to recover::

    risk:
      traffic_shocks:
        policy_change: {start: 2026-03-02, days: 28, multiplier: 0.5, channels: [social], recovery_days: 14}
"""

from __future__ import annotations

import numpy as np

from sim.engine.calendar import Calendar
from sim.engine.sales.pricing import day_of, window
from sim.scenario.definition import Scenario
from sim.scenario.levers import CarrierDisruption, SupplierDelay, TrafficShock

HOURS = 24.0


def _mask(selected: list[str], names: list[str]) -> np.ndarray:
    return np.array([not selected or n in selected for n in names])


class Shocks:
    def __init__(self, s: Scenario, days: int) -> None:
        start = s.time.start_date
        channels, skus, options = list(s.traffic.channels), list(s.catalogue.skus), list(s.delivery.options)
        self.traffic = np.ones((days, len(channels)))
        for shock in s.risk.traffic_shocks.values():
            cols = _mask(shock.channels, channels)
            rows = window(shock.start, shock.days, start, days)
            self.traffic[rows, cols] *= shock.multiplier
            end = day_of(shock.start, start) + shock.days
            for i in range(shock.recovery_days):
                d = end + i
                if 0 <= d < days:
                    self.traffic[d, cols] *= shock.multiplier + (1.0 - shock.multiplier) * (i + 1) / (
                        shock.recovery_days + 1
                    )

        def hours(entry: TrafficShock | SupplierDelay | CarrierDisruption) -> tuple[float, float]:
            first = day_of(entry.start, start) * HOURS
            return first, first + entry.days * HOURS

        self.supplier = [
            (*hours(x), x.extra_lead_time_days * HOURS, _mask(x.skus, skus)) for x in s.risk.supplier_delays.values()
        ]
        self.carrier = [
            (*hours(x), x.lead_time_multiplier, x.extra_incident_probability, _mask(x.options, options))
            for x in s.risk.carrier_disruptions.values()
        ]
        #: the year's seasons and sales days (``sim.engine.calendar``): traffic per day, slower carriers at peaks
        self.calendar = cal = Calendar(s, days)
        if not cal.flat:
            self.traffic *= cal.traffic[:, None]
        everyone = np.ones(len(options), dtype=bool)
        self.carrier += [(t0, t1, cal.peak_multiplier, 0.0, everyone) for t0, t1 in cal.peaks]

    def supplier_extra_hours(self, k: int, t: float) -> float:
        """Extra hours for a purchase order of SKU ``k`` placed at ``t``."""
        return sum(extra for t0, t1, extra, skus in self.supplier if t0 <= t < t1 and skus[k])

    def carrier_at(self, options: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lead-time multiplier, added late probability) of parcels of ``options`` collected at times ``t``."""
        mult, late = np.ones(len(t)), np.zeros(len(t))
        for t0, t1, m, extra, opts in self.carrier:
            hit = (t0 <= t) & (t < t1) & opts[options]
            mult = np.where(hit, mult * m, mult)
            late = np.where(hit, late + extra, late)
        return mult, late
