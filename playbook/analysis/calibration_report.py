"""Observed against simulated: the KPIs and the Markdown report of ``python -m playbook calibrate``.

A calibrated scenario is only as good as what it gives back.  Take a store
whose export holds 1,200 orders over 120 days: :func:`measure` reads the
export's order rate, average order value, order-value quantiles,
repeat-customer share, return rate and weekday / hour-of-day shares;
:func:`replicate_measures` simulates the calibrated scenario over the same 120
days ``n`` times and measures each run with the same function; :func:`compare`
puts the two side by side with 95% Student-t intervals and a verdict against
:data:`TOLERANCES`; :func:`render` writes it all, with the estimated and the
kept parameters, as Markdown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

import sim.results.kpis as kpis
from playbook.analysis.calibrate import Calibration
from sim.engine.rng import as_seed_sequence
from sim.experiment.runs import mean_ci, simulate
from sim.scenario.definition import Scenario

#: Acceptance of a calibration: KPI -> (kind, bound).  "relative": |simulated / observed - 1| <= bound;
#: "points": |simulated - observed| <= bound (a share, so 0.05 = 5 percentage points).
TOLERANCES: dict[str, tuple[str, float]] = {
    "order_rate_per_day": ("relative", 0.10),
    "average_order_value": ("relative", 0.05),
    "repeat_customer_share": ("points", 0.05),
}
#: The ``Calibration.checks`` row (the analytic expectation) of each KPI with a tolerance.
CHECKS = {
    "order_rate_per_day": "order_rate_per_day",
    "average_order_value": "average_order_value",
    "repeat_customer_share": "repeat_purchase_rate",
}
#: Fewest replications behind a verdict.
MIN_REPLICATIONS = 5
#: Order-value quantiles shown.
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: First line of every report: marks the file as ours (``--force`` overwrites only such files).
REPORT_MARK = "# Calibration report (python -m playbook calibrate)"


def measure(orders: pd.DataFrame, days: int) -> dict[str, float]:
    """The report's KPIs of one orders table over ``days``, with the same code for the export and a run.

    Keys: order_rate_per_day, average_order_value, order_value_pNN
    (:data:`QUANTILES`), repeat_customer_share (customers with two or more
    orders / customers), return_rate (``sim.results.kpis.return_rate``, when
    the table has ``returned``), weekday_Mon ... weekday_Sun (share of orders
    placed that weekday) and, when the times carry a time of day, hour_00 ...
    hour_23 (share of orders placed in that hour).
    """
    placed, values = orders["placed_at"], orders["revenue"].to_numpy(dtype=float)
    out = {
        "order_rate_per_day": len(orders) / days,
        "average_order_value": kpis.average_order_value(orders),
    }
    for q in QUANTILES:
        out[f"order_value_p{round(q * 100):02d}"] = float(np.quantile(values, q)) if len(values) else math.nan
    out["repeat_customer_share"] = kpis.repeat_purchase_rate(orders)
    if "returned" in orders:
        out["return_rate"] = kpis.return_rate(orders)
    n = max(len(orders), 1)
    for day, count in zip(WEEKDAYS, np.bincount(placed.dt.day_of_week, minlength=7), strict=True):
        out[f"weekday_{day}"] = count / n
    if bool((placed != placed.dt.normalize()).any()):
        for hour, count in enumerate(np.bincount(placed.dt.hour, minlength=24)):
            out[f"hour_{hour:02d}"] = count / n
    return out


def _measure_run(scenario: Scenario, seed: np.random.SeedSequence, days: int) -> dict[str, float]:
    return measure(simulate(scenario, seed, days).orders, days)


def replicate_measures(scenario: Scenario, days: int, n: int, seed: int, workers: int = 1) -> pd.DataFrame:
    """:func:`measure` of ``n`` runs of ``scenario`` over ``days``, one row each.

    Seeds are spawned from ``SeedSequence(seed)`` exactly as ``sim.replicate``
    spawns them, so run i here is run i there; each task carries its seed, so
    the numbers do not depend on ``workers``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < MIN_REPLICATIONS:
        raise ValueError(f"replications = {n!r}: allowed: an integer >= {MIN_REPLICATIONS}")
    seeds = as_seed_sequence(seed).spawn(n)
    if workers <= 1:
        rows = [_measure_run(scenario, s, days) for s in seeds]
    else:
        with ProcessPoolExecutor(max_workers=min(workers, n)) as pool:
            rows = list(pool.map(_measure_run, [scenario] * n, seeds, [days] * n))
    return pd.DataFrame(rows)


def _gap(kind: str, simulated: float, observed: float) -> float:
    return simulated / observed - 1.0 if kind == "relative" else simulated - observed


def compare(observed: dict[str, float], runs: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI of ``observed``: observed, simulated mean and 95% CI, gap, tolerance and verdict.

    The verdict compares the simulated mean with the observed value:
    "within" when the gap is inside the tolerance, "outside" otherwise, and
    "(uncertain)" is added when the gap's 95% interval crosses the bound -
    more replications would settle it.  KPIs without a tolerance have
    verdict "-".  A KPI a run could not measure (no orders) is NaN there and
    left out of its mean.
    """
    rows = []
    for kpi, value in observed.items():
        mean, low, high = mean_ci(runs[kpi]) if kpi in runs else (math.nan,) * 3
        row = {"kpi": kpi, "observed": value, "simulated": mean, "ci_low": low, "ci_high": high}
        row.update(gap=math.nan, tolerance="-", verdict="-")
        if kpi in TOLERANCES and value > 0 and not math.isnan(mean):
            kind, bound = TOLERANCES[kpi]
            gaps = [_gap(kind, x, value) for x in (mean, low, high)]
            inside = abs(gaps[0]) <= bound
            crosses = not math.isnan(gaps[1]) and (gaps[1] < -bound <= gaps[2] or gaps[1] <= bound < gaps[2])
            row.update(
                gap=gaps[0],
                tolerance=f"+/- {bound:.0%}" if kind == "relative" else f"+/- {bound * 100:g} points",
                verdict=("within" if inside else "outside") + (" (uncertain)" if crosses else ""),
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("kpi")


# --- Markdown ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the report says about the run besides the tables (all free of personal data)."""

    command: str
    made_on: str
    export: str
    export_format: str
    base: str
    time_zone: str
    currency: str
    ids: str
    rows_dropped: pd.DataFrame  # row, column, reason
    replications: int
    seed: int


def _cell(value: object) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines + [""]


def _unit(kpi: str, currency: str) -> str:
    if kpi == "order_rate_per_day":
        return "orders/day"
    if kpi.startswith(("average_order_value", "order_value")):
        return currency
    return "share"


def _kpi_table(comparison: pd.DataFrame, currency: str) -> list[str]:
    def pct(gap: float, kpi: str) -> str:
        if math.isnan(gap):
            return "-"
        return f"{gap:+.1%}" if TOLERANCES[kpi][0] == "relative" else f"{gap * 100:+.1f} points"

    frame = pd.DataFrame(
        {
            "KPI": comparison.index,
            "unit": [_unit(k, currency) for k in comparison.index],
            "observed": comparison["observed"],
            "simulated (mean)": comparison["simulated"],
            "95% CI": [
                f"{lo:.4g} to {hi:.4g}" for lo, hi in zip(comparison["ci_low"], comparison["ci_high"], strict=True)
            ],
            "gap": [pct(g, k) if k in TOLERANCES else "-" for k, g in comparison["gap"].items()],
            "tolerance": comparison["tolerance"],
            "verdict": comparison["verdict"],
        }
    )
    return _table(frame)


def render(calibration: Calibration, comparison: pd.DataFrame, facts: Facts) -> str:
    """The calibration report as Markdown: run facts, verdicts, parameters estimated and kept, KPIs and profiles."""
    c, f = calibration, facts
    last = c.first_day + dt.timedelta(days=c.days - 1)
    dropped = f.rows_dropped
    lines = [
        REPORT_MARK,
        "",
        f"Export `{f.export}` (format {f.export_format}), calibrated on {f.made_on} with `{f.command}`.",
        "",
        f"- Base scenario (everything orders cannot tell): `{f.base}`",
        f"- Horizon: {c.first_day} to {last} ({c.days} days); time zone {f.time_zone}; money in {f.currency}",
        f"- Customer identifiers: {f.ids}",
        f"- Rows dropped as bad: {len(dropped)}" + (" (listed at the end)" if len(dropped) else ""),
        f"- Simulation: {f.replications} replications over the same {c.days} days, seed {f.seed}; intervals are "
        "95% Student-t intervals of the replications' mean",
        "",
        "## Verdict",
        "",
    ]
    for kpi in TOLERANCES:
        if kpi in comparison.index:
            row = comparison.loc[kpi]
            check = CHECKS[kpi]
            expected = f", expected {c.checks.loc[check, 'expected']:.4g}" if check in c.checks.index else ""
            lines.append(
                f"- {kpi}: {row['verdict']} (observed {row['observed']:.4g}, simulated {row['simulated']:.4g}"
                f"{expected}, tolerance {row['tolerance']})"
            )
    lines += [
        "",
        "Expected: what the calibration's analytic model says the scenario gives.  A gap between observed and "
        "expected is the model's (it cannot reach both the repeat share and the orders per customer on this "
        "history); a gap between expected and simulated is replication noise or the approximation's - more "
        "replications tell which.",
    ]
    lines += ["", "## Estimated from the export", ""]
    lines += _table(c.parameters)
    lines += [
        "## Left at the base scenario's values, and why",
        "",
        "Orders show who bought, when and for how much; they hold no sessions and no work times.  So conversion "
        "(funnel, page, channel mix) stays at the base's values - sessions are scaled to bring the observed new "
        "customers - and capacity (pickers, agents, their hours, stock) is sized to the twin's own load, as the "
        'estimated table says (rows marked "sized, not estimated").  Unit costs (wages per hour, cost per click, '
        "carrier rates, cost of goods as a share of price) are the base's: enter your own before reading profit.",
        "",
    ]
    lines += _table(c.defaults.rename(columns={"reason": "why"}))
    lines += [f"## Observed and simulated over the same {c.days} days", ""]
    main = [k for k in comparison.index if not k.startswith(("weekday_", "hour_"))]
    lines += _kpi_table(comparison.loc[main], f.currency)
    for prefix, title in (("weekday_", "Weekly profile (share of orders by weekday)"), ("hour_", "Hourly profile")):
        part = [k for k in comparison.index if k.startswith(prefix)]
        if part:
            lines += [f"## {title}", ""] + _kpi_table(comparison.loc[part], f.currency)
        elif prefix == "hour_":
            lines += [f"## {title}", "", "Not shown: the export's timestamps carry no time of day.", ""]
    if len(dropped):
        lines += ["## Rows dropped as bad (row in the file, header = row 1)", ""]
        lines += _table(dropped[["row", "column", "reason"]])
    return "\n".join(lines)


def verdicts(comparison: pd.DataFrame) -> dict[str, str]:
    """KPI -> verdict, for the KPIs with a tolerance."""
    return {k: str(comparison.loc[k, "verdict"]) for k in TOLERANCES if k in comparison.index}
