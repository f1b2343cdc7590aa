"""The Result of a run: every table by name, KPIs and measures over the same tables, and a folder written whole."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import OutputError
from sim.results.kpis import KPI_NAMES
from sim.results.result import TABLES


def test_every_table_by_name_and_the_events_built_once(baseline_run):
    tables = baseline_run.tables()
    assert list(tables) == list(TABLES)
    assert all(isinstance(t, pd.DataFrame) for t in tables.values())
    assert baseline_run.events is baseline_run.events, "the log is turned into a table once, on first use"
    placed = baseline_run.events["kind"].eq("order_placed").sum()
    assert placed == len(baseline_run.orders)


def test_kpis_measures_and_the_profit_and_loss_agree(baseline_run):
    assert set(baseline_run.kpis()) == set(KPI_NAMES)
    pnl = baseline_run.profit_and_loss()
    assert list(pnl.index)[0] == "revenue" and list(pnl.index)[-1] == "operating_profit"
    assert pnl.drop("operating_profit").sum() == pytest.approx(pnl["operating_profit"]), "the lines add up"
    assert pnl["operating_profit"] == pytest.approx(baseline_run.measures()["operating_profit"])
    assert pnl["revenue"] == pytest.approx(baseline_run.orders["revenue"].sum())


def test_write_round_trips_the_tables_and_records_seed_and_kpis(baseline_run, tmp_path):
    out = baseline_run.write(tmp_path / "run")
    assert {p.name for p in out.iterdir()} == (
        {f"{t}.parquet" for t in TABLES} | {"kpis.json", "scenario.yaml", "provenance.json", sim.outputs.MANIFEST}
    )
    orders = pd.read_parquet(out / "orders.parquet")
    pd.testing.assert_frame_equal(orders, baseline_run.orders.reset_index(drop=True), check_dtype=False)
    assert json.loads((out / "kpis.json").read_text()) == pytest.approx(baseline_run.kpis(), nan_ok=True)
    meta = json.loads((out / "provenance.json").read_text())
    assert (meta["seed"], meta["days"]) == (11, baseline_run.days) and meta["store_playbook"]
    again = sim.load_scenario(out / "scenario.yaml")  # the run folder's scenario reloads as it is
    assert again.to_dict() == baseline_run.scenario.to_dict()


def test_csv_and_a_bad_format(baseline_run, tmp_path):
    out = baseline_run.write(tmp_path / "csv", fmt="csv")
    assert (out / "orders.csv").is_file() and not (out / "orders.parquet").exists()
    with pytest.raises(ValueError, match=r"fmt = 'xlsx': allowed: 'parquet' or 'csv'"):
        baseline_run.write(tmp_path / "x", fmt="xlsx")
    assert not (tmp_path / "x").exists()


def test_a_folder_with_other_files_is_refused_and_a_previous_run_replaced_only_with_force(baseline_run, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    with pytest.raises(OutputError):
        baseline_run.write(mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"], "nothing of the user's is touched"
    run = baseline_run.write(tmp_path / "run")
    with pytest.raises(OutputError):
        baseline_run.write(run)
    assert baseline_run.write(run, force=True) == run


def test_result_write_is_atomic(baseline_run, tmp_path, monkeypatch):
    """A failure half-way leaves neither a partial folder nor temporary debris."""

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError):
        baseline_run.write(tmp_path / "csv_run", fmt="csv")
    assert list(tmp_path.iterdir()) == []


def test_kpis_and_measures_build_only_the_tables_they_read(baseline):
    r = sim.simulate(baseline, seed=5, days=10)

    def built() -> set[str]:
        return {name for name in TABLES if name in vars(r)}  # a table once built is cached in the instance

    assert built() == set(), "nothing is built before it is read"
    r.kpis()
    assert built() == {"orders", "daily", "tickets", "reviews"}
    r.measures()
    assert built() == {"orders", "daily", "tickets", "reviews", "sku_daily", "skus", "labour", "programmes"}
    assert len(r.customers) == r.customers["customer_id"].nunique() and r.events is r.events
    assert built() == set(TABLES) - {"channels", "markets", "variants"}


@pytest.fixture(scope="module")
def two_markets_in_a_test(baseline) -> sim.Result:
    """Two markets and an A/B test from day 7 to day 20: cells whose labels change by day."""
    s = baseline.with_overrides(
        {
            "markets": {"home": {"traffic_share": 0.6}, "abroad": {"traffic_share": 0.4, "local_language": False}},
            "ab_test": {"enabled": True, "start": "2026-01-12", "days": 14, "variant_b": {"page.quality": 0.8}},
        }
    )
    return sim.simulate(s, seed=4, days=30)


@pytest.mark.parametrize("key", ["market", "variant"])
def test_the_markets_and_variants_tables_count_the_orders_table(two_markets_in_a_test, key):
    """Orders and revenue per day and label are the orders table's, grouped by placed_at's day and the label."""
    r = two_markets_in_a_test
    table = r.markets if key == "market" else r.variants
    expected = (
        r.orders.assign(date=r.orders["placed_at"].dt.floor("D"))
        .groupby(["date", key], observed=True)
        .agg(orders=("order_id", "size"), revenue=("revenue", "sum"))
    )
    got = table.set_index(["date", key])[["orders", "revenue"]]
    assert got.index.is_unique and set(expected.index) <= set(got.index)
    assert (got["orders"].reindex(expected.index) == expected["orders"]).all()
    assert got["revenue"].reindex(expected.index).to_numpy() == pytest.approx(expected["revenue"].to_numpy())
    assert got.drop(expected.index)["orders"].eq(0).all(), "a day and label without orders has 0"
    assert set(table[key]) == ({"home", "abroad"} if key == "market" else {"", "A", "B"})
    assert (table.groupby("date")["sessions"].sum().to_numpy() == r.daily.groupby("date")["sessions"].sum()).all()
    days = table["date"].to_numpy()
    assert (days[:-1] <= days[1:]).all(), "rows by day"


def test_the_daily_table_counts_the_orders_table(two_markets_in_a_test):
    r = two_markets_in_a_test
    o = r.orders.assign(date=r.orders["placed_at"].dt.floor("D"), new=~r.orders["is_repeat"])
    expected = o.groupby(["date", "channel"], observed=True).agg(
        orders=("order_id", "size"), revenue=("revenue", "sum"), new_customers=("new", "sum")
    )
    got = r.daily.set_index(["date", "channel"]).reindex(expected.index)
    assert (got["orders"] == expected["orders"]).all() and (got["new_customers"] == expected["new_customers"]).all()
    assert got["revenue"].to_numpy() == pytest.approx(expected["revenue"].to_numpy())
    assert r.daily["orders"].sum() == len(r.orders) and r.daily["orders"].dtype == np.int64


def test_a_result_pickles_whole_without_its_model(baseline):
    """A worker process can send a Result back: every table, the KPIs, and the events built after the trip."""
    r = sim.simulate(baseline, seed=6, days=10)
    back = pickle.loads(pickle.dumps(r))
    assert "_model" not in vars(back) and (back.seed, back.days) == (6, 10)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(r, name), obj=name)
    assert back.kpis() == r.kpis() and back.measures() == r.measures()
