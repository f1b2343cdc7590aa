"""Loading order data into the ``sim.results.tables`` orders schema, and checking inputs.

Every loader returns one row per order with the columns of
``sim.results.tables.ORDER_COLUMNS`` that its source can fill (at least
``REQUIRED_ORDER_COLUMNS``), in their schema dtypes, so that ``sim.results.kpis`` and
every ``playbook`` analysis accept real exports and simulated tables alike.

Conventions shared by the loaders:

* **Time zone.**  ``tz`` is the store's time zone.  Timestamps that carry an
  offset are converted to ``tz``; naive timestamps are taken to be in
  ``naive_tz`` (default: already in ``tz``).  The result is naive local time,
  as the schema requires.
* **Currency.**  ``currency`` is recorded in ``frame.attrs["currency"]``; a
  source that states a currency per row must agree with it.
* **Bad rows.**  Rows with a missing id, an unparseable date or number, a
  negative total that is not a refund, or a duplicate order are collected with
  their row number in the file (the header is row 1) and a reason.
  ``errors="raise"`` raises :class:`DataError` listing them;
  ``errors="report"`` returns ``(orders, report)`` where ``report`` has one
  row per dropped file row.  Nothing is dropped silently.
* **Personal data.**  ``hash_ids=True`` replaces customer identifiers with a
  keyed BLAKE2b hash (see :func:`hash_customer_ids`), stable for one secret ``salt``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sim.results.tables import ORDER_COLUMNS, REQUIRED_ORDER_COLUMNS, missing_columns

#: A file path: a string or a path object.
PathLike = str | os.PathLike[str]

REPORT_COLUMNS = ("row", "column", "value", "reason")
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


class DataError(ValueError):
    """Bad rows in an input file; ``report`` holds row, column, value and reason."""

    def __init__(self, report: pd.DataFrame, source: str):
        self.report = report
        lines = [
            f"row {r.row}, column {r.column!r}: {r.reason} (value {r.value!r})" for r in report.head(20).itertuples()
        ]
        more = f"\n... and {len(report) - 20} more" if len(report) > 20 else ""
        super().__init__(f"{source}: {len(report)} bad row(s)\n" + "\n".join(lines) + more)


# --- checks shared by every analysis -----------------------------------------


def check_frame(
    frame: pd.DataFrame,
    columns: Iterable[str],
    what: str,
    ranges: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> None:
    """Raise ``ValueError`` unless ``frame`` is non-empty, has ``columns`` and values in ``ranges``.

    ``ranges`` maps a column to its closed allowed interval ``(low, high)``
    (``None`` for an open side); missing values are out of range.  Analyses
    call this first so a bad input fails with the column name and the allowed
    range instead of a wrong number further on.
    """
    columns = list(columns)
    missing = missing_columns(frame.columns, columns)
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; it needs {columns}")
    if len(frame) == 0:
        raise ValueError(f"{what} is empty: it needs at least one row")
    for column, (low, high) in (ranges or {}).items():
        check_values(frame[column], f"{what}.{column}", low, high)


def check_values(values: ArrayLike, name: str, low: float | None = None, high: float | None = None) -> np.ndarray:
    """Return ``values`` as a float array, raising ``ValueError`` if any is NaN or outside [low, high]."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    bad = np.isnan(arr)
    if low is not None:
        bad |= arr < low
    if high is not None:
        bad |= arr > high
    if bad.any():
        span = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        first = arr.ravel()[bad.ravel()][0]
        raise ValueError(
            f"{name} must be in {span} and not missing; found {first!r} ({int(bad.sum())} value(s) out of range)"
        )
    return arr


# --- identifiers -------------------------------------------------------------


def hash_customer_ids(values: Iterable, salt: str) -> np.ndarray:
    """Salted stable hash of identifiers to non-negative int64.

    h(v) = first 8 bytes of BLAKE2b(key=salt, data=str(v).strip().lower()),
    top bit cleared.  The same id and salt always give the same number, so
    customers stay linkable across files, while the e-mail or name itself is
    not kept; the secret salt stops anyone re-deriving ids from a list of
    e-mails.  Collisions have probability about n^2 / 2^64.
    """
    if not salt:
        raise ValueError("hash_ids needs a non-empty secret salt")
    key = salt.encode()
    if len(key) > 64:
        raise ValueError("salt must be at most 64 bytes")
    out = [
        int.from_bytes(hashlib.blake2b(str(v).strip().lower().encode(), digest_size=8, key=key).digest(), "big")
        & 0x7FFF_FFFF_FFFF_FFFF
        for v in values
    ]
    return np.asarray(out, dtype=np.int64)


# --- the shared pipeline -----------------------------------------------------


class _Rows:
    """Working state of one load: the raw text, its file row numbers and the problems found."""

    def __init__(self, raw: pd.DataFrame, rows: np.ndarray):
        self.raw = raw
        self.rows = np.asarray(rows)
        self.problems: list[tuple[int, str, str, str]] = []

    def flag(self, mask: ArrayLike, column: str, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        values = self.raw[column].to_numpy()
        self.problems += [(int(r), column, str(v), reason) for r, v in zip(self.rows[mask], values[mask], strict=True)]

    def integers(self, column: str, missing: str | None = None) -> pd.Series:
        """Parse integers; empty is a bad row with reason ``missing`` (default 'missing <column>')."""
        text = self.raw[column].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        self.flag(text == "", column, missing or f"missing {column}")
        self.flag((text != "") & (values.isna() | (values % 1 != 0)), column, "not an integer")
        return values

    def money(self, column: str, *, required: bool) -> pd.Series:
        text = self.raw[column].str.strip().str.replace(",", "", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        if required:
            self.flag(text == "", column, f"missing {column}")
        else:
            values = values.where(text != "", 0.0)
        self.flag((text != "") & values.isna(), column, "not a number")
        return values

    def times(self, column: str, tz: str, naive_tz: str | None, *, required: bool, fmt: str = "ISO8601") -> pd.Series:
        text = self.raw[column].str.strip()
        aware = text.str.contains(_OFFSET, regex=True)
        out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        if aware.any():
            t = pd.to_datetime(text[aware], utc=True, errors="coerce", format=fmt)
            out[aware] = t.dt.tz_convert(tz).dt.tz_localize(None)
        if (~aware).any():
            t = pd.to_datetime(text[~aware], errors="coerce", format=fmt)
            if naive_tz is not None:
                t = (
                    t.dt.tz_localize(naive_tz, ambiguous="NaT", nonexistent="NaT")
                    .dt.tz_convert(tz)
                    .dt.tz_localize(None)
                )
            out[~aware] = t
        if required:
            self.flag(text == "", column, f"missing {column}")
        self.flag((text != "") & out.isna(), column, "unparseable date")
        return out

    def flags(self, column: str) -> pd.Series:
        text = self.raw[column].str.strip().str.lower()
        self.flag(~text.isin(_TRUE | _FALSE), column, "not a true/false value")
        return text.isin(_TRUE)

    def currency(self, column: str, currency: str) -> None:
        text = self.raw[column].str.strip().str.upper()
        self.flag((text != "") & (text != currency.upper()), column, f"currency is not {currency}")

    def customers(self, column: str, hashed: bool, salt: str | None, *, numeric: bool) -> pd.Series:
        """Customer ids: hashed, parsed as integers (``numeric``) or numbered 1, 2, ... by first appearance."""
        missing = f"missing {column} (customer identifier)"
        if numeric and not hashed:
            return self.integers(column, missing)
        text = self.raw[column].str.strip()
        self.flag(text == "", column, missing)
        if hashed:
            return pd.Series(hash_customer_ids(text, salt or ""), index=text.index)
        return pd.Series(pd.factorize(text.str.lower())[0] + 1, index=text.index)

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
        report = pd.DataFrame(self.problems, columns=list(REPORT_COLUMNS))
        return report.sort_values("row", kind="stable").reset_index(drop=True)


def _finish(
    orders: pd.DataFrame,
    rows: _Rows,
    source: str,
    errors: str,
    *,
    currency: str,
    tz: str | None,
    group: np.ndarray | None = None,
    **attrs: Any,
) -> pd.DataFrame:
    """Drop reported rows, cast to schema dtypes, record currency, zone and ``attrs``, then raise or report.

    ``group[i]`` is the position in ``orders`` of file row ``i`` when several
    file rows make one order (Shopify line items); a bad line then drops its
    whole order, and the order's other lines are reported as dropped with it.
    """
    report = rows.report()
    group = np.arange(len(orders)) if group is None else np.asarray(group)
    order_of_row = dict(zip(rows.rows.tolist(), group.tolist(), strict=True))
    first_bad = report.groupby(report["row"].map(order_of_row))["row"].min()
    bad_rows = set(report["row"])
    extra = [
        (r, "", "", f"line of an order dropped for row {first_bad[g]}")
        for r, g in order_of_row.items()
        if g in first_bad.index and r not in bad_rows
    ]
    if extra:
        report = pd.concat([report, pd.DataFrame(extra, columns=list(REPORT_COLUMNS))])
        report = report.sort_values("row", kind="stable").reset_index(drop=True)
    if errors == "raise" and len(report):
        raise DataError(report, source)
    clean = orders.loc[~np.isin(np.arange(len(orders)), first_bad.index), [c for c in ORDER_COLUMNS if c in orders]]
    for column in clean.columns:
        dtype = ORDER_COLUMNS[column][0]
        clean[column] = clean[column].astype("string" if dtype == "string" else dtype)
    clean = clean.sort_values(["placed_at", "order_id"], kind="stable").reset_index(drop=True)
    clean.attrs.update(currency=currency.upper(), time_zone=tz, source=source, **attrs)
    return (clean, report) if errors == "report" else clean


def _read(path: PathLike, *, sep: str = ",", header: bool = True, names: list[str] | None = None) -> pd.DataFrame:
    kw = dict(sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True)
    if header:
        return pd.read_csv(path, **kw)
    return pd.read_csv(path, header=None, names=names, **kw)


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")


# --- plain CSV in the schema ---------------------------------------------------


def load_orders_csv(
    path: PathLike,
    *,
    tz: str,
    currency: str,
    naive_tz: str | None = None,
    errors: str = "raise",
    hash_ids: bool = False,
    salt: str | None = None,
) -> pd.DataFrame:
    """Load a CSV whose header uses ``sim.results.tables.ORDER_COLUMNS`` names, one row per order.

    Required columns: ``REQUIRED_ORDER_COLUMNS`` (order_id, customer_id,
    placed_at, revenue, refund); any other schema column present is parsed to
    its schema dtype; other columns are not loaded and are listed in
    ``attrs["ignored_columns"]``.  Timestamps are ISO 8601.  A negative
    revenue is a bad row (refunds go in ``refund``, which must be >= 0), as is
    a repeated ``order_id``.  With ``hash_ids`` the customer ids are hashed
    with ``salt`` (any text id is accepted); otherwise they must be integers.
    """
    _check_errors(errors)
    raw = _read(path)
    missing = missing_columns(raw.columns, REQUIRED_ORDER_COLUMNS)
    if missing:
        raise ValueError(f"{path}: lacks column(s) {missing}; required {list(REQUIRED_ORDER_COLUMNS)}")
    rows = _Rows(raw, np.arange(len(raw)) + 2)
    orders = pd.DataFrame(index=raw.index)
    orders["order_id"] = rows.integers("order_id")
    orders["customer_id"] = rows.customers("customer_id", hash_ids, salt, numeric=True)
    for column in (c for c in ORDER_COLUMNS if c in raw and c not in orders):
        dtype = ORDER_COLUMNS[column][0]
        if dtype.startswith("datetime"):
            orders[column] = rows.times(column, tz, naive_tz, required=column == "placed_at")
        elif dtype == "float64":
            orders[column] = rows.money(column, required=column == "revenue")
            rows.flag(
                orders[column] < 0,
                column,
                "negative refund (refunds are positive amounts)"
                if column == "refund"
                else f"negative {column} that is not a refund (refunds go in 'refund')",
            )
        elif dtype == "int64":
            orders[column] = rows.integers(column)
        elif dtype == "bool":
            orders[column] = rows.flags(column)
        else:
            orders[column] = raw[column].str.strip()
    if "currency" in raw:
        rows.currency("currency", currency)
    order_ids = raw["order_id"].str.strip()
    rows.duplicates(order_ids[order_ids != ""], "order_id", "order_id")
    ignored = [c for c in raw.columns if c not in ORDER_COLUMNS and c != "currency"]
    return _finish(orders, rows, str(path), errors, currency=currency, tz=tz, ignored_columns=ignored)


# --- Shopify orders export -------------------------------------------------------

SHOPIFY_REQUIRED = ("Id", "Name", "Email", "Created at", "Total", "Lineitem quantity")


def load_shopify_csv(
    path: PathLike,
    *,
    tz: str,
    currency: str,
    naive_tz: str | None = None,
    errors: str = "raise",
    hash_ids: bool = False,
    salt: str | None = None,
) -> pd.DataFrame:
    """Load a Shopify "Export orders" CSV (one row per line item) into one row per order.

    The first row of each order ``Name`` carries the order-level fields; the
    following rows with the same ``Name`` are its other line items.  Mapping:
    order_id = Id; customer_id = hashed ``Email`` (``hash_ids``) or customers
    numbered 1, 2, ... by first appearance; placed_at = Created at; revenue =
    Total (what the customer paid: subtotal after discounts + shipping +
    taxes); refund = Refunded Amount; units = sum of Lineitem quantity; sku =
    the one Lineitem sku or 'mixed'; channel = Source (Shopify's sales
    channel: web, pos, ...); shipped_at = Fulfilled at; status = cancelled
    (Cancelled at set or Financial Status voided), refunded (Financial Status
    refunded), delivered (Fulfillment Status fulfilled: Shopify records
    shipment, not delivery) or open; returned = Financial Status refunded or
    partially_refunded (the export has no return flag, so refunds stand in).
    Bad rows: missing Name, Id or Email, unparseable dates or numbers, a
    negative Total, a Currency other than ``currency``, or an order Name that
    appears again with its own order-level fields (a duplicated order: the
    repeat and its lines are dropped, the first copy kept).  A bad line drops
    its whole order, and the order's other lines are reported with it.
    """
    _check_errors(errors)
    raw = _read(path)
    missing = missing_columns(raw.columns, SHOPIFY_REQUIRED)
    if missing:
        raise ValueError(f"{path}: lacks Shopify column(s) {missing}; required {list(SHOPIFY_REQUIRED)}")
    for optional in (
        "Refunded Amount",
        "Financial Status",
        "Fulfillment Status",
        "Fulfilled at",
        "Cancelled at",
        "Source",
        "Lineitem sku",
        "Currency",
    ):
        if optional not in raw:
            raw[optional] = ""
    rows = _Rows(raw, np.arange(len(raw)) + 2)
    name = raw["Name"].str.strip()
    rows.flag(name == "", "Name", "missing Name (order number)")
    # An order starts where the Name changes or a row carries order-level fields (a Total).
    starts = ((name != name.shift()) | (raw["Total"].str.strip() != "")).to_numpy()
    group = np.cumsum(starts) - 1
    rows.duplicates(name[starts & (name != "").to_numpy()], "Name", "order")
    units = rows.integers("Lineitem quantity")
    rows.flag(units < 0, "Lineitem quantity", "negative quantity")
    lines = pd.DataFrame({"units": units, "sku": raw["Lineitem sku"].str.strip()}).groupby(group)

    first = raw[starts].reset_index(drop=True)
    head = _Rows(first, rows.rows[starts])
    orders = pd.DataFrame(index=first.index)
    orders["order_id"] = head.integers("Id", "missing Id (order id)")
    orders["customer_id"] = head.customers("Email", hash_ids, salt, numeric=False)
    orders["placed_at"] = head.times("Created at", tz, naive_tz, required=True)
    orders["revenue"] = head.money("Total", required=True)
    head.flag(orders["revenue"] < 0, "Total", "negative Total that is not a refund")
    orders["refund"] = head.money("Refunded Amount", required=False)
    head.flag(orders["refund"] < 0, "Refunded Amount", "negative Refunded Amount")
    head.currency("Currency", currency)
    orders["units"] = lines["units"].sum().to_numpy()
    orders["sku"] = lines["sku"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "mixed").to_numpy()
    orders["channel"] = first["Source"].str.strip().replace("", "unknown")
    orders["shipped_at"] = head.times("Fulfilled at", tz, naive_tz, required=False)
    financial = first["Financial Status"].str.strip().str.lower()
    cancelled = (first["Cancelled at"].str.strip() != "") | (financial == "voided")
    fulfilled = first["Fulfillment Status"].str.strip().str.lower() == "fulfilled"
    orders["status"] = np.select(
        [cancelled, financial == "refunded", fulfilled], ["cancelled", "refunded", "delivered"], "open"
    )
    orders["returned"] = financial.isin(["refunded", "partially_refunded"])
    rows.problems += head.problems
    return _finish(orders, rows, str(path), errors, currency=currency, tz=tz, group=group)


# --- CDNOW transaction file --------------------------------------------------------


def load_cdnow(path: PathLike, *, errors: str = "raise") -> pd.DataFrame:
    """Load a CDNOW transaction file (Fader & Hardie's format) as an orders frame.

    Whitespace-separated columns: customer id, date ``yyyymmdd``, number of
    CDs, dollar value (``CDNOW_master.txt``, with a header line), or master
    customer id, sample customer id, date, CDs, dollars (``CDNOW_sample.txt``,
    no header).  customer_id is the master id in both, so one customer has one
    number in either file; order_id numbers the transactions 1, 2, ... in file
    order; units = CDs; revenue = dollars; refund = 0; currency USD.  Dates are
    calendar days without a time, so no time zone applies (``tz`` is None).
    """
    _check_errors(errors)
    with open(path) as handle:
        first_line = handle.readline().split()
    header = not first_line[0].isdigit()
    names = ["customer_id", "date", "cds", "dollars"]
    if len(first_line) == 5:
        names = ["customer_id", "sample_id", "date", "cds", "dollars"]
    elif len(first_line) != 4:
        raise ValueError(f"{path}: expected 4 or 5 whitespace-separated columns, found {len(first_line)}")
    raw = _read(path, sep=r"\s+", header=False, names=names)
    if header:
        raw = raw.iloc[1:].reset_index(drop=True)
    rows = _Rows(raw, np.arange(len(raw)) + (2 if header else 1))
    orders = pd.DataFrame(index=raw.index)
    orders["order_id"] = np.arange(1, len(raw) + 1)
    orders["customer_id"] = rows.integers("customer_id", "missing customer id")
    orders["placed_at"] = rows.times("date", "UTC", None, required=True, fmt="%Y%m%d")
    orders["units"] = rows.integers("cds", "missing number of CDs")
    orders["revenue"] = rows.money("dollars", required=True)
    rows.flag(orders["revenue"] < 0, "dollars", "negative dollar value")
    orders["refund"] = 0.0
    return _finish(orders, rows, str(Path(path).name), errors, currency="USD", tz=None)
