"""The notebooks' plots on one simulated run: each has a title and axis labels with units, and draws its data."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from playbook.analysis import alerts, cohorts  # noqa: E402
from playbook.analysis import funnel as funnel_analysis  # noqa: E402
from playbook.report import plots  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def labelled(ax) -> bool:
    return bool(ax.get_title() or ax.figure._suptitle) and bool(ax.get_xlabel() or ax.get_ylabel())


def test_waits_and_delays(baseline_run):
    tickets = {"now": baseline_run.tickets}
    ax = plots.queue_waits(tickets, sla_hours=12.0)
    assert labelled(ax) and len(ax.lines) >= 2  # the run and the SLA line
    ax = plots.waits_by_hour(tickets, sla_hours=12.0)
    assert labelled(ax) and "h" in ax.get_ylabel()
    ax = plots.delays_over_time(
        {"now": baseline_run.orders}, "placed_at", "delivered_at", what="delivery", target_hours=72.0
    )
    assert labelled(ax) and ax.lines


def test_funnel_daily_series_and_cohorts(baseline_run):
    steps = funnel_analysis.funnel(baseline_run.daily, "channel")
    ax = plots.funnel(steps)
    assert labelled(ax) and len(ax.patches) == len(steps)  # one bar per step after the first
    ax = plots.daily_series(baseline_run.daily, "sessions", unit="sessions")
    assert labelled(ax) and ax.get_legend() is not None
    matrix = cohorts.retention_matrix(baseline_run.orders)
    ax = plots.cohort_heatmap(matrix, "share still buying")
    assert labelled(ax) and ax.images


def test_response_curve_and_score_bars():
    ax = plots.response_curve(
        [1, 2, 3],
        [0.1, 0.2, 0.25],
        [0.05, 0.15, 0.2],
        [0.15, 0.25, 0.3],
        xlabel="agents",
        ylabel="SLA (share)",
        title="SLA against agents",
    )
    assert ax.get_xlabel() == "agents" and ax.get_ylabel() == "SLA (share)" and ax.get_title() == "SLA against agents"
    scored = pd.DataFrame({"sku": ["a", "b"], "u_demand": [1.0, 0.2], "u_margin": [0.5, 0.9]})
    ax = plots.score_bars(scored, {"demand": 2.0, "margin": 1.0})
    assert labelled(ax) and len(ax.patches) == 4


def test_the_loop_and_the_shown_rating(baseline, baseline_run):
    rating = plots.shown_rating(baseline_run)
    assert len(rating) == baseline_run.days and rating.between(1, 5).all()
    assert rating.iloc[0] == pytest.approx(baseline.reviews.initial_rating, abs=0.5)
    top, bottom = plots.loop({"now": baseline_run})
    assert top.lines and bottom.lines and top.get_ylabel() and bottom.get_ylabel()


def test_fatigue_curve_and_control_chart(baseline_run):
    sku = baseline_run.sku_daily["sku"].iloc[0]
    top, bottom = plots.fatigue_curve(baseline_run.sku_daily, sku)
    assert top.lines and bottom.get_ylabel()
    daily = baseline_run.daily.groupby("date")[["sessions", "orders"]].sum()
    chart = alerts.p_chart(daily["orders"], daily["sessions"], "conversion_rate")
    ax = plots.control_chart(chart, "conversion (share)", percent=True)
    assert labelled(ax) and len(ax.lines) >= 3  # values, centre and a limit
    assert np.isfinite(chart["centre"]).all()


def test_a_what_if_draws_bars_and_effects(baseline):
    from playbook.report.whatif import compare_strategies

    wi = compare_strategies(baseline, {"3 agents": {"service.agents": 3}}, n=2, days=10, seed=1, workers=1)
    ax = plots.whatif_bars(wi, "first_response_mean_hours")
    assert labelled(ax) and len(ax.patches) == 2
    ax = plots.change_bars(wi, ["first_response_mean_hours", "orders"])
    assert labelled(ax)
    fig = plots.effects(wi, ["first_response_mean_hours"])
    assert fig.axes and fig._suptitle is not None


@pytest.fixture(scope="module")
def twin_store():
    """The bundled orders CSV beside three runs of its calibrated twin (56 days each)."""
    from playbook.analysis import twin
    from playbook.analysis.calibrate import calibrate
    from playbook.analysis.calibrate_command import load_export

    orders, _ = load_export(SAMPLES / "orders_sample.csv", "csv", tz="Europe/Berlin", currency="EUR", keep_ids=False)
    return twin.simulate_twin(orders, calibrate(orders), n=3, seed=2)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_your_store_beside_its_twin(twin_store, language):
    """Four panels of notebook 13, each titled with units on its axes, in the language asked for."""
    from playbook.analysis import twin

    han = re.compile(r"[\u4e00-\u9fff]")
    axes = [
        plots.twin_daily(twin.daily_band(twin_store), twin_store.n, language=language),
        plots.twin_values(*twin.order_values(twin_store), "EUR", language=language),
        plots.twin_repeat(twin.repeat_band(twin_store), twin_store.n, language=language),
        plots.twin_profile(twin.profile(twin_store.comparison, "weekday_"), "weekday", language=language),
        plots.twin_profile(twin.profile(twin_store.comparison, "hour_"), "hour", language=language),
    ]
    for ax in axes:
        assert labelled(ax) and re.search(r"[(（].+[)）]$", ax.get_ylabel())  # the unit in brackets
        assert bool(han.search(ax.get_title())) == (language == "zh")
    daily, values, repeat, week, hours = axes
    assert len(daily.lines) == 2 and daily.collections  # the export, the twin's mean, the runs' range
    assert values.lines[-1].get_ydata()[-1] == pytest.approx(100.0)  # cumulative: all orders at the largest value
    assert max(repeat.lines[-1].get_ydata()) == pytest.approx(
        100 * twin_store.comparison.loc["repeat_customer_share", "observed"]
    )
    assert len(week.patches) == 14 and len(hours.patches) == 48  # export and twin, per weekday / per hour
