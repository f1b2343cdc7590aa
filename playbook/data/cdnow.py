"""The CDNOW transaction file (Fader & Hardie's format), the classic data set of customer-base analysis."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from playbook.data.errors import LoadError
from playbook.data.number_format import NumberFormat
from playbook.data.options import check_encoding, check_errors
from playbook.data.reading import fixed_table, read_whitespace
from playbook.data.rows import COMPACT_DATE, Rows, finish


def load_cdnow(
    path: str | PathLike[str], *, errors: str = "raise", encoding: str | None = None
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load a CDNOW transaction file as an orders frame.

    Whitespace-separated columns: customer id, date ``yyyymmdd``, number of
    CDs, dollar value (``CDNOW_master.txt``, with or without a header line), or
    master customer id, sample customer id, date, CDs, dollars
    (``CDNOW_sample.txt``); the first line decides which.  customer_id is the
    master id in both, so one customer has one number in either file;
    order_id numbers the transactions 1, 2, ... in file order; units = CDs;
    revenue = dollars; refund = 0; currency USD.  Dates are calendar days
    without a time, so no time zone applies (``tz`` is None).  Bad rows: a
    wrong number of fields, a customer id that is not an integer id, a date
    that is not a real yyyymmdd day, a negative or absurd count of CDs, a
    dollar value that is negative, not finite or not plain digits.
    """
    check_errors(errors)
    check_encoding(encoding)
    name = Path(path).name
    records = read_whitespace(path, encoding=encoding)
    if not records:
        raise LoadError(f"{name}: empty file: no header and no orders")
    first = records[0][1]
    header = not first[0].isdigit()
    if len(first) not in (4, 5):
        raise LoadError(f"{name}: row {records[0][0]} has {len(first)} whitespace-separated fields; CDNOW has 4 or 5")
    names = ["customer_id", "date", "cds", "dollars"]
    if len(first) == 5:
        names = ["customer_id", "sample_id", "date", "cds", "dollars"]
    table = fixed_table(records[1:] if header else records, names, name)
    rows = Rows(table, NumberFormat())
    orders = pd.DataFrame(index=table.frame.index)
    orders["order_id"] = np.arange(1, len(table.frame) + 1)
    orders["customer_id"] = rows.ids("customer_id", "missing customer id")
    orders["placed_at"] = rows.times("date", "UTC", None, required=True, shape=COMPACT_DATE, fmt="%Y%m%d")
    orders["units"] = rows.counts("cds", "number of CDs")
    orders["revenue"] = rows.money("dollars", required=True, negative="negative dollar value")
    orders["refund"] = 0.0
    return finish(orders, rows, name, errors, currency="USD", tz=None, rows_read=len(table.frame))
