"""The Taobao/Tmall order report loader: the sample, GBK, Excel's re-save, malformed variants, no personal data."""

import csv
import io
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playbook.data.loaders import DataError, LoadError, load_taobao_csv
from playbook.data.taobao import PERSONAL_COLUMNS
from sim.results.tables import ORDER_COLUMNS, REQUIRED_ORDER_COLUMNS

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "samples" / "taobao_orders_export.csv"


def _raw() -> pd.DataFrame:
    """The sample's cells as text, read independently of the loader."""
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write(raw: pd.DataFrame, path: Path, encoding: str = "utf-8-sig") -> Path:
    out = io.StringIO()
    raw.to_csv(out, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def test_sample_loads_into_the_orders_schema():
    raw = _raw()
    orders = load_taobao_csv(SAMPLE)
    assert set(REQUIRED_ORDER_COLUMNS) <= set(orders.columns)
    for column in orders.columns:
        expected = ORDER_COLUMNS[column][0]
        assert str(orders[column].dtype) == ("string" if expected == "string" else expected), column
    assert len(orders) == len(raw) == 300
    assert orders["revenue"].sum() == pytest.approx(pd.to_numeric(raw["买家实际支付金额"]).sum())
    assert orders["refund"].sum() == pytest.approx(pd.to_numeric(raw["退款金额"]).sum())
    assert orders["units"].sum() == pd.to_numeric(raw["宝贝总数量"]).sum()
    assert orders["customer_id"].nunique() == raw["买家会员名"].str.lower().nunique()
    ids = raw["订单编号"].str.extract(r'="(\d+)"')[0].astype("int64")
    assert sorted(orders["order_id"]) == sorted(ids)
    first = raw.loc[raw["订单创建时间"].idxmin()]
    assert orders["placed_at"].iloc[0] == pd.Timestamp(first["订单创建时间"])  # Beijing time kept in Asia/Shanghai
    assert orders.attrs["currency"] == "CNY" and orders.attrs["time_zone"] == "Asia/Shanghai"
    assert orders.attrs["masked_buyers"] == raw["买家会员名"].str.contains("*", regex=False).sum() > 0


def test_statuses_map_with_refunds():
    raw = _raw()
    orders = load_taobao_csv(SAMPLE).set_index("order_id")
    raw.index = raw["订单编号"].str.extract(r'="(\d+)"')[0].astype("int64")
    paid, refund = pd.to_numeric(raw["买家实际支付金额"]), pd.to_numeric(raw["退款金额"])
    expected = pd.Series("open", index=raw.index)
    expected[raw["订单状态"] == "交易成功"] = "delivered"
    expected[(raw["订单状态"] == "交易成功") & (refund > 0) & (refund >= paid)] = "refunded"
    expected[raw["订单状态"] == "交易关闭"] = np.where(
        refund[raw["订单状态"] == "交易关闭"] > 0, "refunded", "cancelled"
    )
    assert (orders.loc[expected.index, "status"] == expected).all()
    assert set(orders["status"]) == {"delivered", "open", "refunded", "cancelled"}
    assert (orders["returned"] == (orders["refund"] > 0)).all()


def test_gbk_file_loads_the_same(tmp_path):
    gbk = tmp_path / "ExportOrderList.csv"
    gbk.write_bytes(SAMPLE.read_text(encoding="utf-8-sig").encode("gbk"))
    pd.testing.assert_frame_equal(load_taobao_csv(gbk), load_taobao_csv(SAMPLE))


def test_excel_resave_loads_the_same(tmp_path):
    raw = _raw()
    raw["订单编号"] = raw["订单编号"].str.extract(r'="(\d+)"')[0].radd("\t")  # another protection: a leading tab
    for column in ("订单创建时间", "发货时间"):
        stamps = pd.to_datetime(raw[column].replace("", None))
        raw[column] = [
            "" if pd.isna(t) else f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}" for t in stamps
        ]
    path = _write(raw, tmp_path / "resaved.csv", "gbk")
    pd.testing.assert_frame_equal(load_taobao_csv(path), load_taobao_csv(SAMPLE), check_like=True)


def test_no_personal_data_is_kept():
    raw = _raw()
    for hashed in (False, True):
        orders = load_taobao_csv(SAMPLE, hash_ids=hashed, salt="s3cret" if hashed else None)
        text = orders.to_csv() + repr(orders.attrs)
        for column in PERSONAL_COLUMNS:
            written = raw.get(column, raw.get(column + " ", pd.Series([""])))  # the export writes some with a space
            assert not any(len(v) > 1 and v in text for v in written.unique()), column
    hashed = load_taobao_csv(SAMPLE, hash_ids=True, salt="s3cret")
    assert hashed["customer_id"].nunique() == raw["买家会员名"].str.lower().nunique()


def _variant(tmp_path: Path, position: int, **cells: str) -> Path:
    raw = _raw()
    for column, value in cells.items():
        raw.loc[position, column] = value
    return _write(raw, tmp_path / "variant.csv")


@pytest.mark.parametrize(
    "cells, column, reason",
    [
        ({"订单创建时间": "2024-11-31 10:00:00"}, "订单创建时间", "unparseable date"),
        ({"订单创建时间": "昨天"}, "订单创建时间", "unparseable date"),
        ({"订单创建时间": ""}, "订单创建时间", "missing 订单创建时间"),
        ({"退款金额": "999.00"}, "退款金额", "above 买家实际支付金额"),
        ({"买家实际支付金额": "1,299.00"}, "买家实际支付金额", "separators not allowed"),
        ({"买家实际支付金额": "-5.00"}, "买家实际支付金额", "negative 买家实际支付金额"),
        ({"订单编号": "3.31235E+18"}, "订单编号", "not an integer: scientific notation"),
        ({"订单编号": ""}, "订单编号", "missing 订单编号 (order id)"),
        ({"订单状态": "已完成"}, "订单状态", "unknown 订单状态"),
        ({"宝贝总数量": "-1"}, "宝贝总数量", "negative 宝贝总数量 (quantity)"),
        ({"买家会员名": ""}, "买家会员名", "missing 买家会员名 (customer identifier)"),
    ],
)
def test_malformed_rows_are_reported_with_row_and_reason(tmp_path, cells, column, reason):
    path = _variant(tmp_path, 4, **cells)  # file row 6
    with pytest.raises(DataError) as info:
        load_taobao_csv(path)
    assert "\n" not in str(info.value) and str(info.value).startswith("variant.csv: 1 bad row(s) of 300; row 6")
    orders, report = load_taobao_csv(path, errors="report")
    assert report[["row", "column"]].values.tolist() == [[6, column]]
    assert report["reason"].item().startswith(reason)
    assert len(orders) == 299


def test_duplicated_order_is_reported(tmp_path):
    raw = _raw()
    raw = pd.concat([raw, raw.iloc[[10]]], ignore_index=True)
    orders, report = load_taobao_csv(_write(raw, tmp_path / "dup.csv"), errors="report")
    assert report.to_dict("records") == [
        {
            "row": 302,
            "column": "订单编号",
            "value": raw["订单编号"][10][2:-1],
            "reason": "duplicate 订单编号 (first at row 12)",
        }
    ]
    assert len(orders) == 300


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw.drop(columns=["订单状态"]), "variant.csv: lacks Taobao column(s) ['订单状态']; required"),
        (lambda raw: raw.iloc[:0], "variant.csv: header only, no data rows"),
    ],
)
def test_malformed_files_fail_in_one_line(tmp_path, change, message):
    path = _write(change(_raw()), tmp_path / "variant.csv")
    with pytest.raises(LoadError) as info:
        load_taobao_csv(path, errors="report")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_wrong_encoding_is_named(tmp_path):
    path = _write(_raw(), tmp_path / "variant.csv", "utf-16")
    with pytest.raises(LoadError) as info:
        load_taobao_csv(path)
    assert str(info.value) == "variant.csv: a UTF-16 file; save it as UTF-8 or pass encoding='utf-16'"
    assert len(load_taobao_csv(path, encoding="utf-16")) == 300
    data = SAMPLE.read_bytes().split(b"\r\n")
    data[2] = data[2].replace("晴天".encode(), b"\xff\xfe", 1)  # bytes that are neither UTF-8 nor GBK
    path.write_bytes(b"\r\n".join(data))
    with pytest.raises(LoadError) as info:
        load_taobao_csv(path)
    assert str(info.value).startswith("variant.csv: not UTF-8 or GBK (byte 0xff on line 3); pass the file's encoding")


def test_options(tmp_path):
    with pytest.raises(LoadError, match=r"^currency='USD': Taobao/Tmall order reports are in CNY"):
        load_taobao_csv(SAMPLE, currency="USD")
    utc = load_taobao_csv(SAMPLE, tz="UTC")
    assert (load_taobao_csv(SAMPLE)["placed_at"] - utc["placed_at"] == pd.Timedelta(hours=8)).all()


def test_the_sample_is_what_its_generator_writes():
    make = runpy.run_path(str(SAMPLE.with_name("make_taobao_sample.py")))["make"]
    assert make().encode("utf-8-sig") == SAMPLE.read_bytes()
