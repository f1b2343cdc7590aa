"""The one import of every loader: ``playbook.data.loaders`` names each format's loader and the shared errors."""

from __future__ import annotations

import pytest

from playbook.data import cdnow, checks, errors, identifiers, loaders, orders_csv, shopify, taobao
from tests.playbook.data.conftest import SAMPLES, assert_in_schema


def test_every_name_is_the_one_its_module_defines():
    defined = {
        "load_cdnow": cdnow.load_cdnow,
        "load_orders_csv": orders_csv.load_orders_csv,
        "load_shopify_csv": shopify.load_shopify_csv,
        "load_taobao_csv": taobao.load_taobao_csv,
        "check_frame": checks.check_frame,
        "check_values": checks.check_values,
        "hash_customer_ids": identifiers.hash_customer_ids,
        "DataError": errors.DataError,
        "LoadError": errors.LoadError,
        "REPORT_COLUMNS": errors.REPORT_COLUMNS,
        "SHOPIFY_REQUIRED": shopify.SHOPIFY_REQUIRED,
        "TAOBAO_REQUIRED": taobao.TAOBAO_REQUIRED,
    }
    assert sorted(loaders.__all__) == sorted(defined)
    for name, thing in defined.items():
        assert getattr(loaders, name) is thing, name


@pytest.mark.parametrize(
    "loader, sample, options",
    [
        (loaders.load_orders_csv, "orders_sample.csv", {"tz": "Europe/Berlin", "currency": "EUR"}),
        (loaders.load_shopify_csv, "shopify_orders_export.csv", {"tz": "America/New_York", "currency": "USD"}),
        (loaders.load_taobao_csv, "taobao_orders_export.csv", {}),
    ],
)
def test_every_loader_returns_the_same_schema_and_a_report_of_the_same_shape(loader, sample, options):
    orders, report = loader(SAMPLES / sample, errors="report", **options)
    assert_in_schema(orders)
    assert list(report.columns) == list(loaders.REPORT_COLUMNS) and report.empty
    assert orders["placed_at"].is_monotonic_increasing and orders.attrs["rows_read"] >= len(orders)
