"""The workshop's live controls: six settings as scenario overrides, a rerun with the same seed, the changes drawn."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest

from playbook.report import notebook
from playbook.report.notebook import Run
from playbook.workshop import controls


@pytest.fixture(scope="module")
def quarter() -> Run:
    return notebook.setup("data/scenarios/baseline.yaml", seed=7, days=30, replications=2, show=False, language="en")


def test_controls_at_the_scenario_settings_reproduce_the_baseline(quarter: Run) -> None:
    # same scenario, same seed: byte-identical KPIs, so every change is exactly zero
    frame = controls.panel(quarter)
    assert set(frame.index) == {k for k in controls.KPIS if k in frame.index} and len(frame) >= 5
    assert (frame["baseline"] == frame["yours"]).all()


def test_a_control_reruns_the_quarter_with_its_lever(quarter: Run) -> None:
    settings = {**controls.defaults(quarter.scenario), "no_reason": True, "promo_depth": 0.3}
    moved = controls.overrides(quarter.scenario, quarter.days, settings)
    assert moved["returns.no_reason_returns"] is True and moved["pricing.promotions"]["workshop sale"]["depth"] == 0.3
    # a fixed seed makes this deterministic; 4 s slower pages lose visitors at every step of the funnel
    frame = controls.panel(quarter, {"load_time": 6.0})  # three times the baseline's 2 s
    assert frame.at["conversion_rate", "yours"] < frame.at["conversion_rate", "baseline"]


def test_defaults_read_the_scenario_and_a_sale_only_when_it_has_depth(baseline) -> None:
    settings = controls.defaults(baseline)
    assert settings == {
        "agents": baseline.service.agents, "pickers": baseline.warehouse.pickers, "load_time": 2.0,
        "ad_budget": 200.0, "promo_depth": 0.0, "no_reason": False,
    }  # fmt: skip
    assert controls.paid_channel(baseline) == "paid_search"
    plain = controls.overrides(baseline, 90, settings)
    assert "pricing.promotions" not in plain and plain["traffic.channels.paid_search.daily_budget"] == 200.0
    sale = controls.overrides(baseline, 90, {**settings, "promo_depth": 0.2})["pricing.promotions"]["workshop sale"]
    assert sale == {"start": "2026-02-19", "days": controls.SALE_DAYS, "depth": 0.2}, "mid-quarter: day 45"
    baseline.with_overrides(controls.overrides(baseline, 90, {**settings, "promo_depth": 0.2}))  # a valid scenario


def test_a_store_without_paid_traffic_has_no_budget_control(baseline) -> None:
    free = baseline.with_overrides({"traffic.channels.paid_search.daily_budget": 0.0})
    assert controls.paid_channel(free) == "paid_search" and controls.defaults(free)["ad_budget"] == 0.0


def test_changes_in_percent_and_nan_against_a_zero_baseline() -> None:
    frame = controls.changes(
        {"sessions": 100.0, "net_revenue": 0.0, "not_shown": 1.0}, {"sessions": 125.0, "net_revenue": 5.0}
    )
    assert list(frame.index) == ["sessions", "net_revenue"]
    assert frame.at["sessions", "change_pct"] == pytest.approx(25.0) and math.isnan(
        frame.at["net_revenue", "change_pct"]
    )


def test_the_change_chart_colours_good_news_green(quarter: Run) -> None:
    frame = controls.changes({"sessions": 100.0, "return_rate": 0.1}, {"sessions": 110.0, "return_rate": 0.12})
    fig = controls.change_chart(frame, quarter)
    bars = fig.axes[0].patches
    green, red = (0x2A / 255, 0x9D / 255, 0x8F / 255, 1.0), (0xE7 / 255, 0x6F / 255, 0x51 / 255, 1.0)
    assert [b.get_facecolor() for b in bars] == [pytest.approx(green), pytest.approx(red)], "more returns are bad"
    assert fig.axes[0].get_xlabel() and "30" in fig.axes[0].get_title()
    plt.close(fig)
