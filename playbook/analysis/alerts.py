"""KPI reviews and early warnings: KPI summaries per day, week or month, and rules that flag trouble.

Summaries call ``sim.results.kpis.compute`` on each period's slice of the tables, so
a weekly conversion rate here is the simulation's conversion rate.  Warnings
come from fixed thresholds and from control charts, which learn the normal
level and noise of a KPI from a baseline and flag what falls outside it.
Every alert row names the period (``date``), the ``kpi``, its ``value``, the
``limit`` it crossed and the ``rule``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

import sim.results.kpis as kpis
from playbook.data.loaders import check_frame, check_values

#: The time column each table is sliced by.
TIME_COLUMNS = {"orders": "placed_at", "daily": "date", "tickets": "opened_at", "reviews": "reviewed_at"}
ALERT_COLUMNS = ["date", "kpi", "value", "limit", "rule"]
FREQS = ("D", "W", "M")


def _periods(frame: pd.DataFrame, table: str, freq: str) -> pd.Series:
    check_frame(frame, (TIME_COLUMNS[table],), table)
    return frame[TIME_COLUMNS[table]].dt.to_period(freq).dt.start_time


def kpi_summary(
    tables: Mapping[str, pd.DataFrame], freq: str = "D", *, sla_hours: float = kpis.DEFAULT_SLA_HOURS
) -> pd.DataFrame:
    """Every KPI of ``sim.results.kpis`` the tables support, per day ('D'), week ('W', Monday start) or month ('M').

    Row t = ``sim.results.kpis.compute`` on the rows of each table whose time column
    (:data:`TIME_COLUMNS`) falls in period t; the index is the period's first
    day.  Ratios are recomputed per period from its own numerators and
    denominators (never averaged from days), which is what makes weekly and
    monthly reviews agree with the totals.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {FREQS}, not {freq!r}")
    known = {name: frame for name, frame in tables.items() if name in TIME_COLUMNS and frame is not None}
    if not known:
        raise ValueError(f"tables must include at least one of {sorted(TIME_COLUMNS)}")
    keys = {name: _periods(frame, name, freq) for name, frame in known.items()}
    index = pd.DatetimeIndex(sorted(set().union(*(set(k.dropna()) for k in keys.values()))), name="date")
    groups = {name: dict(list(frame.groupby(keys[name]))) for name, frame in known.items()}
    rows = [
        kpis.compute({name: groups[name].get(start, known[name].iloc[:0]) for name in known}, sla_hours)
        for start in index
    ]
    return pd.DataFrame(rows, index=index)


def _alerts(
    dates: ArrayLike, kpi: str, values: ArrayLike, limits: ArrayLike, breach: ArrayLike, rule: str
) -> pd.DataFrame:
    breach = np.asarray(breach, dtype=bool)
    return pd.DataFrame(
        {
            "date": np.asarray(dates)[breach],
            "kpi": kpi,
            "value": np.asarray(values, float)[breach],
            "limit": np.asarray(limits, float)[breach],
            "rule": rule,
        },
        columns=ALERT_COLUMNS,
    )


def threshold_alerts(summary: pd.DataFrame, limits: Mapping[str, tuple[float | None, float | None]]) -> pd.DataFrame:
    """Periods where a KPI of ``summary`` is below its low or above its high threshold.

    Fixed targets (an SLA attainment of at least 90%, a return rate of at
    most 20%) need no history; a NaN KPI (nothing to measure) never alerts.
    """
    out = []
    for kpi, (low, high) in limits.items():
        if kpi not in summary:
            raise ValueError(f"summary has no KPI {kpi!r}; it has {list(summary.columns)}")
        values = summary[kpi].to_numpy(float)
        if low is not None:
            out.append(_alerts(summary.index, kpi, values, np.full(len(values), low), values < low, "below threshold"))
        if high is not None:
            out.append(
                _alerts(summary.index, kpi, values, np.full(len(values), high), values > high, "above threshold")
            )
    return _sorted(out)


def p_chart(
    successes: pd.Series,
    trials: pd.Series,
    kpi: str,
    *,
    side: str = "both",
    sigmas: float = 3.0,
    baseline: int | None = None,
    centre: float | None = None,
) -> pd.DataFrame:
    """Shewhart p-chart of a share with a different number of trials each period.

    Centre p = sum(successes) / sum(trials) over the first ``baseline``
    periods (all if None), or the given standard ``centre`` (a target such as
    an SLA); limits p +- sigmas * sqrt(p (1 - p) / n_t), so a quiet day gets
    wider limits than a busy one and a day with 4 tickets is not judged like
    a day with 400.  ``side`` 'upper' flags
    spikes (return rate), 'lower' drops (conversion), 'both' either.
    Returns every period with value, centre, lcl, ucl and ``alert``.
    """
    if side not in ("upper", "lower", "both"):
        raise ValueError(f"side must be 'upper', 'lower' or 'both', not {side!r}")
    check_values(sigmas, "sigmas", 0)
    n = check_values(trials, f"{kpi} trials", 0)
    k = check_values(successes, f"{kpi} successes", 0)
    if np.any(k > n):
        raise ValueError(f"{kpi} successes must be in [0, trials]")
    if centre is None:
        stop = baseline if baseline is not None else len(n)
        if n[:stop].sum() == 0:
            raise ValueError(f"{kpi}: the baseline periods have no trials to estimate the centre line from")
        centre = k[:stop].sum() / n[:stop].sum()
    check_values(centre, "centre", 0, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / n, np.nan)
        half = sigmas * np.sqrt(centre * (1 - centre) / n)
    # limits at or beyond 0 and 1 (up to rounding) cannot be crossed
    lcl = np.where(centre - half > 1e-12, centre - half, 0.0)
    ucl = np.where(centre + half < 1 - 1e-12, centre + half, 1.0)
    alert = ((rate > ucl) & (side != "lower")) | ((rate < lcl) & (side != "upper"))
    return pd.DataFrame(
        {"kpi": kpi, "value": rate, "centre": centre, "lcl": lcl, "ucl": ucl, "alert": alert}, index=successes.index
    )


def ewma_chart(
    values: pd.Series,
    kpi: str,
    *,
    lam: float = 0.2,
    sigmas: float = 3.0,
    baseline: int | None = None,
    side: str = "both",
) -> pd.DataFrame:
    """EWMA control chart of a KPI: catches small sustained shifts a Shewhart chart misses.

    mu0 and sigma are the mean and standard deviation of the first
    ``baseline`` periods (all if None); z_t = lam x_t + (1 - lam) z_(t-1),
    z_0 = mu0, with limits mu0 +- sigmas * sigma * sqrt(lam / (2 - lam) *
    (1 - (1 - lam)^(2t))) (Roberts 1959; Montgomery, Statistical Quality
    Control, ch. 9).  Periods without a value carry z forward.
    """
    if side not in ("upper", "lower", "both"):
        raise ValueError(f"side must be 'upper', 'lower' or 'both', not {side!r}")
    check_values(lam, "lam", 1e-6, 1)
    x = np.asarray(values, dtype=float)
    base = x[:baseline] if baseline is not None else x
    base = base[~np.isnan(base)]
    if len(base) < 2:
        raise ValueError(f"{kpi}: the baseline must cover at least 2 periods with a value")
    mu0, sigma = base.mean(), base.std(ddof=1)
    z = np.empty(len(x))
    level = mu0
    for t, value in enumerate(x):
        level = level if np.isnan(value) else lam * value + (1 - lam) * level
        z[t] = level
    steps = np.arange(1, len(x) + 1)
    half = sigmas * sigma * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * steps)))
    alert = ((z > mu0 + half) & (side != "lower")) | ((z < mu0 - half) & (side != "upper"))
    return pd.DataFrame(
        {"kpi": kpi, "value": x, "ewma": z, "lcl": mu0 - half, "ucl": mu0 + half, "alert": alert}, index=values.index
    )


def chart_alerts(chart: pd.DataFrame, rule: str) -> pd.DataFrame:
    """The alerting rows of a :func:`p_chart` or :func:`ewma_chart`, as alert rows (limit = the crossed one)."""
    plotted = chart["ewma"] if "ewma" in chart else chart["value"]
    limit = np.where(plotted > chart["ucl"], chart["ucl"], chart["lcl"])
    return _alerts(chart.index, str(chart["kpi"].iloc[0]) if len(chart) else "", plotted, limit, chart["alert"], rule)


def early_warnings(
    tables: Mapping[str, pd.DataFrame],
    freq: str = "D",
    *,
    sla_hours: float = kpis.DEFAULT_SLA_HOURS,
    sla_target: float = 0.9,
    baseline: int | None = None,
    sigmas: float = 3.0,
) -> pd.DataFrame:
    """The four standard warnings, each run when the tables have its inputs.

    * return-rate spike: upper p-chart of returned / delivered orders (the
      ``sim.results.kpis.return_rate`` base), orders grouped by placed_at period;
    * conversion drop: lower p-chart of orders / sessions;
    * SLA breach: lower p-chart of tickets answered within ``sla_hours`` /
      tickets answered (``sim.results.kpis.sla_attainment``) around the standard
      ``sla_target``, so a day with a handful of tickets alerts only when it
      is clearly below target;
    * price anomaly: ``average_order_value`` outside its EWMA limits (a
      mispriced product or a runaway discount code moves it).
    Rules whose tables or columns are missing are listed in ``attrs["skipped"]``.
    """
    summary = kpi_summary(tables, freq, sla_hours=sla_hours)
    orders, daily = tables.get("orders"), tables.get("daily")
    out, skipped = [], []
    if orders is not None and "returned" in orders:
        base = orders[orders["delivered_at"].notna()] if "delivered_at" in orders else orders
        period = _periods(base, "orders", freq)
        counts = base["returned"].astype(bool).groupby(period).agg(["sum", "size"]).reindex(summary.index, fill_value=0)
        out.append(
            chart_alerts(
                p_chart(counts["sum"], counts["size"], "return_rate", side="upper", sigmas=sigmas, baseline=baseline),
                "p-chart upper limit",
            )
        )
    else:
        skipped.append("return-rate spike (orders.returned)")
    if "conversion_rate" in summary:
        assert orders is not None and daily is not None  # the KPI needs both tables
        sessions = daily.groupby(_periods(daily, "daily", freq))["sessions"].sum().reindex(summary.index, fill_value=0)
        orders_n = orders.groupby(_periods(orders, "orders", freq)).size().reindex(summary.index, fill_value=0)
        out.append(
            chart_alerts(
                p_chart(orders_n, sessions, "conversion_rate", side="lower", sigmas=sigmas, baseline=baseline),
                "p-chart lower limit",
            )
        )
    else:
        skipped.append("conversion drop (orders and daily.sessions)")
    tickets = tables.get("tickets")
    if "sla_attainment" in summary:
        assert tickets is not None  # the KPI needs the tickets table
        answered = tickets[tickets["first_response_at"].notna()]
        hours = (answered["first_response_at"] - answered["opened_at"]).dt.total_seconds() / 3600
        counts = (hours <= sla_hours).groupby(_periods(answered, "tickets", freq)).agg(["sum", "size"])
        counts = counts.reindex(summary.index, fill_value=0)
        out.append(
            chart_alerts(
                p_chart(
                    counts["sum"], counts["size"], "sla_attainment", side="lower", sigmas=sigmas, centre=sla_target
                ),
                "p-chart lower limit (target)",
            )
        )
    else:
        skipped.append("SLA breach (tickets)")
    if "average_order_value" in summary:
        out.append(
            chart_alerts(
                ewma_chart(summary["average_order_value"], "average_order_value", sigmas=sigmas, baseline=baseline),
                "EWMA limit",
            )
        )
    else:
        skipped.append("price anomaly (orders)")
    alerts = _sorted(out)
    alerts.attrs["skipped"] = skipped
    return alerts


def _sorted(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["date", "kpi"], kind="stable").reset_index(drop=True)
