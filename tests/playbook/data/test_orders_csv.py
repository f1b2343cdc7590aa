"""The plain orders CSV: the schema's own column names, time zones, bad rows with their file row, hashed ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.data.errors import DataError
from playbook.data.orders_csv import load_orders_csv
from tests.playbook.data.conftest import SAMPLES, assert_in_schema

PLAIN = {"tz": "Europe/Berlin", "currency": "EUR"}
HEADER = "order_id,customer_id,placed_at,revenue,refund,currency\n"
UNITS_HEADER = "order_id,customer_id,placed_at,units,revenue,refund\n"


def test_plain_sample_loads_in_schema_and_local_time():
    orders = load_orders_csv(SAMPLES / "orders_sample.csv", tz="Europe/Berlin", currency="EUR")
    assert_in_schema(orders)
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
        load_orders_csv(path, tz="UTC", currency="EUR", hash_ids=True)


def test_a_row_with_a_missing_field_is_a_bad_row(tmp_path):
    lines = (SAMPLES / "orders_sample.csv").read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0]
    path = tmp_path / "o.csv"
    path.write_text("\n".join(lines) + "\n")
    orders, report = load_orders_csv(path, errors="report", **PLAIN)
    assert report.to_dict("records") == [
        {"row": 4, "column": "", "value": "13 fields", "reason": "has 13 fields, the header has 14"}
    ]
    assert len(orders) == 59


@pytest.mark.parametrize(
    "row, column, reason",
    [
        ("1,7,2024-01-01,-2,10.00,0", "units", "negative units"),
        ("1,7,2024-01-01,1e20,10.00,0", "units", "not an integer: scientific notation"),
        ("1,7,2024-01-01,2,22,19,0", "", "has 7 fields, the header has 6"),
        ('1,7,2024-01-01,2,"22,19",0', "revenue", "separators not allowed"),
        ("1,7,2024-01-01,2,inf,0", "revenue", "not a finite number"),
        ("1,7,2024-01-01,2,10.00,nan", "refund", "not a finite number"),
        ("1,7,2024-01-01,2,10.00,12.00", "refund", "above revenue 10.00"),
        ("99999999999999999999,7,2024-01-01,2,10.00,0", "order_id", "id above 9,223,372,036,854,775,807"),
        ("1,99999999999999999999,2024-01-01,2,10.00,0", "customer_id", "id above"),
        ("1,7,2024-02-30,2,10.00,0", "placed_at", "unparseable date"),
        ("1,7,0024-01-01,2,10.00,0", "placed_at", "date outside 1970-2099"),
        ("1,7,2262-04-12,2,10.00,0", "placed_at", "date outside 1970-2099"),
        ("1,7,2024-01-01,2,1e13,0", "revenue", "scientific notation"),
        ("1,7,2024-01-01,2,10000000000000,0", "revenue", "above 1,000,000,000,000"),
    ],
)
def test_orders_csv_rows(tmp_path, row, column, reason):
    path = tmp_path / "o.csv"
    path.write_text(UNITS_HEADER + row + "\n2,8,2024-01-02,1,5.00,0\n")
    orders, report = load_orders_csv(path, errors="report", **PLAIN)
    assert report[["row", "column"]].values.tolist() == [[2, column]]
    assert report["reason"].item().startswith(reason)
    assert orders["order_id"].tolist() == [2]


def test_orders_csv_same_order_id_twice_is_reported(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(UNITS_HEADER + "1,7,2024-01-01,1,10.00,0\n1,8,2024-01-02,1,5.00,0\n")
    with pytest.raises(DataError, match=r"row 3, column 'order_id': duplicate order_id \(first at row 2\)"):
        load_orders_csv(path, **PLAIN)


def test_nonexistent_local_time_is_named(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(UNITS_HEADER + "1,7,2024-03-31 02:30,1,10.00,0\n")  # Berlin clocks jump from 02:00 to 03:00
    with pytest.raises(DataError, match="does not exist or is ambiguous in Europe/Berlin"):
        load_orders_csv(path, naive_tz="Europe/Berlin", **PLAIN)
