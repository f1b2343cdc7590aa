"""Loader errors: one line naming the file, the count of bad rows and the first problem; the report has them all."""

from __future__ import annotations

import pandas as pd
import pytest

from playbook.data.errors import REPORT_COLUMNS, DataError, LoadError, shorten


def _report(*problems: tuple[int, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(problems), columns=list(REPORT_COLUMNS))


def test_shorten_caps_a_hostile_cell_and_keeps_a_short_one():
    assert shorten("22,19") == "'22,19'"
    long = shorten("x" * 1_000_000)
    assert len(long) == 40 and long.startswith("'xxx") and long.endswith("...'")
    assert shorten(12) == "'12'", "non-text values are shown as the text a file would hold"


def test_one_problem_one_line():
    error = DataError(_report((3, "revenue", "22,19", "separators not allowed")), "orders.csv", total=60)
    expected = "orders.csv: 1 bad row(s) of 60; row 3, column 'revenue': separators not allowed (value '22,19')"
    assert str(error) == expected


def test_many_problems_count_rows_not_problems_and_point_to_the_report():
    report = _report((3, "revenue", "x", "not a number"), (3, "refund", "y", "not a number"), (9, "units", "-1", "neg"))
    error = DataError(report, "o.csv", total=10)
    assert str(error).startswith("o.csv: 2 bad row(s) of 10; row 3, column 'revenue': not a number (value 'x')")
    assert str(error).endswith("; and 2 more problem(s) (DataError.report lists them)")
    assert "\n" not in str(error) and error.report is report


def test_a_megabyte_cell_does_not_flood_the_message():
    error = DataError(_report((2, "Total", "9" * 1_000_000, "not a number")), "shop.csv", total=1)
    assert len(str(error)) < 200


def test_both_errors_are_value_errors_for_older_callers():
    with pytest.raises(ValueError):
        raise LoadError("o.csv: header only, no data rows")
    assert issubclass(DataError, LoadError)
