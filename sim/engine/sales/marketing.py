"""Traffic by channel and day: paid budgets with saturation and carry-over, a budget schedule, organic growth.

Every day each channel gets an expected number of sessions, which
``sim.engine.sales.demand`` draws hour by hour.

Paid channels (Google Meridian's media model, Jin et al. 2017):

* the day's budget ``x[t]``: ``daily_budget``; from ``scale_from_day`` it
  moves linearly to ``scaled_budget`` over ``scale_ramp_days`` - "start
  cheap, then scale" - unless ``scale_max_cac`` is set and the channel's
  acquisition cost so far is above it;
* carry-over (geometric adstock, normalised): ``A[t] = (1 - c) x[t] + c
  A[t-1]``, started as if the first budget had always been spent, so a
  constant budget gives the same traffic with or without carry-over; a cut
  fades out over days instead of at once;
* saturation (Hill): sessions ``= (K / cpc) * A^s / (A^s + K^s)`` with ``K``
  the ``half_saturation_spend`` and ``s`` the ``hill_slope``; with ``K`` 0
  it is the linear ``A / cpc``.  At ``s = 1`` the first clicks cost ``cpc``
  and at spend ``K`` each click costs twice that, so doubling a budget
  near ``K`` gives far fewer than twice the sessions.

Spend is counted on the sessions that arrive, at the day's average cost per
paid session ``x[t] / sessions(A[t])`` (``cpc`` without saturation or
carry-over), so daily spend follows the budget with Poisson noise.

Free channels: ``sessions_per_day`` times the review effect
(``grows_with_reviews``: rating and count, with ``review_count_elasticity``
for the count relative to the initial one), times the title/alt-text effect
(``seo_sensitive``), plus content: each post brings ``sessions_per_post``
once ranked, reaching 63% of it after ``content_ramp_days``.  Traffic shocks
(``sim.engine.shocks``) multiply both kinds.
"""

from __future__ import annotations

import numpy as np

from sim.engine.sales.demand import spread
from sim.engine.shocks import Shocks
from sim.scenario.definition import Scenario


def hill_sessions(spend: np.ndarray, cpc: np.ndarray, half: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Expected paid sessions per day of an (adstocked) spend: linear where ``half`` is 0, Hill elsewhere."""
    linear = np.where(cpc > 0, spend / np.where(cpc > 0, cpc, 1.0), 0.0)
    if not half.any():  # no channel saturates (most stores): the Hill terms would be thrown away
        return linear
    with np.errstate(divide="ignore", invalid="ignore"):
        x = spend**slope
        hill = np.where(cpc > 0, half / np.where(cpc > 0, cpc, 1.0), 0.0) * x / (x + half**slope)
    return np.where(half > 0, np.nan_to_num(hill), linear)


def content_sessions(posts_per_week: np.ndarray, per_post: np.ndarray, ramp_days: np.ndarray, days: int) -> np.ndarray:
    """Sessions per day from content published at a steady pace from day 0, [day, channel].

    A post aged ``a`` days brings ``per_post * (1 - exp(-a / ramp))``; with
    ``r = posts / 7`` posts a day the total on day ``d`` is
    ``per_post * r * sum_{a=0..d} (1 - exp(-a / ramp))``.
    """
    ages = np.arange(days)[:, None]
    ranked = np.cumsum(1.0 - np.exp(-ages / ramp_days[None, :]), axis=0)
    return per_post[None, :] * posts_per_week[None, :] / 7.0 * ranked


class Marketing:
    def __init__(self, s: Scenario, days: int, shocks: Shocks) -> None:
        ch = list(s.traffic.channels.values())
        self.free_per_hour = np.array([c.sessions_per_day for c in ch]) / 24.0
        self.grows = np.array([c.grows_with_reviews for c in ch])
        self.count_elasticity = np.array([c.review_count_elasticity for c in ch])
        self.initial_reviews = max(s.reviews.initial_count, 1)
        seo = spread(s.page.seo_quality, s.funnel.seo_effect)
        self.seo = np.array([seo if c.seo_sensitive else 1.0 for c in ch])
        self.content_per_hour = (
            content_sessions(
                np.array([c.content_posts_per_week for c in ch]),
                np.array([c.sessions_per_post for c in ch]),
                np.array([c.content_ramp_days for c in ch]),
                days,
            )
            / 24.0
        )
        self.has_content = bool(self.content_per_hour.any())
        self.shock = shocks.traffic

        self.cpc = np.array([c.cost_per_click for c in ch])
        self.half = np.array([c.half_saturation_spend for c in ch])
        self.slope = np.array([c.hill_slope for c in ch])
        self.carry = np.array([c.carryover for c in ch])
        self.budget0 = np.array([c.daily_budget for c in ch])
        self.scaled = np.array([c.scaled_budget for c in ch])
        self.scale_day = np.array([c.scale_from_day for c in ch])
        self.ramp = np.array([c.scale_ramp_days for c in ch])
        self.max_cac = np.array([c.scale_max_cac for c in ch])
        self.scaling = self.scale_day > 0  # becomes False for a channel whose CAC fails the test
        # which of the day's steps apply, decided once: each test on a handful of channels costs as much as the step
        self.saturates, self.carries = bool(self.half.any()), bool(self.carry.any())
        self.counts_reviews = bool(self.count_elasticity.any())
        self.adstock = self.budget0.astype(float)
        self.spend_so_far = np.zeros(len(ch))
        # Without a budget schedule the budget never moves, nor does the adstock started at it, so the paid
        # traffic and its cost are the same every day: worked out here once instead of in every day's ten steps.
        self.fixed_paid = None if self.scaling.any() else self._paid(self.budget0.copy())

    def _budget(self, day: int, new_customers: np.ndarray) -> np.ndarray:
        x = self.budget0.copy()
        for c in np.nonzero(self.scaling)[0]:
            start = self.scale_day[c]
            if day < start:
                continue
            if day == start and self.max_cac[c] > 0:
                cac = self.spend_so_far[c] / new_customers[c] if new_customers[c] else np.inf
                if cac > self.max_cac[c]:
                    self.scaling[c] = False
                    continue
            step = 1.0 if self.ramp[c] == 0 else min(1.0, (day - start + 1) / self.ramp[c])
            x[c] = self.budget0[c] + (self.scaled[c] - self.budget0[c]) * step
        return x

    def today(
        self, day: int, review_mult: float, review_count: float, new_customers: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(free sessions per hour, paid sessions per hour, cost per paid session) of each channel today.

        ``new_customers`` counts the customers each channel has acquired so
        far (for the CAC test of a budget schedule).
        """
        paid, unit = self._paid(self._budget(day, new_customers)) if self.fixed_paid is None else self.fixed_paid
        free = self.free_per_hour * np.where(self.grows, review_mult, 1.0)
        if self.counts_reviews:
            growth = (max(review_count, 1.0) / self.initial_reviews) ** self.count_elasticity
            free = free * np.where(self.grows, growth, 1.0)
        free = free * self.seo
        if self.has_content:
            free = free + self.content_per_hour[day]
        shock = self.shock[day]
        return free * shock, paid * shock, unit

    def _paid(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(paid sessions per hour, cost per paid session) of each channel on a day with budget ``x``; moves the
        adstock on by the day.  The arrays are read-only: :meth:`today` may hand the same ones out every day."""
        self.adstock = x + self.carry * (self.adstock - x)  # = (1 - c) x + c A, exact when A == x
        paid_day = hill_sessions(self.adstock, self.cpc, self.half, self.slope)
        unit = self.cpc.copy()
        if self.saturates:
            with np.errstate(divide="ignore", invalid="ignore"):
                unit = np.where(paid_day > 0, self.adstock / paid_day, self.cpc)
        if self.carries:
            with np.errstate(divide="ignore", invalid="ignore"):
                unit = unit * np.where(self.adstock > 0, x / self.adstock, 0.0)
        per_hour = paid_day / 24.0
        per_hour.flags.writeable = unit.flags.writeable = False
        return per_hour, unit

    def record_spend(self, spend: np.ndarray) -> None:
        self.spend_so_far += spend
