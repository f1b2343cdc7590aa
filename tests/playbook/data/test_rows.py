"""One load's working state: each column parsed strictly, each bad cell recorded with row, column, value, reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.data.errors import DataError
from playbook.data.number_format import NumberFormat
from playbook.data.reading import Table
from playbook.data.rows import Rows, finish, read_rows


def _rows(problems: list[tuple[int, str, str, str]] | None = None, **columns: list[str]) -> Rows:
    frame = pd.DataFrame(columns, dtype=object)
    return Rows(Table(frame, np.arange(2, len(frame) + 2), problems or []), NumberFormat())


def test_money_required_or_zero_with_the_columns_own_negative_reason():
    rows = _rows(revenue=["10.5", "", "-1", "1e13", " 3 "], refund=["", "1", "-2", "0", "0"])
    revenue = rows.money("revenue", required=True, negative="negative revenue that is not a refund")
    refund = rows.money("refund", required=False, negative="negative refund")
    assert revenue.tolist()[0] == 10.5 and revenue.tolist()[4] == 3.0 and revenue.iloc[1:4].isna().all()
    assert refund.tolist()[:2] == [0.0, 1.0], "an empty refund is no refund"
    found = [(r, c, why.split(" (")[0]) for r, c, _, why in rows.report().itertuples(index=False)]
    assert found == [
        (3, "revenue", "missing revenue"),
        (4, "revenue", "negative revenue that is not a refund"),
        (4, "refund", "negative refund"),
        (5, "revenue", "scientific notation loses digits"),
    ]


def test_counts_and_ids_are_bounded_exact_integers():
    rows = _rows(units=["2", "-1", "2000000", ""], order_id=["1", "99999999999999999999", "3", "4"])
    units = rows.counts("units", "quantity")
    ids = rows.ids("order_id", "missing order_id")
    assert str(units.dtype) == "Int64" and units.tolist()[0] == 2 and units.iloc[1:].isna().all()
    assert ids.tolist()[0] == 1 and pd.isna(ids.iloc[1])
    assert sorted(rows.report()["reason"]) == [
        "id above 9,223,372,036,854,775,807", "missing quantity", "negative quantity", "quantity above 1,000,000",
    ]  # fmt: skip


def test_times_convert_offsets_and_flag_what_is_not_a_date():
    stamps = ["2024-07-01T12:00:00+02:00", "2024-07-01 12:00", "2024-02-30", "0024-01-01", "", "20240101"]
    rows = _rows(placed_at=stamps)
    t = rows.times("placed_at", "Europe/Berlin", "UTC", required=True)
    assert t.iloc[0] == pd.Timestamp("2024-07-01 12:00"), "an offset is converted to the store's zone"
    assert t.iloc[1] == pd.Timestamp("2024-07-01 14:00"), "a naive stamp is taken in naive_tz"
    reasons = dict(zip(rows.report()["row"], rows.report()["reason"], strict=True))
    assert reasons == {
        4: "unparseable date", 5: "date outside 1970-2099", 6: "missing placed_at", 7: "unparseable date",
    }  # fmt: skip


def test_a_local_time_daylight_saving_skips_is_named():
    rows = _rows(placed_at=["2024-03-31 02:30"])  # Berlin's clocks jump from 02:00 to 03:00
    assert rows.times("placed_at", "Europe/Berlin", "Europe/Berlin", required=True).isna().all()
    assert rows.report()["reason"].item().startswith("a local time that does not exist or is ambiguous")


def test_flags_currency_and_refunds_above_what_was_paid():
    rows = _rows(returned=["yes", "0", "", "maybe"], currency=["eur", "EUR", "USD", ""])
    assert rows.flags("returned").tolist() == [True, False, False, False]
    rows.currency("currency", "EUR")
    rows.not_above(pd.Series([0.0, 5.0, 12.0, 0.0]), pd.Series([10.0, 10.0, 10.0, 0.0]), "currency", "revenue")
    assert rows.report()[["row", "reason"]].values.tolist() == [
        [4, "currency is not EUR"],
        [4, "above revenue 10.00 (a refund cannot exceed what was paid)"],
        [5, "not a true/false value"],
    ]


def test_customers_numbered_by_first_appearance_or_hashed():
    rows = _rows(email=["Ada@x.org", "ben@x.org", "ada@x.org", ""])
    assert rows.customers("email", False, None, numeric=False).tolist() == [1, 2, 1, 3]
    hashed = rows.customers("email", True, "salt", numeric=False)
    assert hashed.iloc[0] == hashed.iloc[2] != hashed.iloc[1]
    assert rows.report()["reason"].tolist() == ["missing email (customer identifier)"] * 2


def test_duplicates_point_to_the_first_row():
    rows = _rows(order_id=["7", "8", "7", "7"])
    rows.duplicates(rows.text("order_id"), "order_id", "order_id")
    assert rows.report()["reason"].tolist() == ["duplicate order_id (first at row 2)"] * 2


def test_a_misshapen_row_reports_only_its_shape():
    rows = _rows([(3, "", "1 fields", "has 1 fields, the header has 2")], revenue=["1", ""])
    rows.money("revenue", required=True, negative="negative")
    assert rows.report()["reason"].tolist() == ["has 1 fields, the header has 2"]


def _orders() -> tuple[pd.DataFrame, Rows]:
    rows = _rows(revenue=["10", "x", "5"])
    placed = pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02"])
    orders = pd.DataFrame({"order_id": [3, 1, 2], "placed_at": placed})
    orders["revenue"] = rows.money("revenue", required=True, negative="negative")
    orders["refund"] = 0.0
    orders["customer_id"] = [1, 1, 2]
    orders["ignored"] = ["a", "b", "c"]
    return orders, rows


def test_finish_drops_bad_rows_sorts_casts_and_records_attrs():
    orders, rows = _orders()
    clean, report = finish(orders, rows, "o.csv", "report", currency="EUR", tz="UTC", rows_read=3)
    assert clean["order_id"].tolist() == [2, 3], "sorted by time, the bad row dropped"
    assert "ignored" not in clean and str(clean["customer_id"].dtype) == "int64"
    assert clean.attrs == {"currency": "EUR", "time_zone": "UTC", "source": "o.csv", "rows_read": 3}
    assert report["row"].tolist() == [3]
    with pytest.raises(DataError, match=r"^o.csv: 1 bad row\(s\) of 3; row 3, column 'revenue': not a number"):
        finish(*_orders(), "o.csv", "raise", currency="EUR", tz="UTC")


def test_finish_drops_a_whole_order_for_one_bad_line_and_reports_its_other_lines():
    rows = _rows(revenue=["1", "1", "x", "1"])  # file rows 2-5: order 0 = rows 2-3, order 1 = rows 4-5
    rows.money("revenue", required=True, negative="negative")
    orders = pd.DataFrame({"order_id": [1, 2], "placed_at": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    clean, report = finish(orders, rows, "shop.csv", "report", currency="USD", tz="UTC", group=np.array([0, 0, 1, 1]))
    assert clean["order_id"].tolist() == [1]
    assert report[["row", "reason"]].values.tolist() == [
        [4, "not a number"],
        [5, "line of an order dropped for row 4"],
    ]


def test_read_rows_checks_the_required_columns(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_id,revenue\n1,2\n")
    rows, name = read_rows(path, required=("order_id",), what="", sep=",", encoding=None, decimal=".", thousands=None)
    assert name == "o.csv" and rows.text("revenue").tolist() == ["2"]
    with pytest.raises(ValueError, match=r"^o.csv: lacks column\(s\) \['refund'\]"):
        read_rows(path, required=("refund",), what="", sep=",", encoding=None, decimal=".", thousands=None)
