"""The Shopify orders export: line items into orders, strict numbers, encodings, duplicated orders and ids."""

from __future__ import annotations

import runpy
from pathlib import Path

import pandas as pd
import pytest

from playbook.data.errors import DataError, LoadError
from playbook.data.shopify import load_shopify_csv
from tests.playbook.data.conftest import SAMPLES, assert_in_schema

SHOP = {"tz": "America/New_York", "currency": "USD"}


def test_shopify_sample_one_row_per_order():
    raw = pd.read_csv(SAMPLES / "shopify_orders_small.csv")
    orders = load_shopify_csv(SAMPLES / "shopify_orders_small.csv", tz="America/New_York", currency="USD")
    assert_in_schema(orders)
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


def _shopify(tmp_path: Path, **cells: str) -> Path:
    """The Shopify sample with ``cells`` (column=value, spaces as underscores) written into order #1001's row."""
    raw = pd.read_csv(SAMPLES / "shopify_orders_small.csv", dtype=str, keep_default_na=False)
    for column, value in cells.items():
        raw.loc[raw["Name"] == "#1001", column.replace("_", " ")] = value
    path = tmp_path / "shop.csv"
    raw.to_csv(path, index=False)
    return path


def _reason(path: Path, loader=load_shopify_csv, **options) -> str:
    """The one reason reported for the one bad row, after checking that errors='raise' names it in one line."""
    with pytest.raises(DataError) as info:
        loader(path, **options)
    assert "\n" not in str(info.value) and "row 2" in str(info.value)
    _, report = loader(path, errors="report", **options)
    assert report["row"].tolist() == [2]
    return report["reason"].item()


@pytest.mark.parametrize(
    "total, reason",
    [
        ("22,19", "pass decimal=',' for a decimal comma or thousands=',' for a thousands separator"),
        ("1.234,56", "pass decimal=',' and thousands='.'"),
        ("inf", "not a finite number"),
        ("-inf", "not a finite number"),
        ("NaN", "not a finite number"),
        ("1e20", "scientific notation"),
        ("$22.19", "not a number"),
    ],
)
def test_shopify_total_is_read_strictly(tmp_path, total, reason):
    assert reason in _reason(_shopify(tmp_path, Total=total), **SHOP)


def test_decimal_comma_and_thousands_only_through_the_options(tmp_path):
    raw = pd.read_csv(SAMPLES / "shopify_orders_small.csv", dtype=str, keep_default_na=False)
    for column in ("Total", "Refunded Amount"):
        raw[column] = raw[column].str.replace(".", ",")  # the whole file as a German Excel writes it
    path = tmp_path / "comma.csv"
    raw.to_csv(path, index=False)
    orders = load_shopify_csv(path, decimal=",", **SHOP)
    assert orders.loc[orders["order_id"] == 5523671000000, "revenue"].item() == 22.19
    assert orders["revenue"].sum() == pytest.approx(pd.to_numeric(raw["Total"].str.replace(",", ".")).sum())
    raw.loc[0, "Total"] = "1.234,56"
    raw.to_csv(path, index=False)
    assert load_shopify_csv(path, decimal=",", thousands=".", **SHOP)["revenue"].max() == 1234.56
    orders = load_shopify_csv(_shopify(tmp_path, Total="1,234.56"), thousands=",", **SHOP)
    assert orders["revenue"].max() == 1234.56
    with pytest.raises(LoadError, match=r"^thousands=',': use None or one of"):
        load_shopify_csv(_shopify(tmp_path), decimal=",", thousands=",", **SHOP)


def test_infinite_refund_is_rejected(tmp_path):
    assert _reason(_shopify(tmp_path, Refunded_Amount="inf"), **SHOP) == "not a finite number"


def test_refund_above_what_was_paid_is_rejected(tmp_path):
    reason = _reason(_shopify(tmp_path, Refunded_Amount="5000"), **SHOP)
    assert reason == "above Total 22.19 (a refund cannot exceed what was paid)"


def test_id_beyond_int64_is_reported_not_wrapped(tmp_path):
    assert _reason(_shopify(tmp_path, Id="99999999999999999999"), **SHOP) == "id above 9,223,372,036,854,775,807"
    orders = load_shopify_csv(_shopify(tmp_path, Id="9223372036854775807"), **SHOP)
    assert orders["order_id"].max() == 2**63 - 1  # the largest int64 is kept exactly


@pytest.mark.parametrize(
    "quantity, reason",
    [
        ("1e20", "not an integer: scientific notation"),
        ("2000000", "quantity above 1,000,000"),
        ("-1", "negative quantity"),
        ("1.5", "not an integer"),
    ],
)
def test_quantity_is_a_bounded_integer(tmp_path, quantity, reason):
    assert _reason(_shopify(tmp_path, Lineitem_quantity=quantity), **SHOP).startswith(reason)


def test_same_id_under_two_order_names_is_reported(tmp_path):
    path = _shopify(tmp_path, Id="5523671001371")  # #1002's Id given to #1001 as well
    with pytest.raises(DataError, match=r"duplicate Id under another order Name \(first at row 2\)"):
        load_shopify_csv(path, **SHOP)


@pytest.mark.parametrize(
    "encoding, message",
    [
        (
            "gbk",
            r"shop.csv: not UTF-8 \(byte 0x\w\w on line 2\); "
            r"pass the file's encoding as encoding=, e.g. encoding='gbk'",
        ),
        ("latin-1", r"shop.csv: not UTF-8 \(byte 0xeb on line 2\); pass the file's encoding as encoding="),
        ("utf-16", r"^shop.csv: a UTF-16 file; save it as UTF-8 or pass encoding='utf-16'$"),
    ],
)
def test_other_encodings_fail_in_one_line_naming_the_option(tmp_path, encoding, message):
    text = (SAMPLES / "shopify_orders_small.csv").read_text(encoding="utf-8")
    name = "店主 Zoë" if encoding == "gbk" else "Zoë"  # a character the encoding writes differently from UTF-8
    lines = text.splitlines()
    lines[1] = lines[1].replace("Ada Example", name)
    path = tmp_path / "shop.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding if encoding != "gbk" else "gb18030"))
    with pytest.raises(LoadError, match=message):
        load_shopify_csv(path, **SHOP)
    orders = load_shopify_csv(path, encoding=encoding if encoding != "gbk" else "gb18030", **SHOP)
    assert len(orders) == 12


def test_the_bundled_export_is_what_its_generator_writes():
    """data/samples/shopify_orders_export.csv is the seeded output of make_shopify_sample.py, byte for byte."""
    sample = SAMPLES / "shopify_orders_export.csv"
    make = runpy.run_path(str(SAMPLES / "make_shopify_sample.py"))["make"]
    assert make().encode("utf-8") == sample.read_bytes()
    orders = load_shopify_csv(sample, tz="America/New_York", currency="USD")
    assert len(orders) == 2700 and orders["customer_id"].nunique() == 1669
