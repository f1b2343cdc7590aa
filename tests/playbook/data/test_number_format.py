"""Strict numbers: a cell is read only as the stated format writes it, and a bad one says which option reads it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from playbook.data.errors import LoadError
from playbook.data.number_format import INT64_MAX, NumberFormat


def _decimals(fmt: NumberFormat, *cells: str) -> tuple[list[float], list[str]]:
    values, reasons = fmt.decimals(pd.Series(cells, dtype=object))
    return values.tolist(), reasons.tolist()


def test_plain_numbers_by_default_and_empty_is_missing_without_a_reason():
    values, reasons = _decimals(NumberFormat(), "22.19", "-3", "+0.5", "")
    assert values[:3] == [22.19, -3.0, 0.5] and math.isnan(values[3])
    assert reasons == ["", "", "", ""]


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("22,19", "pass decimal=',' for a decimal comma or thousands=',' for a thousands separator"),
        ("1.234,56", "pass decimal=',' and thousands='.'"),
        ("1,234.56", "pass decimal='.' and thousands=','"),
        ("inf", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("NaN", "not a finite number"),
        ("1.23457E+18", "scientific notation loses digits"),
        ("1e20", "scientific notation"),
        ("$22.19", "not a number"),
        ("22.19.5", "pass decimal= and thousands= as the file writes numbers"),
    ],
)
def test_a_bad_cell_is_nan_with_the_reason_and_the_option_that_reads_it(cell, reason):
    values, reasons = _decimals(NumberFormat(), cell)
    assert math.isnan(values[0]) and reason in reasons[0]


def test_decimal_comma_and_thousands_only_when_stated():
    german = NumberFormat(decimal=",", thousands=".")
    assert _decimals(german, "22,19", "1.234,56", "1.234.567")[0] == [22.19, 1234.56, 1234567.0]
    assert _decimals(NumberFormat(thousands=","), "1,234.56")[0] == [1234.56]
    assert _decimals(NumberFormat(thousands=" "), "1 234")[0] == [1234.0]
    values, reasons = _decimals(german, "12.34")  # a thousands group has three digits
    assert math.isnan(values[0]) and reasons[0]


def test_integers_are_exact_never_through_a_float():
    fmt = NumberFormat()
    values, reasons = fmt.integers(pd.Series(["9223372036854775807", "99999999999999999999", "7.0", ""]))
    assert values.tolist() == [INT64_MAX, 99999999999999999999, 7, None]  # bounds are the caller's (Rows)
    assert reasons.tolist() == ["", "", "", ""]


@pytest.mark.parametrize(
    "cell, reason",
    [("1.5", "not an integer"), ("1e20", "not an integer: scientific notation"), ("two", "not an integer")],
)
def test_a_non_integer_says_so(cell, reason):
    values, reasons = NumberFormat().integers(pd.Series([cell]))
    assert values.tolist() == [None] and reasons.iloc[0].startswith(reason)
    assert reasons.iloc[0] == reason or "scientific" in reason


@pytest.mark.parametrize(
    "decimal, thousands, message",
    [
        (";", None, "decimal=';': use '.' or ','"),
        (",", ",", "thousands=',': use None or one of"),
        (".", "_", "thousands='_': use None or one of"),
    ],
)
def test_a_format_that_cannot_be_read_is_refused(decimal, thousands, message):
    with pytest.raises(LoadError, match="^" + message):
        NumberFormat(decimal, thousands)
