"""Funnels: how many sessions reach each step, and where they drop off, by group.

The steps are the ``daily`` table's counts sessions -> views -> carts ->
checkouts -> orders (``sim.results.tables.DAILY_COLUMNS``), summed over the days of
each group (channel, device, segment or variant: any column of the table).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from statsmodels.stats.proportion import proportion_confint

from playbook.data.loaders import check_frame

STEPS = ("sessions", "views", "carts", "checkouts", "orders")


def funnel(
    daily: pd.DataFrame, by: str | None = "channel", *, steps: Sequence[str] = STEPS, alpha: float = 0.05
) -> pd.DataFrame:
    """Step conversion and drop-off per group, with Wilson intervals.

    For step k with count n_k: step_conversion = n_k / n_(k-1), drop_off =
    1 - step_conversion, reach = n_k / n_0 (share of sessions that got this
    far).  Intervals are Wilson score intervals (statsmodels
    ``proportion_confint``, method 'wilson'):
    (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), which stay
    inside [0, 1] and keep their coverage for the small rates and small
    groups of a funnel, where the normal interval does not.  Treating
    sessions as independent trials is an approximation (returning visitors
    repeat).  One row per group and step after the first; ``by=None`` pools
    all rows into the group 'all'.
    """
    steps = list(steps)
    if len(steps) < 2:
        raise ValueError("a funnel needs at least two steps")
    check_frame(daily, steps + ([by] if by else []), "daily", {s: (0, None) for s in steps})
    groups = daily[by] if by else pd.Series("all", index=daily.index)
    totals = daily[steps].groupby(groups.rename(by or "group"), sort=True).sum()
    name = by or "group"
    parts = []
    for number, (prev, step) in enumerate(pairwise(steps)):
        over = totals[step] > totals[prev]
        if over.any():
            group = over.index[over][0]
            raise ValueError(
                f"daily.{step} ({totals.at[group, step]}) exceeds daily.{prev} "
                f"({totals.at[group, prev]}) for {name}={group!r}: each step must be in [0, previous step]"
            )
        rate, low, high = _rate(totals[step], totals[prev], alpha)
        reach, reach_low, reach_high = _rate(totals[step], totals[steps[0]], alpha)
        parts.append(
            pd.DataFrame(
                {
                    name: totals.index,
                    "step": step,
                    "count": totals[step].to_numpy(),
                    "previous": totals[prev].to_numpy(),
                    "step_conversion": rate,
                    "ci_low": low,
                    "ci_high": high,
                    "drop_off": 1 - rate,
                    "reach": reach,
                    "reach_ci_low": reach_low,
                    "reach_ci_high": reach_high,
                    "_order": number,
                }
            )
        )
    out = pd.concat(parts).sort_values([name, "_order"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def _rate(k: ArrayLike, n: ArrayLike, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """k / n with its Wilson interval, elementwise; NaN where n = 0 (the rate is undefined)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    empty = n == 0
    safe = np.where(empty, 1.0, n)
    low, high = proportion_confint(k, safe, alpha=alpha, method="wilson")
    rate, low, high = (np.where(empty, np.nan, v) for v in (k / safe, low, high))
    return rate, low, high
