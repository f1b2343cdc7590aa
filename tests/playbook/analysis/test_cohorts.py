"""Cohorts, retention, historical LTV, CAC payback and RFM: hand examples, CDNOW and sim.results.kpis agreement."""

import numpy as np
import pandas as pd
import pytest

import sim.results.kpis as kpis
from playbook.analysis.cohorts import (
    RFM_SEGMENTS,
    cac_payback_months,
    cohort_sizes,
    historical_ltv,
    monthly_cac,
    retention_matrix,
    rfm,
)
from playbook.data.datasets import cdnow_master


@pytest.fixture
def orders():
    # Jan cohort: 1 (Jan, Feb), 2 (Jan, Mar), 3 (Jan); Feb cohort: 4 (Feb, Mar, Mar)
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 3, 4, 4, 4],
            "placed_at": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-02-10",
                    "2024-01-20",
                    "2024-03-02",
                    "2024-01-31",
                    "2024-02-01",
                    "2024-03-15",
                    "2024-03-20",
                ]
            ),
            "revenue": [30.0, 20.0, 50.0, 10.0, 40.0, 60.0, 30.0, 10.0],
            "refund": [0.0, 0.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )


def test_retention_by_hand(orders):
    share = retention_matrix(orders)
    jan, feb = pd.Period("2024-01", "M"), pd.Period("2024-02", "M")
    assert share.loc[jan].tolist() == pytest.approx([1.0, 1 / 3, 1 / 3])
    assert share.loc[feb, 0] == 1.0 and share.loc[feb, 1] == 1.0 and np.isnan(share.loc[feb, 2])
    assert retention_matrix(orders, as_share=False).loc[jan, 0] == 3
    assert cohort_sizes(orders).tolist() == [3, 1]


def test_retention_leaves_out_a_month_the_data_only_partly_saw(orders):
    """Data through March 20: March's cells would read as a drop, so it counts as unseen; through March 31 it is
    seen whole, and the default (through the last order) keeps it too."""
    jan, feb = pd.Period("2024-01", "M"), pd.Period("2024-02", "M")
    part = retention_matrix(orders, through="2024-03-20")
    assert part.index.tolist() == [jan, feb] and part.columns.tolist() == [0, 1]
    assert part.loc[jan].tolist() == pytest.approx([1.0, 1 / 3]) and np.isnan(part.loc[feb, 1])
    whole = retention_matrix(orders, through=pd.Timestamp("2024-03-31"))
    assert whole.equals(retention_matrix(orders)) and whole.loc[feb, 1] == 1.0
    counts = retention_matrix(orders[orders["placed_at"] < "2024-03-01"], as_share=False, through="2024-02-29")
    assert counts.loc[jan].tolist() == [3, 1] and counts.loc[feb].tolist()[0] == 1


def test_historical_ltv_and_payback_by_hand(orders):
    ltv = historical_ltv(orders)
    jan, feb = pd.Period("2024-01", "M"), pd.Period("2024-02", "M")
    assert ltv.loc[jan].tolist() == pytest.approx([100 / 3, 120 / 3, 130 / 3])
    assert ltv.loc[feb, 1] == 100.0 and np.isnan(ltv.loc[feb, 2])
    assert historical_ltv(orders, margin=0.5).loc[feb, 0] == 30.0
    payback = cac_payback_months(orders, 40.0)
    assert payback[jan] == 2 and payback[feb] == 1
    later = cac_payback_months(orders, pd.Series({jan: 50.0, feb: 90.0}), margin=1.0)
    assert np.isnan(later[jan]) and later[feb] == 2


def test_monthly_cac_from_daily_spend(orders):
    daily = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-10", "2024-01-20", "2024-02-03", "2024-03-01"]),
            "spend": [60.0, 30.0, 45.0, 10.0],
        }
    )
    cac = monthly_cac(orders, daily)
    assert cac[pd.Period("2024-01", "M")] == 30.0 and cac[pd.Period("2024-02", "M")] == 45.0
    assert np.isnan(cac[pd.Period("2024-03", "M")])  # spend but nobody new


def test_rfm_scores_and_segments(orders):
    out = rfm(orders, as_of="2024-04-01")
    assert out.loc[4, "frequency"] == 3 and out.loc[4, "monetary"] == 100.0
    assert out.loc[4, "recency_days"] == 12.0
    # frequency ranks: customer 3 has 1 order (0 worse) -> 1; 1 and 2 have 2 (1 worse) -> 1 + floor(5/4) = 2
    assert out["f_score"].to_dict() == {1: 2, 2: 2, 3: 1, 4: 4}
    assert out["r_score"].to_dict() == {1: 2, 2: 3, 3: 1, 4: 4}
    assert out.loc[4, "segment"] == "champions" and out.loc[3, "segment"] == "hibernating"
    assert set(out["segment"]) <= {name for name, _ in RFM_SEGMENTS}


def test_cdnow_cohorts_agree_with_sim_kpis():
    orders = cdnow_master()
    share = retention_matrix(orders)
    assert list(share.index.astype(str)) == ["1997-01", "1997-02", "1997-03"]
    assert cohort_sizes(orders).sum() == 23_570 and (share[0] == 1).all()
    later = share.iloc[:, 1:].stack().dropna()
    assert len(later) == 17 + 16 + 15 and later.between(0.01, 0.5).all()
    ltv = historical_ltv(orders)
    last = ltv.ffill(axis=1).iloc[:, -1]
    assert (last * cohort_sizes(orders)).sum() / 23_570 == pytest.approx(kpis.ltv(orders))
    segments = rfm(orders)
    assert (segments.loc[segments["frequency"] == 1, "f_score"] == 1).all()
    assert segments["r_score"].between(1, 5).all() and segments["m_score"].between(1, 5).all()
    assert (segments["frequency"] >= 2).mean() == pytest.approx(kpis.repeat_purchase_rate(orders))


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda o: o.drop(columns="refund"), "refund"),
        (lambda o: o.assign(revenue=-o["revenue"]), r"orders.revenue must be in \[0, inf\]"),
        (lambda o: o.iloc[:0], "empty"),
    ],
)
def test_bad_input(orders, change, match):
    for func in (retention_matrix, historical_ltv, rfm):
        with pytest.raises(ValueError, match=match):
            func(change(orders))
    with pytest.raises(ValueError, match="cac"):
        cac_payback_months(orders, -1.0)
    with pytest.raises(ValueError, match="as_of"):
        rfm(orders, as_of="2024-03-01")
