"""KPI definitions on a hand-made store whose every KPI can be worked out on paper.

Four orders of three customers; one is refunded, one is late, one is still on its way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim.results.kpis as k
from sim.engine.operations.orders import is_late
from sim.scenario.definition import Scenario

T = pd.Timestamp


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    orders = pd.DataFrame(
        {
            "order_id": [0, 1, 2, 3],
            "customer_id": [10, 10, 11, 12],
            "placed_at": [T("2026-01-05 10:00"), T("2026-01-06 10:00"), T("2026-01-06 12:00"), T("2026-01-07 09:00")],
            "revenue": [40.0, 20.0, 30.0, 10.0],
            "refund": [0.0, 20.0, 0.0, 0.0],
            "cogs": [16.0, 8.0, 12.0, 4.0],
            "shipping_cost": [4.0, 4.0, 4.0, 4.0],
            "returned": [False, True, False, False],
            "shipped_at": [T("2026-01-05 22:00"), T("2026-01-07 10:00"), T("2026-01-07 12:00"), pd.NaT],
            "promised_at": [T("2026-01-08"), T("2026-01-09"), T("2026-01-09"), T("2026-01-10")],
            "delivered_at": [T("2026-01-07"), T("2026-01-09"), T("2026-01-09 06:00"), pd.NaT],
        }
    )
    daily = pd.DataFrame(
        {"sessions": [100, 100], "views": [60, 70], "spend": [15.0, 15.0], "views_out_of_stock": [0, 13]}
    )
    tickets = pd.DataFrame(
        {
            "opened_at": [T("2026-01-05 09:00")] * 3,
            "first_response_at": [T("2026-01-05 10:00"), T("2026-01-05 21:00"), T("2026-01-06 09:00")],
            "handled_by": ["ai", "agent", "agent"],
        }
    )
    return {"orders": orders, "daily": daily, "tickets": tickets}


def test_sales_kpis_on_paper(tables):
    o, d = tables["orders"], tables["daily"]
    assert k.orders(o) == 4 and k.conversion_rate(o, d) == 4 / 200
    assert k.bounce_rate(d) == pytest.approx(1 - 130 / 200)
    assert k.revenue(o) == 100 and k.refunds(o) == 20 and k.net_revenue(o) == 80
    assert k.order_net(o).tolist() == [40.0, 0.0, 30.0, 10.0] and k.order_net(o).sum() == k.net_revenue(o)
    assert k.average_order_value(o) == 25
    # (80 net - 32 cogs of the kept orders - 16 shipping) / 80
    assert k.gross_margin(o) == pytest.approx((80 - 32 - 16) / 80)
    assert k.cac(o, d) == 10 and k.ltv(o) == pytest.approx(80 / 3) and k.ltv_to_cac(o, d) == pytest.approx(80 / 30)
    assert k.repeat_purchase_rate(o) == pytest.approx(1 / 3)


def test_an_order_without_a_customer_id_counts_for_no_customer(tables):
    """A real export's order with no customer: customer 10's two orders make 1 repeat customer of 2 known."""
    o = tables["orders"].assign(customer_id=[10.0, 10.0, 11.0, np.nan])
    assert k.repeat_purchase_rate(o) == pytest.approx(1 / 2)


def test_an_order_sent_back_and_replaced_keeps_its_cost_of_goods(tables):
    o = tables["orders"]
    assert k.kept_cogs(o) == 32  # the refunded order's goods are back in stock
    exchanged = o.assign(returned=[False, True, True, False])  # order 2 sent back, replaced, nothing refunded
    assert k.kept_cogs(exchanged) == 32 and k.gross_margin(exchanged) == k.gross_margin(o)
    assert k.kept_cogs(o.assign(refund=[0.0, 0.0, 0.0, 0.0])) == 40
    # the refunded order's goods were defective and thrown away: they cost their 8 all the same
    thrown = o.assign(written_off=[0.0, 8.0, 0.0, 0.0])
    assert k.write_offs(thrown) == 8 and k.write_offs(o) == 0  # a table without the column has none
    assert k.gross_margin(thrown) == pytest.approx((80 - 32 - 8 - 16) / 80)


def test_late_is_one_definition(tables):
    o = tables["orders"]
    # order 2 came six hours after its promise; order 3 is not delivered yet and so not late
    assert is_late(o["delivered_at"], o["promised_at"]).tolist() == [False, False, True, False]
    assert is_late(np.array([1.0, 3.0, np.nan]), np.array([2.0, 2.0, 2.0])).tolist() == [False, True, False]
    assert is_late(5.0, 5.0) is False  # on the promise is on time
    assert k.on_time_delivery_rate(o) == pytest.approx(2 / 3) and k.return_rate(o) == pytest.approx(1 / 3)


def test_service_kpis_and_the_default_sla(tables):
    t = tables["tickets"]
    assert k.first_response_mean_hours(t) == pytest.approx((1 + 12 + 24) / 3)
    assert k.ai_resolution_share(t) == pytest.approx(1 / 3)
    assert k.DEFAULT_SLA_HOURS == Scenario().service.sla_hours == 12.0  # the schema's default, one place
    assert k.sla_attainment(t, 12.0) == pytest.approx(2 / 3) and k.sla_attainment(t, 24.0) == 1.0
    assert k.compute(tables)["sla_attainment"] == pytest.approx(2 / 3)
    assert k.compute(tables, sla_hours=0.5)["sla_attainment"] == 0.0


def test_compute_skips_what_the_tables_lack(tables):
    only_orders = {"orders": tables["orders"].drop(columns=["cogs"])}
    got = k.compute(only_orders)
    assert "gross_margin" not in got and "conversion_rate" not in got and got["net_revenue"] == 80
    assert set(k.unavailable(only_orders)) == {kpi.name for kpi in k.KPIS} - set(got)
    assert list(k.compute(tables)) == [kpi.name for kpi in k.KPIS if kpi.name in k.compute(tables)]  # registry order


def test_empty_denominators_give_nan_not_an_error():
    none = pd.DataFrame({"customer_id": [], "revenue": [], "refund": []})
    assert np.isnan(k.average_order_value(none)) and np.isnan(k.ltv(none)) and k.net_revenue(none) == 0
