"""KPI summaries through sim.results.kpis, control-chart formulas, and the four early warnings on injected faults."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
import sim.results.kpis as kpis
from playbook.analysis.alerts import early_warnings, ewma_chart, kpi_summary, p_chart, threshold_alerts

DAYS = pd.date_range("2024-03-01", periods=60, freq="D")
SPIKE, DROP, BREACH, PRICE = DAYS[40], DAYS[45], DAYS[50], DAYS[55]


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(2024)
    sessions = rng.poisson(5000, len(DAYS))
    orders, tickets = [], []
    for day, n_sessions in zip(DAYS, sessions, strict=True):
        n = rng.binomial(n_sessions, 0.015 if day == DROP else 0.03)
        placed = day + pd.to_timedelta(rng.uniform(0, 86_400, n), unit="s")
        price = 1.5 if day == PRICE else 1.0
        orders.append(
            pd.DataFrame(
                {
                    "placed_at": placed,
                    "revenue": price * rng.normal(40, 10, n).clip(5),
                    "refund": 0.0,
                    "returned": rng.random(n) < (0.3 if day == SPIKE else 0.1),
                    "delivered_at": placed + pd.Timedelta(days=2),
                }
            )
        )
        opened = day + pd.to_timedelta(rng.uniform(0, 86_400, 20), unit="s")
        wait = rng.exponential(48 if day == BREACH else 4, 20)
        tickets.append(
            pd.DataFrame(
                {
                    "opened_at": opened,
                    "first_response_at": opened + pd.to_timedelta(wait, unit="h"),
                    "resolved_at": opened + pd.to_timedelta(wait + 1, unit="h"),
                    "handled_by": "agent",
                }
            )
        )
    orders = pd.concat(orders, ignore_index=True)
    orders.insert(0, "order_id", np.arange(len(orders)))
    orders.insert(1, "customer_id", rng.integers(0, 1500, len(orders)))
    daily = pd.DataFrame({"date": DAYS, "channel": "all", "sessions": sessions, "spend": 100.0})
    return {"orders": orders, "daily": daily, "tickets": pd.concat(tickets, ignore_index=True)}


def test_summary_is_sim_kpis_per_period(tables):
    daily = kpi_summary(tables, "D")
    assert len(daily) == 60 and daily["orders"].sum() == len(tables["orders"])
    weekly = kpi_summary(tables, "W")
    assert weekly.index[0] == pd.Timestamp("2024-02-26")  # weeks start on Monday
    march = kpi_summary(tables, "M").loc["2024-03-01"]
    in_march = {
        name: frame[frame[col].dt.month == 3]
        for (name, frame), col in zip(tables.items(), ("placed_at", "date", "opened_at"), strict=True)
    }
    expected = kpis.compute(in_march)
    assert march["conversion_rate"] == pytest.approx(expected["conversion_rate"])
    assert march["sla_attainment"] == pytest.approx(expected["sla_attainment"])
    assert set(expected) == set(march.dropna().index) | set(march.index[march.isna()])


def test_p_chart_limits_by_formula():
    chart = p_chart(pd.Series([5, 10, 30]), pd.Series([100, 100, 100]), "return_rate", side="upper", baseline=2)
    p = 15 / 200
    assert chart["centre"].iloc[0] == pytest.approx(p)
    assert chart["ucl"].iloc[0] == pytest.approx(p + 3 * np.sqrt(p * (1 - p) / 100))
    assert chart["alert"].tolist() == [False, False, True]
    target = p_chart(pd.Series([3, 18]), pd.Series([4, 20]), "sla_attainment", side="lower", centre=0.9)
    assert target["lcl"].tolist() == pytest.approx([0.9 - 3 * np.sqrt(0.09 / 4), 0.9 - 3 * np.sqrt(0.09 / 20)])
    assert target["alert"].tolist() == [False, False]  # 3 of 4 is within the noise of a 90% target
    one = p_chart(pd.Series([0]), pd.Series([1]), "sla_attainment", side="lower", centre=0.9)
    assert one["lcl"].item() == 0.0 and not one["alert"].item()  # one ticket cannot breach a 3-sigma limit
    with pytest.raises(ValueError, match=r"successes must be in \[0, trials\]"):
        p_chart(pd.Series([5]), pd.Series([4]), "x")


def test_ewma_recursion_and_limits():
    values = pd.Series([10.0, 12.0, 8.0, 10.0, 20.0])
    chart = ewma_chart(values, "aov", lam=0.5, baseline=4)
    mu, sd = 10.0, np.std([10, 12, 8, 10], ddof=1)
    assert chart["ewma"].tolist() == pytest.approx([10.0, 11.0, 9.5, 9.75, 14.875])
    assert chart["ucl"].iloc[0] == pytest.approx(mu + 3 * sd * np.sqrt(0.5 / 1.5 * (1 - 0.25)))
    assert chart["alert"].tolist() == [False, False, False, False, True]


def test_early_warnings_find_each_injected_fault(tables):
    alerts = early_warnings(tables, "D", sla_target=0.9, baseline=30)
    dates = {kpi: list(group["date"]) for kpi, group in alerts.groupby("kpi")}
    # each fault is caught; a 3-sigma one-sided chart may also raise ~0.1% false alarms a day
    for kpi, fault in (("return_rate", SPIKE), ("conversion_rate", DROP), ("sla_attainment", BREACH)):
        assert fault in dates[kpi] and len(dates[kpi]) <= 2, kpi
    assert min(dates["average_order_value"]) == PRICE  # the EWMA stays high for a few days after
    assert set(alerts.columns) == {"date", "kpi", "value", "limit", "rule"} and alerts.attrs["skipped"] == []


def test_missing_inputs_are_skipped_not_guessed(tables):
    alerts = early_warnings({"orders": tables["orders"].drop(columns="returned")}, baseline=30)
    assert set(alerts["kpi"]) <= {"average_order_value"}
    assert len(alerts.attrs["skipped"]) == 3


def test_thresholds_and_bad_input(tables):
    summary = kpi_summary(tables, "W")
    flagged = threshold_alerts(summary, {"return_rate": (None, 0.0)})
    assert len(flagged) == len(summary) and (flagged["rule"] == "above threshold").all()
    with pytest.raises(ValueError, match="no KPI 'nps'"):
        threshold_alerts(summary, {"nps": (0, None)})
    with pytest.raises(ValueError, match="freq"):
        kpi_summary(tables, "Q")
    with pytest.raises(ValueError, match="placed_at"):
        kpi_summary({"orders": tables["orders"].drop(columns="placed_at")})


def test_reviews_of_a_simulated_store_match_its_own_kpis():
    scenario = sim.load_scenario(Path(__file__).resolve().parents[3] / "data" / "scenarios" / "baseline.yaml")
    result = sim.simulate(scenario, seed=3, days=28)
    tables = result.tables()
    weekly = kpi_summary(tables, "W")
    total = result.kpis()
    assert weekly["orders"].sum() == total["orders"]
    assert weekly["revenue"].sum() == pytest.approx(total["revenue"])
    alerts = early_warnings(tables, "D", sla_hours=scenario.service.sla_hours)
    assert alerts.attrs["skipped"] == [] and set(alerts["kpi"]) <= {
        "return_rate",
        "conversion_rate",
        "sla_attainment",
        "average_order_value",
    }
