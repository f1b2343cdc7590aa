"""Reading a sweep: best point under constraints, points not distinguishable from it, heatmap, folder reload."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

import sim
from sim.experiment.sweep import SweepResult
from sim.experiment.sweep_definition import SweepDefinition
from sim.experiment.sweep_read import best, feasible, heatmap, indistinguishable, lever_label, open_sweep
from tests.conftest import SCENARIOS

matplotlib.use("Agg")


def definition(**levers) -> SweepDefinition:
    return SweepDefinition.from_dict(
        {
            "name": "t",
            "scenario": "baseline.yaml",
            "replications": 4,
            "days": 7,
            "kpis": ["net_revenue", "sla_attainment", "return_rate"],
            "levers": levers or {"service.agents": [1, 2, 3]},
        },
        base_dir=SCENARIOS,
    )


def handmade(rows: list[tuple[float, float, float, float, float]]) -> SweepResult:
    """A summary with given (net_revenue mean, ci half-width, sla mean, sla half-width, return_rate mean)."""
    d = definition(**{"service.agents": list(range(1, len(rows) + 1))})
    s = pd.DataFrame({"point": range(len(rows)), "service.agents": range(1, len(rows) + 1), "n_ok": 4, "n_failed": 0})
    for i, (rev, rh, sla, sh, ret) in enumerate(rows):
        for kpi, m, h in (("net_revenue", rev, rh), ("sla_attainment", sla, sh), ("return_rate", ret, 0.01)):
            s.loc[i, [f"{kpi}_mean", f"{kpi}_ci_low", f"{kpi}_ci_high"]] = [m, m - h, m + h]
    return SweepResult(d, results=pd.DataFrame(), summary=s, failures=pd.DataFrame(), out=None)


RES = handmade(
    [
        (100, 5, 0.95, 0.01, 0.10),  # point 0: feasible at sla >= 0.9, revenue 100
        (120, 5, 0.85, 0.01, 0.12),  # point 1: best revenue, misses sla >= 0.9
        (104, 3, 0.93, 0.04, 0.08),  # point 2: best feasible; its interval 101-107
        (90, 5, 0.99, 0.01, 0.15),
    ]
)  # point 3: interval 85-95, clear of point 2's


def test_best_maximises_or_minimises_by_the_kpi_direction():
    assert best(RES, "net_revenue").point == 1
    assert best(RES, "return_rate").point == 2  # lower is better
    assert best(RES, "return_rate", maximize=True).point == 3


def test_best_under_a_constraint_reports_its_interval():
    b = best(RES, "net_revenue", where=["sla_attainment >= 0.9"])
    assert (b.point, b.levers, b.mean, b.ci_low, b.ci_high, b.n) == (2, {"service.agents": 3}, 104, 101, 107, 4)
    assert "net_revenue 104 (95% CI 101 to 107, n=4) at point 2: service.agents=3" == str(b)
    # the whole interval must clear 0.9: point 2 (0.89-0.97) drops out
    assert best(RES, "net_revenue", where="sla_attainment >= 0.9", confident=True).point == 0


def test_points_with_overlapping_intervals_are_not_distinguishable_from_the_best():
    table = indistinguishable(RES, "net_revenue", where=["sla_attainment >= 0.9"])
    assert table["point"].tolist() == [2, 0]  # 0 (95-105) overlaps 101-107; 3 (85-95) does not
    assert list(table.columns[:2]) == ["point", "service.agents"]


def test_constraints_and_kpis_are_checked():
    assert feasible(RES, ["net_revenue > 95", "return_rate < 0.12"])["point"].tolist() == [0, 2]
    with pytest.raises(ValueError, match="allowed form: 'kpi >= number'"):
        best(RES, "net_revenue", where=["sla_attainment => 0.9"])
    with pytest.raises(ValueError, match="kpi = 'orders': not collected by this sweep"):
        best(RES, "orders")
    with pytest.raises(ValueError, match="no point of sweep 't' meets"):
        best(RES, "net_revenue", where=["sla_attainment >= 1.5"])


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory) -> SweepResult:
    out = tmp_path_factory.mktemp("sweep") / "g"
    d = definition(**{"service.agents": [1, 2], "page.load_time_s": [1.5, 3.0], "returns.free_returns": [True, False]})
    sim.sweep(d, executor=1, out=out, progress=False)
    return open_sweep(out)


def test_a_sweep_folder_reads_back(grid_sweep):
    assert grid_sweep.complete and len(grid_sweep.summary) == 8 and len(grid_sweep.results) == 32
    assert grid_sweep.definition.lever_names == ("service.agents", "page.load_time_s", "returns.free_returns")
    assert best(grid_sweep, "net_revenue").n == 4


def test_heatmap_of_two_levers_with_title_and_units(grid_sweep):
    ax = heatmap(
        grid_sweep, "net_revenue", x="service.agents", y="page.load_time_s", fixed={"returns.free_returns": True}
    )
    assert ax.get_xlabel() == "service.agents (people)" and ax.get_ylabel() == "page.load_time_s (s)"
    assert "mean net_revenue over 4 replications" in ax.get_title() and "returns.free_returns=True" in ax.get_title()
    assert ax.images[0].get_array().shape == (2, 2)
    assert ax.figure.axes[1].get_ylabel() == "net_revenue (money)"
    assert len(ax.texts) == 4
    with pytest.raises(ValueError, match="lever 'returns.free_returns' varies too"):
        heatmap(grid_sweep, "net_revenue", x="service.agents", y="page.load_time_s")
    with pytest.raises(ValueError, match="lever 'service.agent': not in this sweep"):
        heatmap(grid_sweep, "net_revenue", x="service.agent", y="page.load_time_s")


def test_lever_labels_come_from_the_schema():
    assert (
        lever_label("traffic.channels.email.sessions_per_day") == "traffic.channels.email.sessions_per_day "
        "(sessions/day)"
    )
    assert lever_label("traffic_forecast") == "traffic_forecast"


def test_a_sweep_can_optimise_operating_profit(tmp_path):
    """Measures (costs, operating profit) are collectable and readable like the shared KPIs."""
    import sim
    from sim.experiment.sweep_read import best
    from tests.conftest import SCENARIOS

    path = tmp_path / "profit.yaml"
    path.write_text(
        f"scenario: {SCENARIOS / 'baseline.yaml'}\nreplications: 2\ndays: 10\nseed: 3\n"
        "kpis: [operating_profit, labour_cost]\nlevers:\n  service.agents: [1, 2]\n"
    )
    res = sim.sweep(path, executor=1, progress=False)
    top = best(res, "operating_profit")
    # one agent costs less labour than two, and nothing else in 10 days pays for the second
    assert top.levers["service.agents"] == 1 and top.kpi == "operating_profit"
    summary = res.summary.set_index("service.agents")
    assert summary.loc[2, "labour_cost_mean"] > summary.loc[1, "labour_cost_mean"]
