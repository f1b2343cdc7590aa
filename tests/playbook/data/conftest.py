"""What the loader tests share: the sample exports and the check that a frame is in the orders schema."""

from __future__ import annotations

import pandas as pd

from sim.results.tables import ORDER_COLUMNS, REQUIRED_ORDER_COLUMNS
from tests.conftest import ROOT

SAMPLES = ROOT / "data" / "samples"


def assert_in_schema(frame: pd.DataFrame) -> None:
    """``frame`` has the required order columns and every column in its schema dtype."""
    assert set(REQUIRED_ORDER_COLUMNS) <= set(frame.columns)
    for column in frame.columns:
        expected = ORDER_COLUMNS[column][0]
        assert str(frame[column].dtype) == ("string" if expected == "string" else expected), column
