"""Fuzzing the export loaders: ``python -m fuzz.exports --cases 1000``.

A careless or hostile user hands the playbook an export that Excel re-saved,
a colleague truncated, or that never was one.  Hypothesis (derandomized: the
same cases on every run) takes a small valid export of each loader - Shopify,
the plain orders CSV, CDNOW, Taobao - and mutates it: hostile cells (``inf``,
``22,19``, ``1e20``, ``99999999999999999999``, impossible dates, emoji),
dropped or duplicated columns and rows, short and long rows, trailing
delimiters, truncation, other encodings, stray bytes, unclosed quotes, and
wrong options.  Each file is loaded with ``errors="report"`` and
``errors="raise"`` and classified:

* **correct load** - both modes return the same orders, no bad rows, and the
  orders pass the table's invariants (schema dtypes, finite non-negative
  money, refund <= revenue, units in range, unique ids, dates in range);
* **bad rows reported** - ``report`` lists bad rows, ``raise`` raises
  ``DataError`` with the same report, the kept orders pass the invariants;
* **clear error** - both modes raise the same ``LoadError``, one line that
  names a row, column, option or the file's problem;
* **failure** - anything else: another exception, a NaN/inf or a negative
  quantity in a loaded table, modes that disagree, a message of several lines,
  a load running over :data:`TIME_LIMIT_S`.

The table printed at the end must show 0 failures.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import io
import math
import re
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from playbook.data.errors import REPORT_COLUMNS, DataError, LoadError
from playbook.data.loaders import load_cdnow, load_orders_csv, load_shopify_csv, load_taobao_csv
from playbook.data.number_format import MAX_MONEY, MAX_UNITS
from playbook.data.rows import DATE_RANGE
from sim.results.tables import ORDER_COLUMNS, REQUIRED_ORDER_COLUMNS

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
#: A load slower than this is a hang (the valid base files load in well under a second).
TIME_LIMIT_S = 10
OUTCOMES = ("correct load", "bad rows reported", "clear error", "failure")
# A clear message names where or what to change: a row or line, a column, an option, or the file's own problem.
_NAMES_SOMETHING = re.compile(r"row \d+|line \d+|column|\b[a-z_]+=|header|empty file|UTF|GBK|fields")

HOSTILE = (
    "", " ", "inf", "-inf", "Infinity", "NaN", "nan", "None", "null", "1e20", "-1e20", "1E+18", "3.31235E+18", "-1",
    "-0", "0", "+5", "0.5", ".5", "5.", "1_000", "0x1F", "99999999999999999999", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "22,19", "1.234,56", "1,234.56", "1 234,56", "1'234.56",
    "１２３", "١٢٣", "𝟙𝟚", "💥", "=\"123\"", "'123", "\t123", "2024-02-30", "2024-02-29", "2023-02-29 10:00:00",
    "2262-04-12 00:00:00", "1677-09-21", "0001-01-01", "9999-12-31 23:59:59", "1969-12-31T23:59:59Z",
    "2024-01-01T25:00:00", "2024-03-31 02:30:00", "2024-11-03 01:30:00", "2024-01-01T10:00:00+99:99",
    "2024-01-01 10:00:00 +2400", "19970230", "1997011", "2024/11/31 10:00", "2024/1/5 9:05", "true", "yes", "maybe",
    "\"", "'", ",", ";", "\n", "\r", "\x00", "\u3000", "\ufeff", "A" * 300, "-", "+", ".", "1e-9", "EUR", "usd",
    "交易成功", "交易关闭", "已完成", "卖家已发货，等待买家确认", "卖家已发货,等待买家确认",
)  # fmt: skip
OPTION_TWEAKS: tuple[dict[str, Any], ...] = (
    {},
    {"decimal": ","},
    {"thousands": ","},
    {"decimal": ",", "thousands": "."},
    {"encoding": "latin-1"},
    {"encoding": "gbk"},
    {"encoding": "utf-16"},
    {"encoding": "no-such-codec"},
    {"sep": ";"},
    {"tz": "UTC"},
    {"tz": "Mars/Olympus"},
    {"currency": "XX"},
    {"hash_ids": True, "salt": "s3cret"},
    {"hash_ids": True},
)


@dataclass(frozen=True)
class Target:
    """One loader, its options for the base file, and the base file as rows of cells."""

    load: Callable[..., Any]
    options: dict[str, Any]
    rows: list[list[str]]
    whitespace: bool = False  # CDNOW: fields separated by blanks, no header
    encoding: str = "utf-8"
    one_row_per_order: bool = True


def _csv_rows(path: Path, n: int, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))[: n + 1]


def targets() -> dict[str, Target]:
    """The base exports: the first rows of the project's samples and a few CDNOW lines."""
    cdnow = [
        ["00001", "19970101", "1", "11.77"],
        ["00002", "19970112", "1", "12.00"],
        ["00002", "19970112", "5", "77.00"],
        ["00003", "19970102", "2", "20.76"],
        ["00003", "19970330", "2", "20.76"],
        ["00004", "19970101", "2", "29.33"],
    ]
    return {
        "shopify": Target(
            load_shopify_csv,
            {"tz": "America/New_York", "currency": "USD"},
            _csv_rows(SAMPLES / "shopify_orders_small.csv", 8),
            one_row_per_order=False,
        ),
        "orders_csv": Target(
            load_orders_csv, {"tz": "Europe/Berlin", "currency": "EUR"}, _csv_rows(SAMPLES / "orders_sample.csv", 8)
        ),
        "cdnow": Target(load_cdnow, {}, cdnow, whitespace=True),
        "taobao": Target(
            load_taobao_csv,
            {},
            _csv_rows(SAMPLES / "taobao_orders_export.csv", 6, encoding="utf-8-sig"),
            encoding="gbk",
        ),
    }


# --- cases -----------------------------------------------------------------------

#: Mutations of the rows of cells: (kind, row, column, value); row and column are taken modulo the size.
ROW_MUTATIONS = (
    "cell", "cell", "cell", "cell", "append_to_cell", "drop_column", "duplicate_row", "drop_row", "swap_rows",
    "duplicate_header", "rename_header", "short_row", "long_row", "trailing_delimiter_all", "trailing_delimiter_one",
    "header_only", "blank_lines", "swap_columns",
)  # fmt: skip
#: Mutations of the encoded file.
BYTE_MUTATIONS = (
    "none", "none", "none", "truncate", "bom", "utf-16", "utf-32", "latin-1", "gbk", "utf-8", "insert_bytes", "crlf",
    "nul", "unclosed_quote", "empty",
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One generated export: mutations of the base rows, then of the bytes, then of the options."""

    edits: tuple[tuple[str, int, int, str], ...]
    byte_edit: tuple[str, int, bytes]
    options: dict[str, Any]

    def describe(self) -> str:
        edits = ", ".join(f"{kind}(row {r}, col {c}, {v[:20]!r})" for kind, r, c, v in self.edits)
        kind, at, data = self.byte_edit
        return f"edits [{edits}]; bytes {kind}@{at}{data[:8]!r}; options {self.options}"


def cases() -> st.SearchStrategy[Case]:
    """Hypothesis strategy of :class:`Case`\\ s."""
    value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12), st.from_regex(r"-?[0-9]{1,22}([.,][0-9]{0,4})?"))
    edit = st.tuples(st.sampled_from(ROW_MUTATIONS), st.integers(0, 50), st.integers(0, 60), value)
    byte_edit = st.tuples(st.sampled_from(BYTE_MUTATIONS), st.integers(0, 10_000), st.binary(min_size=1, max_size=4))
    options: st.SearchStrategy[dict[str, Any]] = st.one_of(st.just({}), st.just({}), st.sampled_from(OPTION_TWEAKS))
    return st.builds(Case, st.lists(edit, min_size=1, max_size=3).map(tuple), byte_edit, options)


def _mutate_rows(rows: list[list[str]], edits: tuple[tuple[str, int, int, str], ...]) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for kind, r, c, value in edits:
        if not rows:
            break
        body = max(len(rows) - 1, 1)
        i = 1 + r % body if len(rows) > 1 else 0  # a data row (the header for a header-only file)
        j = c % max(len(rows[0]), 1)
        if kind == "cell" and j < len(rows[i]):
            rows[i][j] = value
        elif kind == "append_to_cell" and j < len(rows[i]):
            rows[i][j] += value
        elif kind == "drop_column":
            rows = [row[:j] + row[j + 1 :] for row in rows]
        elif kind == "duplicate_row":
            rows.insert(i + 1, list(rows[i]))
        elif kind == "drop_row" and len(rows) > 2:
            del rows[i]
        elif kind == "swap_rows" and len(rows) > 2:
            k = 1 + (r + 1) % body
            rows[i], rows[k] = rows[k], rows[i]
        elif kind == "duplicate_header":
            rows[0][j] = rows[0][(j + 1) % len(rows[0])]
        elif kind == "rename_header":
            rows[0][j] = value
        elif kind == "short_row":
            rows[i] = rows[i][:j]
        elif kind == "long_row":
            rows[i] = rows[i] + [value]
        elif kind == "trailing_delimiter_all":
            rows = [rows[0]] + [row + [""] for row in rows[1:]]
        elif kind == "trailing_delimiter_one":
            rows[i] = rows[i] + [""]
        elif kind == "header_only":
            rows = rows[:1]
        elif kind == "blank_lines":
            rows.insert(i, [])
        elif kind == "swap_columns":
            k = (j + 1) % len(rows[0])
            rows = [[*row] for row in rows]
            for row in rows:
                if max(j, k) < len(row):
                    row[j], row[k] = row[k], row[j]
    return rows


def _encode(target: Target, rows: list[list[str]], byte_edit: tuple[str, int, bytes]) -> bytes:
    if target.whitespace:
        text = "".join(" ".join(row) + "\n" for row in rows)
    else:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        text = out.getvalue()
    kind, at, data = byte_edit
    encoding = {"utf-16": "utf-16", "utf-32": "utf-32", "latin-1": "latin-1", "gbk": "gbk", "utf-8": "utf-8"}.get(
        kind, target.encoding
    )
    raw = text.encode(encoding, errors="replace")
    at = at % (len(raw) + 1)
    if kind == "truncate":
        raw = raw[:at]
    elif kind == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif kind == "insert_bytes":
        raw = raw[:at] + data + raw[at:]
    elif kind == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    elif kind == "nul":
        raw = raw[:at] + b"\x00" + raw[at:]
    elif kind == "unclosed_quote":
        raw = raw[:at] + b'"' + raw[at:]
    elif kind == "empty":
        raw = b""
    return raw


# --- classification ----------------------------------------------------------------


class _Hang(BaseException):
    """Raised by the alarm inside a load that runs over TIME_LIMIT_S (a BaseException: loaders cannot catch it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _message_problem(error: LoadError) -> str:
    message = str(error)
    if "\n" in message or "\r" in message:
        return "message of several lines"
    if len(message) > 400:
        return f"message of {len(message)} characters"
    if not _NAMES_SOMETHING.search(message):
        return "message names no row, column or option"
    return ""


def invariants(orders: pd.DataFrame, report: pd.DataFrame, one_row_per_order: bool) -> str:
    """What is wrong with a loaded table ('' if nothing): the promises every loader makes."""
    if not set(REQUIRED_ORDER_COLUMNS) <= set(orders.columns) or not set(orders.columns) <= set(ORDER_COLUMNS):
        return f"columns {list(orders.columns)}"
    for column in orders.columns:
        expected = ORDER_COLUMNS[column][0]
        if str(orders[column].dtype) != ("string" if expected == "string" else expected):
            return f"{column} has dtype {orders[column].dtype}"
        values = orders[column]
        if expected == "float64" and not (
            np.isfinite(values).all() and (values >= 0).all() and (values <= MAX_MONEY).all()
        ):
            return f"{column} holds NaN, inf, a negative or an absurd amount"
        if expected == "int64" and (values < 0).any():
            return f"negative {column}"
        if expected.startswith("datetime") and column == "placed_at":
            if values.isna().any() or (values < DATE_RANGE[0]).any() or (values >= DATE_RANGE[1]).any():
                return "placed_at missing or out of range"
    if "units" in orders and (orders["units"] > MAX_UNITS * 1000).any():
        return "units beyond any order"
    if (orders["refund"] > orders["revenue"]).any():
        return "a refund above the revenue"
    if orders["order_id"].duplicated().any():
        return "duplicate order_id"
    if list(report.columns) != list(REPORT_COLUMNS):
        return f"report columns {list(report.columns)}"
    if one_row_per_order and len(orders) + report["row"].nunique() != orders.attrs.get("rows_read"):
        return f"{len(orders)} orders + {report['row'].nunique()} bad rows != {orders.attrs.get('rows_read')} rows read"
    return ""


def classify(target: Target, path: Path, options: dict[str, Any]) -> tuple[str, str]:
    """(outcome, detail) of loading ``path`` in both modes."""
    results: dict[str, Any] = {}
    for errors in ("report", "raise"):
        try:
            with _time_limit(TIME_LIMIT_S):
                results[errors] = target.load(path, errors=errors, **options)
        except LoadError as error:
            results[errors] = error
        except _Hang:
            return "failure", f"errors={errors!r}: ran over {TIME_LIMIT_S} s"
        except Exception as error:  # noqa: BLE001 - any other exception is what the harness counts
            return "failure", f"errors={errors!r}: {type(error).__name__}: {str(error)[:200]}"
    report_mode, raise_mode = results["report"], results["raise"]
    if isinstance(report_mode, LoadError):
        if isinstance(report_mode, DataError):
            return "failure", "errors='report' raised DataError"
        if not isinstance(raise_mode, LoadError) or str(raise_mode) != str(report_mode):
            return "failure", f"modes disagree: {report_mode} / {raise_mode}"
        problem = _message_problem(report_mode)
        return ("failure", f"{problem}: {str(report_mode)[:200]}") if problem else ("clear error", str(report_mode))
    orders, report = report_mode
    problem = invariants(orders, report, target.one_row_per_order)
    if problem:
        return "failure", problem
    if len(report) == 0:
        if not isinstance(raise_mode, pd.DataFrame) or not raise_mode.equals(orders):
            return "failure", f"no bad rows, but errors='raise' gave {type(raise_mode).__name__}"
        return "correct load", ""
    if not isinstance(raise_mode, DataError) or not raise_mode.report.equals(report):
        return "failure", f"bad rows reported, but errors='raise' gave {type(raise_mode).__name__}"
    problem = _message_problem(raise_mode)
    return ("failure", f"{problem}: {str(raise_mode)[:200]}") if problem else ("bad rows reported", str(raise_mode))


# --- the run -------------------------------------------------------------------------


@dataclass
class Tally:
    """Outcome counts per loader, the slowest case and the failures."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    slowest: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> Counter[str]:
        return sum(self.counts.values(), Counter())

    def table(self) -> str:
        head = f"{'loader':<12}{'cases':>7}" + "".join(f"{o:>19}" for o in OUTCOMES) + f"{'slowest s':>11}"
        lines = [head, "-" * len(head)]
        for name, counts in [*self.counts.items(), ("total", self.total)]:
            slowest = max(self.slowest.values(), default=0.0) if name == "total" else self.slowest[name]
            lines.append(
                f"{name:<12}{sum(counts.values()):>7}" + "".join(f"{counts[o]:>19}" for o in OUTCOMES)
                + f"{slowest:>11.2f}"
            )  # fmt: skip
        lines.append(f"{sum(self.total.values())} cases, 2 loads each, in {self.seconds:.1f} s; "
                     f"{self.total['failure']} failure(s)")  # fmt: skip
        return "\n".join(lines)


def _checker(name: str, target: Target, path: Path, examples: int, tally: Tally) -> Callable[[], None]:
    """A Hypothesis test that loads ``examples`` mutated exports of ``target`` and counts the outcomes in ``tally``."""
    counts = tally.counts.setdefault(name, Counter())
    tally.slowest.setdefault(name, 0.0)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases())
    def check(case: Case) -> None:
        path.write_bytes(_encode(target, _mutate_rows(target.rows, case.edits), case.byte_edit))
        began = time.perf_counter()
        accepted = inspect.signature(target.load).parameters
        options = {k: v for k, v in case.options.items() if k in accepted}  # CDNOW has no tz, currency ...
        outcome, detail = classify(target, path, {**target.options, **options})
        tally.slowest[name] = max(tally.slowest[name], time.perf_counter() - began)
        counts[outcome] += 1
        if outcome == "failure":
            tally.failures.append(f"{name}: {detail} <- {case.describe()}")

    return check


def run(cases_total: int, names: tuple[str, ...] | None = None) -> Tally:
    """Generate ``cases_total`` mutated exports split evenly over the loaders, load and classify each."""
    chosen = targets()
    names = tuple(chosen) if names is None else names
    tally = Tally()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            target = chosen[name]
            path = Path(folder) / ("export.txt" if target.whitespace else "export.csv")
            _checker(name, target, path, math.ceil(cases_total / len(names)), tally)()
    tally.seconds = time.perf_counter() - start
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.exports", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="mutated exports in all, split over the loaders")
    parser.add_argument("--loader", action="append", choices=sorted(targets()), help="only this loader (repeatable)")
    parser.add_argument("--show", type=int, default=10, help="failures to print")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    tally = run(args.cases, tuple(args.loader) if args.loader else None)
    print(tally.table())
    for failure in tally.failures[: args.show]:
        print("FAILURE", failure)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
