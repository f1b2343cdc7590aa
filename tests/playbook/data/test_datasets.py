"""The CDNOW data set from the lifetimes wheel: published sizes, the sample's summary, a missing file named."""

from __future__ import annotations

import pandas as pd
import pytest

from playbook.data import datasets
from tests.playbook.data.conftest import assert_in_schema


def test_cdnow_master_has_the_published_size():
    orders = datasets.cdnow_master()
    assert_in_schema(orders)
    assert len(orders) == 69_659 and orders["customer_id"].nunique() == 23_570
    assert orders["placed_at"].min() == pd.Timestamp("1997-01-01")
    assert orders["placed_at"].max() == pd.Timestamp("1998-06-30")
    assert orders["placed_at"].groupby(orders["customer_id"]).min().max() < pd.Timestamp("1997-04-01")


def test_the_sample_is_a_tenth_of_the_customers_and_matches_its_summary():
    orders, summary = datasets.cdnow_sample(), datasets.cdnow_sample_summary()
    assert len(orders) == 6_919 and orders["customer_id"].nunique() == len(summary) == 2_357
    assert list(summary.columns) == ["ID", "x", "t_x", "T", "zbar"]
    # x = repeat purchases in the 39-week calibration period, counted from the transactions themselves
    calibration = orders[orders["placed_at"] <= datasets.CDNOW_CALIBRATION_END]
    days = calibration.groupby("customer_id")["placed_at"].nunique()
    assert (days - 1).sum() == summary["x"].sum()


def test_a_file_not_in_the_wheel_names_the_package_to_install():
    with pytest.raises(FileNotFoundError, match=r"no_such\.txt is not in the lifetimes wheel .*pip install lifetimes"):
        datasets.cdnow_file("no_such.txt")
