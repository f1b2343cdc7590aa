"""Every loader case of issue 18 ("What was found / Loaders"): a correct load or a clear one-line error, each."""

from pathlib import Path

import pandas as pd
import pytest

from playbook.data.loaders import DataError, LoadError, load_cdnow, load_orders_csv, load_shopify_csv

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"
SHOP = {"tz": "America/New_York", "currency": "USD"}
PLAIN = {"tz": "Europe/Berlin", "currency": "EUR"}


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


def test_utf8_with_bom_loads(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (SAMPLES / "shopify_orders_small.csv").read_bytes())
    assert len(load_shopify_csv(path, **SHOP)) == 12


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "shop.csv: empty file: no header and no orders"),
        ("\n\n  \n", "shop.csv: empty file: no header and no orders"),
        ("HEADER", "shop.csv: header only, no data rows"),
        (
            "TRAILING",
            "shop.csv: every data row has 1+ empty field(s) more than the header's 38 (a trailing ',' on each line); "
            "remove the trailing delimiters",
        ),
    ],
)
def test_empty_header_only_and_trailing_delimiters_in_one_line(tmp_path, content, message):
    lines = (SAMPLES / "shopify_orders_small.csv").read_text().splitlines()
    content = {"HEADER": lines[0] + "\n", "TRAILING": "\n".join([lines[0]] + [x + "," for x in lines[1:]])}.get(
        content, content
    )
    path = tmp_path / "shop.csv"
    path.write_text(content)
    for errors in ("raise", "report"):
        with pytest.raises(LoadError) as info:
            load_shopify_csv(path, errors=errors, **SHOP)
        assert str(info.value) == message


def test_trailing_delimiter_on_header_and_rows_loads(tmp_path):
    lines = (SAMPLES / "shopify_orders_small.csv").read_text().splitlines()
    path = tmp_path / "shop.csv"
    path.write_text("\n".join(x + "," for x in lines) + "\n")
    assert len(load_shopify_csv(path, **SHOP)) == 12


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
    "options, message",
    [
        ({"tz": "Mars/Olympus"}, "tz='Mars/Olympus' is not a time zone; use an IANA name such as 'Europe/Berlin'"),
        ({"tz": "../../etc/passwd"}, "tz='../../etc/passwd' is not a time zone"),
        ({"naive_tz": "Nowhere"}, "naive_tz='Nowhere' is not a time zone"),
        ({"currency": "euro"}, "currency='euro': use a three-letter ISO 4217 code"),
        ({"currency": "€"}, "currency='€': use a three-letter ISO 4217 code"),
        ({"encoding": "klingon"}, "encoding='klingon' is not an encoding Python knows"),
        ({"decimal": ";"}, "decimal=';': use '.' or ','"),
        ({"sep": ""}, "sep='': use one separator character"),
        ({"errors": "ignore"}, "errors='ignore': use 'raise' or 'report'"),
        ({"hash_ids": True}, "hash_ids=True needs a non-empty secret salt="),
    ],
)
@pytest.mark.parametrize("loader", [load_shopify_csv, load_orders_csv])
def test_options_are_checked_before_reading(loader, options, message):
    kwargs = {**SHOP, **options}
    with pytest.raises(LoadError) as info:
        loader(SAMPLES / "shopify_orders_small.csv", **kwargs)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


HEADER = "order_id,customer_id,placed_at,units,revenue,refund\n"


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
    path.write_text(HEADER + row + "\n2,8,2024-01-02,1,5.00,0\n")
    orders, report = load_orders_csv(path, errors="report", **PLAIN)
    assert report[["row", "column"]].values.tolist() == [[2, column]]
    assert report["reason"].item().startswith(reason)
    assert orders["order_id"].tolist() == [2]


def test_orders_csv_same_order_id_twice_is_reported(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "1,7,2024-01-01,1,10.00,0\n1,8,2024-01-02,1,5.00,0\n")
    with pytest.raises(DataError, match=r"row 3, column 'order_id': duplicate order_id \(first at row 2\)"):
        load_orders_csv(path, **PLAIN)


def test_nonexistent_local_time_is_named(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "1,7,2024-03-31 02:30,1,10.00,0\n")  # Berlin clocks jump from 02:00 to 03:00
    with pytest.raises(DataError, match="does not exist or is ambiguous in Europe/Berlin"):
        load_orders_csv(path, naive_tz="Europe/Berlin", **PLAIN)


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
