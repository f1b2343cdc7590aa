"""The CDNOW transaction file: four or five whitespace-separated fields, yyyymmdd days, bad lines reported."""

from __future__ import annotations

import pandas as pd
import pytest

from playbook.data.cdnow import load_cdnow
from playbook.data.errors import DataError, LoadError


def test_cdnow_bad_line_is_reported(tmp_path):
    path = tmp_path / "cdnow.txt"
    path.write_text(" 00001 19970101  1   11.77\n 00002 19971301  1   12.00\n 00003 19970102  2   -3.00\n")
    with pytest.raises(DataError, match=r"row 2, column 'date': unparseable date"):
        load_cdnow(path)
    orders, report = load_cdnow(path, errors="report")
    assert orders["customer_id"].tolist() == [1] and report["row"].tolist() == [2, 3]


@pytest.mark.parametrize(
    "line, column, reason",
    [
        ("00001 19970101 1 inf", "dollars", "not a finite number"),
        ("00001 19970101 1e20 11.77", "cds", "not an integer: scientific notation"),
        ("00001 19970101 -1 11.77", "cds", "negative number of CDs"),
        ("99999999999999999999 19970101 1 11.77", "customer_id", "id above"),
        ("00001 1997011 1 11.77", "date", "unparseable date"),
        ("00001 19970101 1 11,77", "dollars", "separators not allowed"),
        ("00001 19970101 1", "", "has 3 fields, expected 4"),
    ],
)
def test_cdnow_rows(tmp_path, line, column, reason):
    path = tmp_path / "cdnow.txt"
    path.write_text(f"00002 19970102 2 20.00\n{line}\n")
    orders, report = load_cdnow(path, errors="report")
    assert report[["row", "column"]].values.tolist() == [[2, column]]
    assert report["reason"].item().startswith(reason)
    assert orders["customer_id"].tolist() == [2]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "cdnow.txt: empty file: no header and no orders"),
        (b"customer date cds dollars\n", "cdnow.txt: header only, no data rows"),
        ("00001 19970101 1 11.77 \u00e9\n".encode("latin-1"), "cdnow.txt: not UTF-8 (byte 0xe9 on line 1)"),
        (b"00001 19970101\n", "cdnow.txt: row 1 has 2 whitespace-separated fields; CDNOW has 4 or 5"),
    ],
)
def test_cdnow_files(tmp_path, data, message):
    path = tmp_path / "cdnow.txt"
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load_cdnow(path)
    assert str(info.value).startswith(message)


def test_master_and_sample_layouts_with_or_without_a_header(tmp_path):
    master = tmp_path / "master.txt"
    master.write_text("customer date cds dollars\n00004 19970101 2 29.33\n00004 19970118 1 14.96\n")
    orders = load_cdnow(master)
    assert orders["order_id"].tolist() == [1, 2] and orders["customer_id"].tolist() == [4, 4]
    assert orders["placed_at"].tolist() == [pd.Timestamp("1997-01-01"), pd.Timestamp("1997-01-18")]
    assert orders["units"].tolist() == [2, 1] and orders["revenue"].tolist() == [29.33, 14.96]
    assert (orders["refund"] == 0).all() and orders.attrs["currency"] == "USD" and orders.attrs["time_zone"] is None
    sample = tmp_path / "sample.txt"
    sample.write_text("00004 00001 19970101 2 29.33\n")  # master id, sample id, date, CDs, dollars
    assert load_cdnow(sample)["customer_id"].tolist() == [4], "the master id, so a customer has one number"


def test_errors_option_is_checked():
    with pytest.raises(LoadError, match="errors='skip'"):
        load_cdnow("never-read.txt", errors="skip")
