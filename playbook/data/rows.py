"""One load's working state: the text cells of a file, their row numbers, and every problem found in them.

A loader asks :class:`Rows` for each column it needs, parsed strictly
(:mod:`playbook.data.number_format`), and every cell that does not parse is recorded
with its file row, column, value and reason.  :func:`finish` then drops the
bad rows, casts the rest to the ``sim.results.tables`` schema and either
raises :class:`~playbook.data.errors.DataError` or returns the report beside
the clean orders.  Nothing is dropped silently.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from playbook.data.errors import REPORT_COLUMNS, DataError
from playbook.data.identifiers import hash_customer_ids
from playbook.data.number_format import INT64_MAX, MAX_MONEY, MAX_UNITS, NumberFormat
from playbook.data.options import check_columns
from playbook.data.reading import UTF8, Table, read_delimited
from sim.results.tables import ORDER_COLUMNS

#: Orders placed outside [start, end) are typos ('0024' for 2024) or placeholders ('1900-01-01', '9999-12-31').
DATE_RANGE = (pd.Timestamp("1970-01-01"), pd.Timestamp("2100-01-01"))
#: ISO 8601 as exports write it: a date, optionally a time, optionally an offset ('Z', '+01:00', ' -0500').
ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?", re.ASCII
)
#: A calendar day written yyyymmdd (CDNOW).
COMPACT_DATE = re.compile(r"\d{8}", re.ASCII)
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


class Rows:
    """The cells of one file being loaded, the file row of each, and the problems found so far."""

    def __init__(self, table: Table, numbers: NumberFormat):
        self.raw = table.frame
        self.rows = np.asarray(table.rows)
        self.numbers = numbers
        self.problems: list[tuple[int, str, str, str]] = list(table.problems)
        self._misshapen = {problem[0] for problem in table.problems}  # rows with too many or too few fields
        self._text: dict[str, pd.Series] = {}

    def text(self, column: str) -> pd.Series:
        """The cells of ``column`` without surrounding blanks (computed once per column)."""
        if column not in self._text:
            self._text[column] = self.raw[column].astype(str).str.strip()
        return self._text[column]

    def flag(self, mask: Any, column: str, reason: str) -> None:
        """Record ``reason`` for every row where ``mask`` is true."""
        mask = np.asarray(mask, dtype=bool)
        values = self.raw[column].to_numpy()
        self.problems += [(int(r), column, str(v), reason) for r, v in zip(self.rows[mask], values[mask], strict=True)]

    def flag_each(self, reasons: pd.Series, column: str) -> None:
        """Record each non-empty reason of ``reasons`` (one per row)."""
        values = self.raw[column].to_numpy()
        for i in np.flatnonzero((reasons != "").to_numpy()):
            self.problems.append((int(self.rows[i]), column, str(values[i]), reasons.iloc[i]))

    def integers(self, column: str, *, low: int, high: int, what: str, missing: str | None) -> pd.Series:
        """Exact integers in [low, high] as ``Int64`` (NA where bad); ``missing=None`` means empty is allowed."""
        text = self.text(column)
        values, reasons = self.numbers.integers(text)
        reasons = reasons.copy()
        if missing is not None:
            reasons[text == ""] = missing
        below = values.map(lambda v: v is not None and v < low)
        above = values.map(lambda v: v is not None and v > high)
        reasons[below] = f"negative {what}" if low == 0 else f"{what} below {low}"
        reasons[above] = f"{what} above {high:,}"
        self.flag_each(reasons, column)
        good = values.where(~(below | above), None)
        return pd.Series(pd.array(good.tolist(), dtype="Int64"), index=text.index)

    def ids(self, column: str, missing: str) -> pd.Series:
        """Integer identifiers that fit the orders table's int64, parsed exactly (no float, no wrap-around)."""
        return self.integers(column, low=0, high=INT64_MAX, what="id", missing=missing)

    def counts(self, column: str, what: str) -> pd.Series:
        """Quantities: integers in [0, MAX_UNITS]; an empty cell is missing."""
        return self.integers(column, low=0, high=MAX_UNITS, what=what, missing=f"missing {what}")

    def money(self, column: str, *, required: bool, negative: str) -> pd.Series:
        """Finite amounts in [0, MAX_MONEY]; empty is a missing value (``required``) or 0.

        ``negative`` is the reason given for a value below zero, which differs
        by column (a negative total is not a refund; a negative refund is not a charge).
        """
        text = self.text(column)
        values, reasons = self.numbers.decimals(text)
        reasons = reasons.copy()
        if required:
            reasons[text == ""] = f"missing {column}"
        else:
            values = values.where(text != "", 0.0)
        reasons[values < 0] = negative
        reasons[values > MAX_MONEY] = f"above {MAX_MONEY:,.0f}, more than any order"
        self.flag_each(reasons, column)
        return values.where(reasons == "")

    def times(
        self,
        column: str,
        tz: str,
        naive_tz: str | None,
        *,
        required: bool,
        shape: re.Pattern[str] = ISO_DATE,
        fmt: str = "ISO8601",
    ) -> pd.Series:
        """Timestamps in ``tz``, naive; stamps with an offset are converted, naive ones are taken in ``naive_tz``.

        A cell must have ``shape`` (pandas alone accepts '1997011' as a
        yyyymmdd date) and fall in :data:`DATE_RANGE`.
        """
        text = self.text(column)
        shaped = text.map(lambda s: shape.fullmatch(s) is not None).astype(bool)
        aware = shaped & text.str.contains(_OFFSET, regex=True)
        out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
        if aware.any():
            t = pd.to_datetime(text[aware], utc=True, errors="coerce", format=fmt)
            out[aware] = t.dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[us]")
        naive = shaped & ~aware
        shifted = pd.Series(False, index=text.index)  # naive stamps a daylight-saving change skips or repeats
        if naive.any():
            t = pd.to_datetime(text[naive], errors="coerce", format=fmt).astype("datetime64[us]")
            if naive_tz is not None:
                local = t.dt.tz_localize(naive_tz, ambiguous="NaT", nonexistent="NaT")
                shifted[naive] = (t.notna() & local.isna()).to_numpy()
                t = local.dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[us]")
            out[naive] = t
        if required:
            self.flag(text == "", column, f"missing {column}")
        self.flag(shifted, column, f"a local time that does not exist or is ambiguous in {naive_tz} (daylight saving)")
        self.flag((text != "") & out.isna() & ~shifted, column, "unparseable date")
        outside = out.notna() & ((out < DATE_RANGE[0]) | (out >= DATE_RANGE[1]))
        self.flag(outside, column, f"date outside {DATE_RANGE[0].year}-{DATE_RANGE[1].year - 1}")
        return out.where(~outside)

    def flags(self, column: str) -> pd.Series:
        """true/false cells (also 1/0, yes/no, y/n, t/f; empty is false)."""
        text = self.text(column).str.lower()
        self.flag(~text.isin(_TRUE | _FALSE), column, "not a true/false value")
        return text.isin(_TRUE)

    def currency(self, column: str, currency: str) -> None:
        """Flag rows whose stated currency is not the load's ``currency``."""
        text = self.text(column).str.upper()
        self.flag((text != "") & (text != currency), column, f"currency is not {currency}")

    def customers(self, column: str, hashed: bool, salt: str | None, *, numeric: bool) -> pd.Series:
        """Customer ids: hashed, parsed as integer ids (``numeric``) or numbered 1, 2, ... by first appearance."""
        missing = f"missing {column} (customer identifier)"
        if numeric and not hashed:
            return self.ids(column, missing)
        text = self.text(column)
        self.flag(text == "", column, missing)
        if hashed:
            return pd.Series(hash_customer_ids(text, salt or ""), index=text.index)
        return pd.Series(pd.factorize(text.str.lower())[0] + 1, index=text.index)

    def not_above(self, part: pd.Series, whole: pd.Series, column: str, whole_name: str) -> None:
        """Flag rows where ``part`` (a refund) is above ``whole`` (what was paid)."""
        over = (part > whole).fillna(False).to_numpy(dtype=bool)
        for i in np.flatnonzero(over):
            self.problems.append(
                (
                    int(self.rows[i]),
                    column,
                    str(self.raw[column].iloc[i]),
                    f"above {whole_name} {whole.iloc[i]:.2f} (a refund cannot exceed what was paid)",
                )
            )

    def duplicates(self, key: pd.Series, column: str, what: str) -> None:
        """Flag every repeat of a ``key`` value (labels of ``key`` are positions in ``raw``)."""
        positions = key.index.to_numpy()
        first_row = pd.Series(self.rows[positions]).groupby(key.to_numpy()).transform("min").to_numpy()
        for i in np.flatnonzero(key.duplicated(keep="first").to_numpy()):
            self.problems.append(
                (
                    int(self.rows[positions[i]]),
                    column,
                    str(key.iloc[i]),
                    f"duplicate {what} (first at row {first_row[i]})",
                )
            )

    def report(self) -> pd.DataFrame:
        """The problems as a table sorted by file row; a row with the wrong number of fields has only that one."""
        problems = [p for p in self.problems if p[0] not in self._misshapen or p[1] == ""]
        report = pd.DataFrame(problems, columns=list(REPORT_COLUMNS))
        return report.sort_values("row", kind="stable").reset_index(drop=True)


def read_rows(
    path: str | PathLike[str],
    *,
    required: tuple[str, ...],
    what: str,
    sep: str,
    encoding: str | None,
    decimal: str,
    thousands: str | None,
    order: tuple[str, ...] = UTF8,
) -> tuple[Rows, str]:
    """The :class:`Rows` of a delimited export that has the ``required`` columns, and the file's name."""
    numbers = NumberFormat(decimal, thousands)
    table = read_delimited(path, sep=sep, encoding=encoding, order=order)
    name = Path(path).name
    check_columns(table.frame.columns, required, name, what)
    return Rows(table, numbers), name


def finish(
    orders: pd.DataFrame,
    rows: Rows,
    source: str,
    errors: str,
    *,
    currency: str,
    tz: str | None,
    group: np.ndarray | None = None,
    **attrs: Any,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Drop reported rows, cast to schema dtypes, record currency, zone and ``attrs``, then raise or report.

    ``group[i]`` is the position in ``orders`` of file row ``i`` when several
    file rows make one order (Shopify line items); a bad line then drops its
    whole order, and the order's other lines are reported as dropped with it.
    """
    report = rows.report()
    group = np.arange(len(orders)) if group is None else np.asarray(group)
    order_of_row = dict(zip(rows.rows.tolist(), group.tolist(), strict=True))
    first_bad = report.groupby(report["row"].map(order_of_row))["row"].min()
    bad_rows, bad_orders = set(report["row"]), first_bad.to_dict()
    extra = [
        (r, "", "", f"line of an order dropped for row {bad_orders[g]}")
        for r, g in order_of_row.items()
        if g in bad_orders and r not in bad_rows
    ]
    if extra:
        report = pd.concat([report, pd.DataFrame(extra, columns=list(REPORT_COLUMNS))])
        report = report.sort_values("row", kind="stable").reset_index(drop=True)
    if errors == "raise" and len(report):
        raise DataError(report, source, total=len(rows.rows))
    keep = ~np.isin(np.arange(len(orders)), first_bad.index)
    clean = orders.loc[keep, [c for c in ORDER_COLUMNS if c in orders]]
    for column in clean.columns:
        dtype = ORDER_COLUMNS[column][0]
        clean[column] = clean[column].astype("string" if dtype == "string" else dtype)
    clean = clean.sort_values(["placed_at", "order_id"], kind="stable").reset_index(drop=True)
    clean.attrs.update(currency=currency, time_zone=tz, source=source, **attrs)
    return (clean, report) if errors == "report" else clean
