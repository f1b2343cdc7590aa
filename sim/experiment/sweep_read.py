"""Reading a sweep: the best point under constraints, the points not distinguishable from it, heatmaps.

    from sim.experiment.sweep_read import best, heatmap, indistinguishable, open_sweep
    res = open_sweep("results/agents")        # a sweep folder, or the result of sim.sweep(...)
    best(res, "net_revenue", where=["sla_attainment >= 0.75"])
    indistinguishable(res, "net_revenue", where=["sla_attainment >= 0.75"])
    heatmap(res, "net_revenue", x="service.agents", y="traffic_forecast", fixed={"return_policy": "free_30_days"})

Every figure is a point's mean over its replications with the Student-t 95%
interval of :func:`sim.experiment.sweep.sweep`'s summary.  "Not distinguishable" means
the intervals overlap: a cautious screen.  The sweep's replications share
seeds across points (common random numbers), so a paired comparison of two
finalists with :func:`sim.compare` is sharper than the overlap test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.sweep import SweepResult
from sim.experiment.sweep_definition import load_sweep
from sim.experiment.sweep_store import read_tables
from sim.results.kpis import KPI_BY_NAME
from sim.results.measures import MEASURES
from sim.scenario.schema import rows

_CONSTRAINT = re.compile(r"^\s*([A-Za-z_]\w*)\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def open_sweep(out: str | Path) -> SweepResult:
    """A sweep folder's definition and tables, as written by ``sim.sweep(..., out=...)``."""
    folder = Path(out)
    return SweepResult(load_sweep(folder / "sweep.yaml"), **read_tables(folder), out=folder)


@dataclass(frozen=True)
class Best:
    """The best point for one KPI: its lever values, mean, 95% interval and replications."""

    point: int
    levers: dict[str, Any]
    kpi: str
    mean: float
    ci_low: float
    ci_high: float
    n: int

    def __str__(self) -> str:
        at = ", ".join(f"{k}={v}" for k, v in self.levers.items())
        return (
            f"{self.kpi} {_fmt(self.mean)} (95% CI {_fmt(self.ci_low)} to {_fmt(self.ci_high)}, "
            f"n={self.n}) at point {self.point}: {at}"
        )


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _check_kpi(result: SweepResult, kpi: str) -> None:
    if kpi not in result.definition.kpis:
        raise ValueError(f"kpi = {kpi!r}: not collected by this sweep; allowed: {', '.join(result.definition.kpis)}")


def _unit_and_direction(kpi: str) -> tuple[str, bool]:
    """(unit, higher is better) of a shared KPI or a simulation-only measure."""
    if kpi in KPI_BY_NAME:
        return KPI_BY_NAME[kpi].unit, KPI_BY_NAME[kpi].higher_is_better
    return MEASURES[kpi]


def _higher(kpi: str, maximize: bool | None) -> bool:
    return _unit_and_direction(kpi)[1] if maximize is None else maximize


def feasible(result: SweepResult, where: Iterable[str] = (), confident: bool = False) -> pd.DataFrame:
    """Summary rows with at least one successful replication that meet every constraint.

    A constraint reads ``"kpi >= number"`` (or ``<=``, ``>``, ``<``) and is
    tested on the KPI's mean; with ``confident=True`` the whole 95% interval
    must meet it (the low end for ``>``/``>=``, the high end for ``<``/``<=``).
    """
    s = result.summary[result.summary["n_ok"] > 0]
    for text in [where] if isinstance(where, str) else where:
        m = _CONSTRAINT.match(text)
        if not m:
            raise ValueError(
                f"where = {text!r}: allowed form: 'kpi >= number' (or <=, >, <), e.g. 'sla_attainment >= 0.9'"
            )
        kpi, op, value = m.group(1), m.group(2), float(m.group(3))
        _check_kpi(result, kpi)
        col = f"{kpi}_{'mean' if not confident else 'ci_low' if op.startswith('>') else 'ci_high'}"
        test = {">=": s[col] >= value, "<=": s[col] <= value, ">": s[col] > value, "<": s[col] < value}[op]
        s = s[test]
    return s


def best(
    result: SweepResult, kpi: str, where: Iterable[str] = (), maximize: bool | None = None, confident: bool = False
) -> Best:
    """The point with the best mean ``kpi`` among those meeting ``where`` (see :func:`feasible`).

    Best is the highest mean when the KPI is higher-is-better in
    ``sim.results.kpis`` (``maximize`` overrides).  Ties go to the lowest point number.
    """
    _check_kpi(result, kpi)
    s = feasible(result, where, confident).dropna(subset=[f"{kpi}_mean"])
    if s.empty:
        raise ValueError(f"no point of sweep {result.definition.name!r} meets {list(where)!r} with a value of {kpi}")
    row = (
        s.sort_values([f"{kpi}_mean", "point"], ascending=[not _higher(kpi, maximize), True], kind="stable")
        .head(1)
        .to_dict("records")[0]
    )  # records keep each column's type
    return Best(
        point=row["point"],
        levers={k: row[k] for k in result.definition.lever_names},
        kpi=kpi,
        mean=row[f"{kpi}_mean"],
        ci_low=row[f"{kpi}_ci_low"],
        ci_high=row[f"{kpi}_ci_high"],
        n=row["n_ok"],
    )


def indistinguishable(
    result: SweepResult, kpi: str, where: Iterable[str] = (), maximize: bool | None = None, confident: bool = False
) -> pd.DataFrame:
    """The best point and every feasible point whose 95% interval overlaps the best one's, best first."""
    top = best(result, kpi, where, maximize, confident)
    s = feasible(result, where, confident)
    overlap = (s[f"{kpi}_ci_high"] >= top.ci_low) & (s[f"{kpi}_ci_low"] <= top.ci_high)
    cols = ["point", *result.definition.lever_names, "n_ok", f"{kpi}_mean", f"{kpi}_ci_low", f"{kpi}_ci_high"]
    return (
        s.loc[overlap | (s["point"] == top.point), cols]
        .sort_values([f"{kpi}_mean", "point"], ascending=[not _higher(kpi, maximize), True], kind="stable")
        .reset_index(drop=True)
    )


def lever_label(name: str) -> str:
    """``service.agents`` -> ``"service.agents (people)"`` from the scenario schema; option sets as they are."""
    for r in rows():
        pattern = "^" + re.escape(r["path"]).replace(re.escape("<name>"), r"[^.]+") + "$"
        if re.match(pattern, name) and r["unit"] not in ("", "-"):
            return f"{name} ({r['unit']})"
    return name


def heatmap(
    result: SweepResult, kpi: str, x: str, y: str, fixed: Mapping[str, Any] | None = None, ax: Any = None
) -> Any:
    """A heatmap of the mean ``kpi`` over levers ``x`` and ``y``, other levers held at ``fixed``; returns the Axes.

    Cells are annotated with the mean; the colour scale runs from worse
    (dark) to better (bright) by the KPI's direction.
    """
    import matplotlib.pyplot as plt

    _check_kpi(result, kpi)
    names = result.definition.lever_names
    fixed = dict(fixed or {})
    for name in (x, y, *fixed):
        if name not in names:
            raise ValueError(f"lever {name!r}: not in this sweep; allowed: {', '.join(names)}")
    s = result.summary
    for name, value in fixed.items():
        s = s[s[name] == value]
    varying = [n for n in names if n not in (x, y, *fixed) and s[n].nunique() > 1]
    if varying:
        raise ValueError(f"lever {varying[0]!r} varies too: hold it with fixed={{{varying[0]!r}: value}}")
    if s[[x, y]].duplicated().any():
        raise ValueError(f"several points share one ({x}, {y}) cell: a heatmap needs a grid sweep")
    grid = s.pivot(index=y, columns=x, values=f"{kpi}_mean").reindex(index=pd.unique(s[y]), columns=pd.unique(s[x]))
    if ax is None:
        _, ax = plt.subplots(figsize=(1.4 * len(grid.columns) + 3, 0.8 * len(grid.index) + 2))
    cmap = "viridis" if _higher(kpi, None) else "viridis_r"
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
    for (i, j), value in pd.DataFrame(grid.to_numpy(dtype=float)).stack().items():
        r, g, b, _ = image.cmap(image.norm(value))
        ax.text(
            j,
            i,
            _fmt(value),
            ha="center",
            va="center",
            fontsize=8,
            color="black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white",
        )
    unit = _unit_and_direction(kpi)[0]
    ax.set_xlabel(lever_label(x))
    ax.set_ylabel(lever_label(y))
    held = "; ".join(f"{k}={v}" for k, v in fixed.items())
    ax.set_title(
        f"{result.definition.name}: mean {kpi} over {result.definition.replications} replications"
        + (f"\n{held}" if held else "")
    )
    ax.figure.colorbar(image, ax=ax, label=f"{kpi} ({unit})")
    return ax
