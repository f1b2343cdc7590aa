"""Loaders: schema, time zones, currency, bad-row reports, id hashing, CDNOW."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playbook.data.datasets import cdnow_master
from playbook.data.loaders import (
    DataError,
    check_frame,
    check_values,
    hash_customer_ids,
    load_cdnow,
    load_orders_csv,
    load_shopify_csv,
)
from sim.results.tables import ORDER_COLUMNS, REQUIRED_ORDER_COLUMNS

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"
HEADER = "order_id,customer_id,placed_at,revenue,refund,currency\n"


def _schema_ok(frame):
    assert set(REQUIRED_ORDER_COLUMNS) <= set(frame.columns)
    for column in frame.columns:
        expected = ORDER_COLUMNS[column][0]
        assert str(frame[column].dtype) == ("string" if expected == "string" else expected), column


def test_plain_sample_loads_in_schema_and_local_time():
    orders = load_orders_csv(SAMPLES / "orders_sample.csv", tz="Europe/Berlin", currency="EUR")
    _schema_ok(orders)
    assert len(orders) == 60 and orders.attrs["currency"] == "EUR" and orders.attrs["time_zone"] == "Europe/Berlin"
    assert orders["placed_at"].iloc[0] == pd.Timestamp("2024-01-03 21:58")  # +01:00 is Berlin winter time
    in_utc = load_orders_csv(SAMPLES / "orders_sample.csv", tz="UTC", currency="EUR")
    assert (orders["placed_at"] - in_utc["placed_at"] == pd.Timedelta(hours=1)).all()


def test_naive_stamps_are_taken_in_naive_tz(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER.replace(",currency", ",coupon") + "1,7,2024-07-01 12:00,10,0,SPRING\n")
    local = load_orders_csv(path, tz="Europe/Berlin", currency="EUR")
    assert local["placed_at"][0] == pd.Timestamp("2024-07-01 12:00")
    assert local.attrs["ignored_columns"] == ["coupon"] and "coupon" not in local
    moved = load_orders_csv(path, tz="Europe/Berlin", currency="EUR", naive_tz="UTC")
    assert moved["placed_at"][0] == pd.Timestamp("2024-07-01 14:00")


BAD = (
    HEADER
    + """1,7,2024-01-01T10:00:00+01:00,10.00,0,EUR
,7,2024-01-02T10:00:00+01:00,12.00,0,EUR
3,,2024-01-03T10:00:00+01:00,12.00,0,EUR
4,8,not a date,12.00,0,EUR
5,8,2024-01-05T10:00:00+01:00,-12.00,0,EUR
1,9,2024-01-06T10:00:00+01:00,11.00,0,EUR
7,9,2024-01-07T10:00:00+01:00,11.00,0,USD
8,9,2024-01-08T10:00:00+01:00,11.00,5.50,EUR
"""
)


def test_bad_rows_raise_with_row_numbers(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with pytest.raises(DataError) as info:
        load_orders_csv(path, tz="Europe/Berlin", currency="EUR")
    message = str(info.value)
    assert "\n" not in message and message.startswith("bad.csv: 6 bad row(s) of 8; row 3, column 'order_id'")
    assert message.endswith("and 5 more problem(s) (DataError.report lists them)")
    lines = [f"row {r.row}, column {r.column!r}: {r.reason}" for r in info.value.report.itertuples()]
    for expected in (
        "row 3, column 'order_id': missing order_id",
        "row 5, column 'placed_at': unparseable date",
        "row 6, column 'revenue': negative revenue that is not a refund (refunds go in 'refund')",
        "row 7, column 'order_id': duplicate order_id (first at row 2)",
        "row 8, column 'currency': currency is not EUR",
    ):
        assert expected in lines
    assert isinstance(info.value, ValueError) and len(info.value.report) == 6


def test_bad_rows_reported_and_clean_rows_kept(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    orders, report = load_orders_csv(path, tz="Europe/Berlin", currency="EUR", errors="report")
    assert list(orders["order_id"]) == [1, 8]
    assert orders["refund"].tolist() == [0.0, 5.5]
    assert report["row"].tolist() == [3, 4, 5, 6, 7, 8]
    assert report.loc[report["row"] == 4, "reason"].item() == "missing customer_id (customer identifier)"
    assert len(orders) + report["row"].nunique() == BAD.count("\n") - 1  # nothing dropped silently


def test_missing_column_and_bad_errors_argument(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,placed_at,revenue\n1,2,2024-01-01,3\n")
    with pytest.raises(ValueError, match="refund"):
        load_orders_csv(path, tz="UTC", currency="EUR")
    with pytest.raises(ValueError, match="errors='ignore': use 'raise' or 'report'"):
        load_orders_csv(path, tz="UTC", currency="EUR", errors="ignore")


def test_hashed_ids_are_stable_salted_and_carry_no_personal_data(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(
        HEADER + "1,ada@example.com,2024-01-01,10,0,EUR\n2,ADA@example.com ,2024-01-02,10,0,EUR\n"
        "3,ben@example.com,2024-01-03,10,0,EUR\n"
    )
    a = load_orders_csv(path, tz="UTC", currency="EUR", hash_ids=True, salt="s3cret")
    b = load_orders_csv(path, tz="UTC", currency="EUR", hash_ids=True, salt="s3cret")
    other = load_orders_csv(path, tz="UTC", currency="EUR", hash_ids=True, salt="pepper")
    assert a["customer_id"].dtype == np.int64 and (a["customer_id"] >= 0).all()
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    assert a["customer_id"][0] == a["customer_id"][1] != a["customer_id"][2]
    assert not set(a["customer_id"]) & set(other["customer_id"])
    assert "example" not in a.to_csv()
    with pytest.raises(ValueError, match="salt"):
        hash_customer_ids(["x"], salt="")
    with pytest.raises(ValueError, match="salt"):
        load_orders_csv(path, tz="UTC", currency="EUR", hash_ids=True)


def test_shopify_sample_one_row_per_order():
    raw = pd.read_csv(SAMPLES / "shopify_orders_small.csv")
    orders = load_shopify_csv(SAMPLES / "shopify_orders_small.csv", tz="America/New_York", currency="USD")
    _schema_ok(orders)
    assert len(orders) == raw["Name"].nunique() == 12
    assert orders["units"].sum() == raw["Lineitem quantity"].sum()
    assert orders["revenue"].sum() == pytest.approx(raw["Total"].sum())
    assert orders["refund"].sum() == pytest.approx(raw["Refunded Amount"].sum())
    assert orders["customer_id"].nunique() == raw["Email"].nunique() == 5
    assert orders["placed_at"].iloc[0] == pd.Timestamp("2024-03-02 15:34:44")
    assert orders["status"].value_counts().to_dict() == {"delivered": 9, "refunded": 1, "cancelled": 1, "open": 1}
    assert orders["returned"].sum() == 2 and (orders["sku"] == "mixed").sum() == 3
    assert orders.attrs["currency"] == "USD"


def test_shopify_bad_line_drops_its_order_and_reports_every_line(tmp_path):
    raw = pd.read_csv(SAMPLES / "shopify_orders_small.csv", dtype=str, keep_default_na=False)
    multi = raw["Name"][raw["Name"].duplicated()].iloc[0]  # an order with several lines
    lines = raw.index[raw["Name"] == multi]
    raw.loc[lines[-1], "Lineitem quantity"] = "two"
    first = raw.index[raw["Name"] == "#1001"][0]
    raw.loc[first, "Total"] = "-22.19"
    raw = pd.concat([raw, raw.loc[[raw.index[raw["Name"] == "#1002"][0]]]], ignore_index=True)  # duplicated order
    raw.loc[raw.index[raw["Name"] == "#1004"][0], "Email"] = ""
    path = tmp_path / "shop.csv"
    raw.to_csv(path, index=False)
    orders, report = load_shopify_csv(path, tz="America/New_York", currency="USD", errors="report")
    assert len(orders) == 12 - 3
    kept_lines = ~(raw.index + 2).isin(report["row"])  # every other file row is in a kept order
    assert orders["units"].sum() == raw.loc[kept_lines, "Lineitem quantity"].astype(int).sum()
    reasons = dict(zip(report["row"], report["reason"], strict=True))
    assert reasons[lines[-1] + 2] == "not an integer"
    for other in lines[:-1]:
        assert reasons[other + 2] == f"line of an order dropped for row {lines[-1] + 2}"
    assert reasons[first + 2] == "negative Total that is not a refund"
    assert reasons[len(raw) + 1].startswith("duplicate order (first at row")
    assert "missing Email" in reasons[raw.index[raw["Name"] == "#1004"][0] + 2]


def test_cdnow_master_has_the_published_size():
    orders = cdnow_master()
    _schema_ok(orders)
    assert len(orders) == 69_659 and orders["customer_id"].nunique() == 23_570
    assert orders["placed_at"].min() == pd.Timestamp("1997-01-01")
    assert orders["placed_at"].max() == pd.Timestamp("1998-06-30")
    assert orders["placed_at"].groupby(orders["customer_id"]).min().max() < pd.Timestamp("1997-04-01")


def test_cdnow_bad_line_is_reported(tmp_path):
    path = tmp_path / "cdnow.txt"
    path.write_text(" 00001 19970101  1   11.77\n 00002 19971301  1   12.00\n 00003 19970102  2   -3.00\n")
    with pytest.raises(DataError, match=r"row 2, column 'date': unparseable date"):
        load_cdnow(path)
    orders, report = load_cdnow(path, errors="report")
    assert orders["customer_id"].tolist() == [1] and report["row"].tolist() == [2, 3]


def test_input_checks_name_column_and_range():
    frame = pd.DataFrame({"revenue": [1.0, -2.0]})
    with pytest.raises(ValueError, match=r"orders lacks column\(s\) \['refund'\]"):
        check_frame(frame, ["revenue", "refund"], "orders")
    with pytest.raises(ValueError, match="is empty"):
        check_frame(frame.iloc[:0], ["revenue"], "orders")
    with pytest.raises(ValueError, match=r"orders.revenue must be in \[0, inf\]"):
        check_frame(frame, ["revenue"], "orders", {"revenue": (0, None)})
    with pytest.raises(ValueError, match="not missing"):
        check_values([np.nan], "x")
