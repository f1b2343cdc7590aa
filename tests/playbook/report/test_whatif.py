"""What-if tables and the sentences built from them, and the KPI formats they use."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import sim
from playbook.report import whatif
from playbook.text import units


@pytest.fixture(scope="module")
def wi(baseline):
    return whatif.compare_strategies(
        baseline,
        {
            "late hours": {"service.shift": {"start_hour": 8, "end_hour": 23, "weekdays": list(range(7))}},
            "same": {"service.enabled": True},
        },
        n=4,
        days=21,
        seed=3,
        workers=1,
        baseline="now",
    )


def test_paired_differences_equal_sim_compare(wi, baseline):
    other = baseline.with_overrides({"service.shift": {"start_hour": 8, "end_hour": 23, "weekdays": list(range(7))}})
    ref = sim.compare(baseline, other, n=4, seed=3, days=21, workers=1)
    for kpi in ("first_response_mean_hours", "net_revenue", "conversion_rate"):
        row = wi.row(kpi, "late hours")
        assert row["diff"] == pytest.approx(ref.at[kpi, "diff"])
        assert row["diff_low"] == pytest.approx(ref.at[kpi, "ci_low"])
        assert row["significant"] == ref.at[kpi, "significant"]
        assert row["mean"] == pytest.approx(ref.at[kpi, "mean_b"])
        assert wi.row(kpi, "now")["mean"] == pytest.approx(ref.at[kpi, "mean_a"])


def test_conclusions_follow_the_interval(wi):
    row = wi.row("first_response_mean_hours", "late hours")
    assert row["significant"] and row["diff"] < 0
    text = wi.conclusion("first_response_mean_hours", "late hours")
    assert text.startswith("'late hours' cuts mean first-response time by ")
    assert units.fmt_diff(row["diff_low"], "first_response_mean_hours") in text and "better than 'now'" in text
    assert wi.best("first_response_mean_hours") == "late hours"
    assert "unchanged in all 4 paired runs" in wi.conclusion("net_revenue", "same")
    h = wi.headline("first_response_mean_hours")
    assert h["strategy"] == "late hours" and h["ci_high"] < 0 and h["conclusion"] == text
    assert h["short"].startswith("late hours vs now: Mean first-response time -")
    assert wi.headline("orders", "late hours", against="same")["baseline"] == "same"
    assert math.isclose(h["mean_strategy"] - h["mean_baseline"], h["diff"], rel_tol=1e-9)


def test_not_significant_is_said_so(wi):
    runs = {name: frame.copy() for name, frame in wi.runs.items()}
    runs["late hours"]["orders"] = runs["now"]["orders"] + [3.0, -2.0, 1.0, 0.0]
    text = whatif.WhatIf(wi.table, runs, "now", 4, 21, 3).conclusion("orders", "late hours")
    assert "makes no difference to orders that these runs can detect" in text and "includes 0" in text
    assert "change +0.50 (95% CI -2.81 to +3.81" in text


def test_bad_strategy_names_are_refused(baseline):
    with pytest.raises(ValueError, match="baseline"):
        whatif.compare_strategies(baseline, {"baseline": {}}, n=2, days=2)
    with pytest.raises(ValueError, match="at least one"):
        whatif.compare_strategies(baseline, {}, n=2, days=2)


def test_pair_between_two_strategies_is_paired_by_replication(wi):
    p = wi.pair("first_response_mean_hours", "late hours", "same")
    a = wi.runs["same"]["first_response_mean_hours"]
    b = wi.runs["late hours"]["first_response_mean_hours"]
    assert p["diff"] == pytest.approx((b - a).mean()) and p["mean_a"] == pytest.approx(a.mean())
    assert wi.conclusion("first_response_mean_hours", "late hours", against="same").endswith("than 'same'.")
    with pytest.raises(KeyError, match="strategies"):
        wi.pair("orders", "nope")


def test_interaction_is_joint_change_minus_the_parts(wi):
    mean, lo, hi = wi.interaction("first_response_mean_hours", "late hours", ["same"])
    direct = (
        wi.pair("first_response_mean_hours", "late hours")["diff"]
        - wi.pair("first_response_mean_hours", "same")["diff"]
    )
    assert mean == pytest.approx(direct) and lo <= mean <= hi


def test_headline_picks_the_best_other_strategy_even_when_the_baseline_wins(wi):
    runs = {name: frame.copy() for name, frame in wi.runs.items()}
    runs["late hours"]["orders"] = runs["now"]["orders"] - 20.0
    runs["same"]["orders"] = runs["now"]["orders"] - 5.0
    table = whatif._table(runs, "now", ["orders"])
    h = whatif.WhatIf(table, runs, "now", 4, 21, 3).headline("orders")
    assert h["strategy"] == "same" and h["diff"] == pytest.approx(-5.0) and h["baseline"] == "now"


def test_summary_is_a_chart_of_effects_and_a_compact_table(wi):
    kpis = ["first_response_mean_hours", "net_revenue", "conversion_rate"]
    summary = wi.summary(kpis)
    table = summary.table
    assert list(table.columns) == ["now", "late hours", "same"]
    assert list(table.index) == [
        ("Mean first-response time", "value (h)"),
        ("Mean first-response time", "change (h)"),
        ("Net revenue", "value (€)"),
        ("Net revenue", "change (€)"),
        ("Conversion rate", "value (%)"),
        ("Conversion rate", "change (pp)"),
    ]
    cells = [c for c in table.to_numpy().ravel() if c]
    assert all(c.count("[") <= 1 and "€" not in c and "EUR" not in c for c in cells), "one interval, no unit"
    assert table.loc[("Net revenue", "change (€)"), "same"] == "±0.00", "no interval for a constant"
    row = wi.row("first_response_mean_hours", "late hours")
    assert table.loc[("Mean first-response time", "change (h)"), "late hours"] == (
        f"{row['diff']:.2f} [{row['diff_low']:.2f} – {row['diff_high']:.2f}] *"
    )
    fig = summary.figure()
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [units.name(k) for k in kpis]
    for ax, kpi in zip(panels, kpis, strict=True):
        dots = [line.get_xdata()[0] for line in ax.lines if line.get_marker() == "o"]
        expected = [wi.row(kpi, s)["diff"] * units.scale(kpi) for s in ("late hours", "same")]
        assert dots == pytest.approx(expected)
    page = summary._repr_html_()
    assert page.startswith('<div class="whatif-summary"><img src="data:image/png;base64,') and "http" not in page


# --- the store as it is now and what-ifs relative to it (issue 17: every notebook runs on any scenario) ---------

SCENARIOS = Path(__file__).resolve().parents[3] / "data" / "scenarios"


@pytest.fixture(scope="module")
def growth():
    """growth.yaml staffs its desk with a crew plan: an early (8-14) and a late (14-20) agent, every day."""
    return sim.load_scenario(SCENARIOS / "growth.yaml")


@pytest.fixture(scope="module")
def china():
    return sim.load_scenario(SCENARIOS / "china_store.yaml")


def test_more_people_adds_to_the_head_count_or_to_every_crew_shift(baseline, growth):
    assert whatif.more_people(baseline, "service", 1) == {"service.agents": baseline.service.agents + 1}
    assert whatif.more_people(baseline, "warehouse", -1) == {"warehouse.pickers": baseline.warehouse.pickers - 1}
    more = growth.with_overrides(whatif.more_people(growth, "service", 1))
    assert {n: c.people for n, c in more.service.crew.items()} == {"early": 2, "late": 2}
    assert whatif.head_count(more, "service") == 2 and whatif.head_count(baseline, "warehouse") == 2
    with pytest.raises(sim.ScenarioError, match="service.agents"):  # one agent, five fewer: the schema refuses
        baseline.with_overrides(whatif.more_people(baseline, "service", -5))
    with pytest.raises(ValueError, match="allowed: one of"):
        whatif.more_people(baseline, "marketing", 1)


def test_hours_widen_the_working_day_within_midnight_and_move_it(baseline, growth):
    # the baseline desk sits 10:30-12:00: 2.5 h earlier and 10 h later is 8-22, every day
    wide = baseline.with_overrides(whatif.hours(baseline, "service", 2.5, 10, every_day=True))
    assert (wide.service.shift.start_hour, wide.service.shift.end_hour) == (8, 22)
    assert wide.service.shift.weekdays == whatif.EVERY_DAY
    assert whatif.working_day(baseline.with_overrides(whatif.hours(baseline, "service", 20, 20)), "service") == (0, 24)
    moved = baseline.with_overrides(whatif.hours(baseline, "service", earlier=-1.5, later=10))
    assert whatif.working_day(moved, "service") == (12, 22)
    assert moved.service.shift.weekdays == baseline.service.shift.weekdays
    # a crew: the first shift starts earlier, the last ends later, the hand-over stays
    crew = growth.with_overrides(whatif.hours(growth, "service", 2, 3)).service.crew
    assert [(c.start_hour, c.end_hour) for c in crew.values()] == [(6, 14), (14, 23)]


def test_shifted_keeps_a_score_within_its_range(baseline):
    assert whatif.shifted(baseline, "page.quality", 0.3) == 0.8
    assert whatif.shifted(baseline, "page.quality", 0.9) == 1.0
    assert whatif.shifted(baseline, "page.load_time_s", -5, low=0.1, high=30) == 0.1


def test_channels_skus_and_options_are_found_by_role_not_by_name(baseline, china):
    assert whatif.paid_channel(baseline) == "paid_search" and whatif.paid_channel(china) == "paid_search"
    assert whatif.returning_channel(baseline) == "email" and whatif.returning_channel(china) == "private_domain"
    assert whatif.returning_channel(china, "live_streaming") == "live_streaming"
    with pytest.raises(ValueError, match="'email' is not in the scenario; allowed: one of"):
        whatif.returning_channel(china, "email")
    assert whatif.search_channels(baseline) == ["organic_search"]
    assert whatif.main_sku(baseline) == "tee" and whatif.main_option(china) == "standard"
    no_ads = baseline.with_overrides({"traffic.channels.paid_search.daily_budget": 0.0})
    with pytest.raises(ValueError, match="no paid channel"):
        whatif.paid_channel(no_ads)
    overrides = whatif.every_option(china, "incident_probability", 0.3)
    assert sorted(overrides) == sorted(f"delivery.options.{o}.incident_probability" for o in china.delivery.options)


def test_price_level_and_stock_value_are_the_stores_own(baseline, china):
    assert whatif.median_price(baseline) == 22.5  # 15, 20, 25, 55
    assert whatif.median_price(china) == 59.0  # 29, 39, 79, 169 (CNY)
    skus = baseline.catalogue.skus.values()
    assert whatif.stock_value(baseline) == sum(s.initial_stock * s.unit_cost for s in skus) == 27_600


def test_summary_by_strategy_has_a_row_per_strategy(wi):
    table = wi.summary(["orders", "net_revenue"], by_strategy=True).table
    assert list(table.index) == wi.strategies and table.shape == (3, 4)
    assert table.attrs["note"]
