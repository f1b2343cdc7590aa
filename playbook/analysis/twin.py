"""A calibrated twin beside the store it copies: the same orders measures on both, as tables and curves to plot.

A shop exports a year of orders (2,700 orders of 1,669 customers), calibrates
a scenario on them (:func:`playbook.analysis.calibrate.calibrate`) and wants
to *see* whether the twin behaves like the shop, not only read a verdict.
:func:`simulate_twin` runs the calibrated scenario ``n`` times over the
export's own horizon (the seeds ``sim.replicate`` spawns, so run i here is run
i there) and keeps each run's orders; its ``comparison`` is the calibration
report's observed-vs-simulated table (``calibration_report.measure`` and
``compare``: one definition of every measure).  The curve functions turn any
orders table - the export's or a run's - into what a notebook draws: orders
per day (:func:`daily_orders`), the share of customers who came back within
d days of their first order (:func:`repeat_curve`); :func:`band` gives the
export's curve beside the runs' mean and range, :func:`profile` the weekday
or hour-of-day shares of the comparison, :func:`kpis_side_by_side` every KPI
``sim.results.kpis`` can compute from orders, for the export and the runs.
Each run's profit and loss and its crews' utilisation are kept too
(``Twin.costs``): the twin's costs are sized to its volume by the
calibration, and this is where to see whether they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

import sim.results.kpis as kpis
from playbook.analysis.calibrate import Calibration
from playbook.analysis.calibration_report import compare, measure
from sim.engine.rng import as_seed_sequence
from sim.experiment.runs import simulate
from sim.scenario.definition import Scenario

#: Fewest runs behind a mean and a range.
MIN_RUNS = 2


@dataclasses.dataclass(frozen=True)
class Twin:
    """The export's orders, ``n`` simulated runs' orders over the same days, and the comparison table."""

    observed: pd.DataFrame  #: the export's orders (``sim.results.tables`` schema)
    runs: list[pd.DataFrame]  #: each run's orders
    first_day: dt.date
    days: int
    seed: int
    comparison: pd.DataFrame  #: ``calibration_report.compare``: observed, simulated, CI, gap, verdict per measure
    #: one row per run: the P&L lines (``Result.profit_and_loss``), picker_utilisation, agent_utilisation
    costs: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.runs)


#: Utilisation measures kept per run beside the P&L (``sim.results.measures``).
UTILISATION = ("picker_utilisation", "agent_utilisation")


def _run(scenario: Scenario, seed: np.random.SeedSequence, days: int) -> tuple[pd.DataFrame, pd.Series]:
    """One run's orders, and its P&L lines with the crews' utilisation."""
    result = simulate(scenario, seed, days)
    used = result.measures()
    costs = pd.concat([result.profit_and_loss(), pd.Series({k: used[k] for k in UTILISATION})])
    return result.orders, costs


def simulate_twin(orders: pd.DataFrame, calibration: Calibration, n: int, seed: int, workers: int = 1) -> Twin:
    """Run ``calibration.scenario`` ``n`` times over the export's horizon and compare the runs with ``orders``.

    ``n`` >= 2 (a mean and a spread); each task carries its seed, so the
    numbers do not depend on ``workers``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < MIN_RUNS:
        raise ValueError(f"n = {n!r}: allowed: an integer >= {MIN_RUNS}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers = {workers!r}: allowed: an integer >= 1")
    seeds, days = as_seed_sequence(seed).spawn(n), calibration.days
    if workers == 1:
        done = [_run(calibration.scenario, s, days) for s in seeds]
    else:
        with ProcessPoolExecutor(max_workers=min(workers, n)) as pool:
            done = list(pool.map(_run, [calibration.scenario] * n, seeds, [days] * n))
    runs = [r for r, _ in done]
    table = compare(measure(orders, days), pd.DataFrame([measure(r, days) for r in runs]))
    return Twin(orders, runs, calibration.first_day, days, seed, table, pd.DataFrame([c for _, c in done]))


def daily_orders(orders: pd.DataFrame, first_day: dt.date, days: int) -> pd.Series:
    """Orders placed on each of ``days`` days from ``first_day`` (days without orders count 0), indexed by date."""
    dates = pd.date_range(pd.Timestamp(first_day), periods=days, freq="D")
    counts = orders["placed_at"].dt.normalize().value_counts()
    return counts.reindex(dates, fill_value=0).astype(float).rename_axis("date").rename("orders")


def repeat_curve(orders: pd.DataFrame, days: int) -> pd.Series:
    """Share of customers whose second order came within d days of their first, for d = 0 ... ``days``.

    Every customer counts in the denominator, also those who joined late and
    had little time to come back: the export and a run over the same horizon
    are cut off the same way, so their curves compare like for like.  The
    value at ``days`` is the repeat-customer share.
    """
    ordered = orders.sort_values("placed_at", kind="stable")
    nth = ordered.groupby("customer_id").cumcount()
    first = ordered[nth == 0].set_index("customer_id")["placed_at"]
    second = ordered[nth == 1].set_index("customer_id")["placed_at"]
    gap_days = np.sort((second - first.loc[second.index]).dt.days.to_numpy())
    customers = max(orders["customer_id"].nunique(), 1)
    within = np.searchsorted(gap_days, np.arange(days + 1), side="right")
    return pd.Series(within / customers, index=pd.RangeIndex(days + 1, name="days"), name="repeat_share")


def band(twin: Twin, curve: Callable[[pd.DataFrame], pd.Series], window: int = 1) -> pd.DataFrame:
    """``curve`` of the export beside the runs' mean, lowest and highest value at each point.

    Columns observed, simulated (mean of the runs), low, high (the range of
    the runs: where a single run of the twin may fall).  ``window`` > 1
    smooths every column with a centred rolling mean first (7: a weekly mean
    of a daily series).
    """
    runs = pd.concat([curve(r) for r in twin.runs], axis=1)
    table = pd.DataFrame({"observed": curve(twin.observed)}).join(runs.set_axis(range(twin.n), axis=1))
    if window > 1:
        table = table.rolling(window, center=True, min_periods=1).mean()
    simulated = table.drop(columns="observed")
    return pd.DataFrame(
        {
            "observed": table["observed"],
            "simulated": simulated.mean(axis=1),
            "low": simulated.min(axis=1),
            "high": simulated.max(axis=1),
        }
    )


def daily_band(twin: Twin, window: int = 7) -> pd.DataFrame:
    """:func:`band` of :func:`daily_orders` over the export's days, as a ``window``-day mean."""
    return band(twin, lambda o: daily_orders(o, twin.first_day, twin.days), window)


def repeat_band(twin: Twin) -> pd.DataFrame:
    """:func:`band` of :func:`repeat_curve` over the export's days."""
    return band(twin, lambda o: repeat_curve(o, twin.days))


def profile(comparison: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The rows of a comparison whose measure starts with ``prefix`` ('weekday_', 'hour_'), the prefix cut off.

    Columns observed, simulated, ci_low, ci_high (shares of orders); empty
    when the export did not have them (dates without a time of day: no hours).
    """
    rows = comparison[comparison.index.str.startswith(prefix)]
    table = rows[["observed", "simulated", "ci_low", "ci_high"]].astype(float)
    return table.set_axis(table.index.str.removeprefix(prefix), axis=0)


def order_values(twin: Twin) -> tuple[np.ndarray, np.ndarray]:
    """The export's order values and all runs' order values pooled (for a distribution plot)."""
    simulated = np.concatenate([r["revenue"].to_numpy(float) for r in twin.runs])
    return twin.observed["revenue"].to_numpy(float), simulated


def kpis_side_by_side(twin: Twin) -> pd.DataFrame:
    """Every KPI ``sim.results.kpis.compute`` gets from an orders table: the export's and the runs' mean.

    The same code measures the shop and the simulated store, so a gap is a
    gap of the twin, not of two definitions.  Index: KPI; columns observed,
    simulated.
    """
    runs = pd.DataFrame([kpis.compute({"orders": r}) for r in twin.runs])
    observed = pd.Series(kpis.compute({"orders": twin.observed}))
    return pd.DataFrame({"observed": observed, "simulated": runs.mean().reindex(observed.index)})
