"""A loader's options are checked before the file is opened: a typo fails in one line naming the option."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.data.errors import LoadError
from playbook.data.options import (
    check_columns,
    check_currency,
    check_encoding,
    check_errors,
    check_options,
    check_sep,
    check_zone,
)
from playbook.data.orders_csv import load_orders_csv
from playbook.data.shopify import load_shopify_csv

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"
GOOD = {
    "errors": "raise", "tz": "Asia/Shanghai", "naive_tz": None, "currency": "cny", "encoding": None, "sep": ",",
    "hash_ids": False, "salt": None,
}  # fmt: skip


def test_good_options_pass_and_the_currency_comes_back_in_capitals():
    assert check_options(**GOOD) == "CNY"
    check_errors("report")
    check_zone("Europe/Berlin", "tz")
    check_zone(None, "naive_tz")  # no naive_tz: naive stamps are already in tz
    check_encoding("gbk")
    check_encoding(None)
    check_sep("\t")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"tz": "Mars/Olympus"}, "tz='Mars/Olympus' is not a time zone; use an IANA name such as 'Europe/Berlin'"),
        ({"tz": "../../etc/passwd"}, "tz='../../etc/passwd' is not a time zone"),
        ({"tz": None}, "tz='None' is not a time zone"),
        ({"naive_tz": "Nowhere"}, "naive_tz='Nowhere' is not a time zone"),
        ({"currency": "euro"}, "currency='euro': use a three-letter ISO 4217 code"),
        ({"currency": "€"}, "currency='€': use a three-letter ISO 4217 code"),
        ({"encoding": "klingon"}, "encoding='klingon' is not an encoding Python knows"),
        ({"sep": ""}, "sep='': use one separator character"),
        ({"sep": '"'}, "sep='\"': use one separator character"),
        ({"sep": "a"}, "sep='a': use one separator character"),
        ({"errors": "ignore"}, "errors='ignore': use 'raise' or 'report'"),
        ({"hash_ids": True}, "hash_ids=True needs a non-empty secret salt="),
    ],
)
def test_each_bad_option_is_named(options, message):
    with pytest.raises(LoadError) as info:
        check_options(**{**GOOD, **options})
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"tz": "Mars/Olympus"}, "tz='Mars/Olympus' is not a time zone"),
        ({"decimal": ";"}, "decimal=';': use '.' or ','"),
        ({"errors": "ignore"}, "errors='ignore': use 'raise' or 'report'"),
    ],
)
@pytest.mark.parametrize("loader", [load_shopify_csv, load_orders_csv])
def test_loaders_check_options_before_reading(loader, options, message, tmp_path):
    missing = tmp_path / "no such file.csv"  # never opened: the option fails first
    with pytest.raises(LoadError, match="^" + message.replace("(", r"\(")):
        loader(missing, **{"tz": "UTC", "currency": "USD", **options})


def test_missing_columns_are_listed_with_what_is_required():
    check_columns(["a", "b", "c"], ("a", "b"), "o.csv")
    with pytest.raises(LoadError) as info:
        check_columns(["Id", "Name"], ("Id", "Name", "Email", "Total"), "shop.csv", "Shopify ")
    assert str(info.value) == (
        "shop.csv: lacks Shopify column(s) ['Email', 'Total']; required ['Id', 'Name', 'Email', 'Total']"
    )


def test_currency_must_be_text():
    with pytest.raises(LoadError, match="currency='978'"):
        check_currency(978)  # type: ignore[arg-type]
