"""The errors a loader raises: one line each, naming the file and the option, column or row at fault.

A store manager who loads ``orders.csv`` with a decimal comma gets
``orders.csv: 2 bad row(s) of 60; row 3, column 'revenue': ...`` rather than a
pandas traceback or, worse, a wrong number.  :class:`LoadError` is a file or an
option the loader cannot use at all (wrong encoding, no header, an unknown time
zone); :class:`DataError` is the subclass for bad rows, with the full list in
``report``.  Both are ``ValueError``\\ s, so callers that caught ``ValueError``
before still do.
"""

from __future__ import annotations

import pandas as pd

#: The columns of a bad-row report: file row (the header is row 1), column, the value as written, why it is bad.
REPORT_COLUMNS = ("row", "column", "value", "reason")

#: How many problems a :class:`DataError` message names before "and N more" (the message stays one short line).
_SHOWN = 1


def shorten(value: object, limit: int = 40) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters, so a hostile 1 MB cell cannot flood a message."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"


class LoadError(ValueError):
    """A file or an option that a loader cannot read; the message is one line naming the file and what to change."""


class DataError(LoadError):
    """Bad rows in an input file; ``report`` holds row, column, value and reason for every one of them."""

    def __init__(self, report: pd.DataFrame, source: str, total: int):
        self.report = report
        shown = "; ".join(
            f"row {r.row}, column {r.column!r}: {r.reason} (value {shorten(r.value)})"
            for r in report.head(_SHOWN).itertuples()
        )
        more = (
            f"; and {len(report) - _SHOWN} more problem(s) (DataError.report lists them)"
            if len(report) > _SHOWN
            else ""
        )
        bad = report["row"].nunique()
        super().__init__(f"{source}: {bad} bad row(s) of {total}; {shown}{more}")
