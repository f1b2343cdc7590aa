"""Runs, replications and paired comparisons.

A what-if is never read from one run.  :func:`replicate` runs a scenario
``n`` times with seeds spawned from one ``SeedSequence``; :func:`compare`
runs two scenarios on the *same* ``n`` seeds (common random numbers) and
reports, for every KPI, the mean paired difference with its 95% Student-t
confidence interval.  Replications run in worker processes; each task carries
its own seed, so the numbers do not depend on how many workers ran them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engine.model import StoreModel
from sim.engine.rng import as_seed_sequence
from sim.results.result import Result, build_result
from sim.scenario.definition import Scenario, load_scenario
from sim.scenario.run_size import check_run_size


def _as_scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def _check_days(days: int | None, scenario: Scenario) -> int:
    days = scenario.time.days if days is None else days
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or not 1 <= days <= 3650:
        raise ValueError(f"days = {days!r}: allowed: an integer from 1 to 3650")
    return int(days)


def simulate(
    scenario: Scenario | str | Path, seed: int | np.random.SeedSequence = 0, days: int | None = None
) -> Result:
    """Run one scenario (or scenario file) for ``days`` (default ``time.days``) and return its tables."""
    sc = _as_scenario(scenario)
    n_days = _check_days(days, sc)
    check_run_size(sc, n_days)  # refuse before allocating: sessions x days within the memory budget
    seq = as_seed_sequence(seed)
    model = StoreModel(sc, seq, n_days)
    model.run()
    model.cancel_unfinished()
    return build_result(model, seed if isinstance(seed, (int, np.integer)) else None)


def run_kpis(scenario: Scenario, seed: np.random.SeedSequence, days: int | None = None) -> dict[str, float]:
    """One replication's KPIs and simulation-only measures (labour, holding, CRM costs, operating profit).

    This is what worker processes send back: a small dict, never the tables.
    """
    result = simulate(scenario, seed, days)
    return {**result.kpis(), **result.measures()}


def run_many(tasks: Sequence[tuple], workers: int | None = None) -> list[dict[str, float]]:
    """:func:`run_kpis` of each ``(scenario, seed, days)`` task, in order.

    Runs on ``workers`` processes (default: all cores); each task carries its
    own seed, so the answer does not depend on how many.
    """
    workers = os.cpu_count() or 1 if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers = {workers!r}: allowed: an integer >= 1")
    if workers == 1 or len(tasks) == 1:
        return [run_kpis(*t) for t in tasks]
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        return list(pool.map(run_kpis, *zip(*tasks, strict=True)))


def check_replications(n: int) -> int:
    """``n`` as an int, or a ValueError naming it: replications must be a whole number >= 1."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n = {n!r}: allowed: an integer >= 1 (replications)")
    return int(n)


def replicate(
    scenario: Scenario | str | Path, n: int = 10, seed: int = 0, days: int | None = None, workers: int | None = None
) -> pd.DataFrame:
    """KPIs and measures of ``n`` replications, one row each, seeds spawned from ``SeedSequence(seed)``."""
    sc = _as_scenario(scenario)
    n_days = _check_days(days, sc)
    seeds = as_seed_sequence(seed).spawn(check_replications(n))
    rows = run_many([(sc, s, n_days) for s in seeds], workers)
    frame = pd.DataFrame(rows)
    frame.insert(0, "replication", np.arange(len(rows)))
    return frame


def mean_ci(values: Iterable[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the Student-t interval ``mean +/- t_{n-1} * sd / sqrt(n)``."""
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if len(x) < 2:
        return m, float("nan"), float("nan")
    from scipy import stats  # here, not at the top: ``import sim`` stays 60 MiB lighter for a single run

    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def summarize(replications: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per KPI: mean and confidence interval over the replications of :func:`replicate`."""
    rows = []
    for col in replications.columns.drop("replication", errors="ignore"):
        m, lo, hi = mean_ci(replications[col], level)
        rows.append({"kpi": col, "mean": m, "ci_low": lo, "ci_high": hi, "n": int(replications[col].notna().sum())})
    return pd.DataFrame(rows).set_index("kpi")


def compare(
    a: Scenario | str | Path,
    b: Scenario | str | Path,
    n: int = 10,
    seed: int = 0,
    days: int | None = None,
    workers: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """B minus A for every KPI and measure (``sim.results.measures``) over ``n`` paired replications.

    The pairs share their seeds (common random numbers).

    Replication i of both scenarios uses the i-th seed spawned from
    ``SeedSequence(seed)``.  Columns: ``mean_a``, ``mean_b``, ``diff`` (mean of
    the paired differences b - a), ``ci_low``, ``ci_high`` (Student-t at
    ``level``), ``significant`` (the interval excludes 0) and ``n``.
    """
    sa, sb = _as_scenario(a), _as_scenario(b)
    n_days = _check_days(days, sa)
    seeds = as_seed_sequence(seed).spawn(check_replications(n))
    rows = run_many([(sa, s, n_days) for s in seeds] + [(sb, s, n_days) for s in seeds], workers)
    ra, rb = pd.DataFrame(rows[:n]), pd.DataFrame(rows[n:])
    out = []
    for kpi in ra.columns.intersection(rb.columns):
        d, lo, hi = mean_ci(rb[kpi] - ra[kpi], level)
        out.append(
            {
                "kpi": kpi,
                "mean_a": float(ra[kpi].mean()),
                "mean_b": float(rb[kpi].mean()),
                "diff": d,
                "ci_low": lo,
                "ci_high": hi,
                "significant": bool(lo > 0 or hi < 0),
                "n": int((rb[kpi] - ra[kpi]).notna().sum()),
            }
        )
    return pd.DataFrame(out).set_index("kpi")
