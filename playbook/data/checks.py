"""Input checks shared by every analysis: a bad frame fails with the column and the allowed range."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sim.results.tables import missing_columns


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


def check_values(values: object, name: str, low: float | None = None, high: float | None = None) -> np.ndarray:
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
        first = float(arr.ravel()[bad.ravel()][0])  # -2.0, not numpy 2's np.float64(-2.0)
        raise ValueError(
            f"{name} must be in {span} and not missing; found {first!r} ({int(bad.sum())} value(s) out of range)"
        )
    return arr
