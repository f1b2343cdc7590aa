"""Strict parsing of the numbers in an export: a number is read only as the file's stated format writes it.

A Shopify export opened in a German Excel comes back with ``22,19`` for 22.19
and ``1.234,56`` for 1234.56.  Guessing is how ``22,19`` once loaded as 2219:
so by default a number is ``[+-]digits[.digits]`` and nothing else, and a
separator is accepted only when the caller says what it means
(``decimal=","``, ``thousands="."``).  ``inf``, ``nan`` and scientific
notation (``1.23457E+18``, Excel's rounding of a long id) are never numbers.
Integers are parsed from the text with Python's exact ``int``, never through a
float, so ``99999999999999999999`` is reported as too large instead of
wrapping to a negative int64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from playbook.data.errors import LoadError, shorten

#: Largest money amount of one order, in the export's currency: beyond it a value is a typo or an attack.
MAX_MONEY = 1e12
#: Largest quantity of one line or order (a million units).
MAX_UNITS = 1_000_000
#: Largest id the orders table holds (its ids are int64).
INT64_MAX = 2**63 - 1

_THOUSANDS = (",", ".", " ", "'", "\u00a0", "\u202f")
_MARK_NAMES = {",": "comma", ".": "point"}
_NON_FINITE = re.compile(r"[+-]?(?:inf(?:inity)?|nan)", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"[+-]?(?:\d+[.,]?\d*|[.,]\d+)[eE][+-]?\d+")
_SEPARATED = re.compile(r"[+-]?\d[\d.,' \u00a0\u202f]*")


@dataclass(frozen=True)
class NumberFormat:
    """How the file writes numbers: the decimal mark and an optional thousands separator."""

    decimal: str = "."
    thousands: str | None = None

    def __post_init__(self) -> None:
        if self.decimal not in (".", ","):
            raise LoadError(f"decimal={shorten(self.decimal)}: use '.' or ','")
        if self.thousands is not None and (self.thousands not in _THOUSANDS or self.thousands == self.decimal):
            raise LoadError(
                f"thousands={shorten(self.thousands)}: use None or one of {list(_THOUSANDS)} other than decimal"
            )

    def _pattern(self, integer: bool) -> re.Pattern[str]:
        whole = r"\d+"
        if self.thousands is not None:
            whole = rf"(?:\d{{1,3}}(?:{re.escape(self.thousands)}\d{{3}})+|\d+)"
        fraction = rf"(?:{re.escape(self.decimal)}0*)?" if integer else rf"(?:{re.escape(self.decimal)}\d+)?"
        return re.compile(rf"[+-]?{whole}{fraction}", re.ASCII)

    def _plain(self, text: str) -> str:
        if self.thousands is not None:
            text = text.replace(self.thousands, "")
        return text.replace(self.decimal, ".")

    def why_not(self, text: str) -> str:
        """Why ``text`` is not a number in this format, with the option that would read it if there is one."""
        if _NON_FINITE.fullmatch(text):
            return "not a finite number"
        if _SCIENTIFIC.fullmatch(text):
            return "scientific notation loses digits (Excel writes long numbers so); export the column as plain digits"
        if _SEPARATED.fullmatch(text):
            marks = "".join(sorted({c for c in text if c in ".,"}, key=text.rindex))
            if len(marks) == 2:  # e.g. 1.234,56: the last mark is the decimal one
                hint = f"decimal={marks[1]!r} and thousands={marks[0]!r}"
            elif marks and marks != self.decimal:
                hint = f"decimal={marks!r}"
                if self.thousands != marks:
                    hint += f" for a decimal {_MARK_NAMES[marks]} or thousands={marks!r} for a thousands separator"
            else:
                hint = "decimal= and thousands= as the file writes numbers"
            return f"separators not allowed by decimal={self.decimal!r}, thousands={self.thousands!r}; pass {hint}"
        return "not a number"

    def decimals(self, text: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Floats of the non-empty cells of ``text`` (NaN when bad or empty) and a reason per cell ('' when fine)."""
        pattern = self._pattern(integer=False)
        values, reasons = [], []
        for cell in text.tolist():
            ok = cell != "" and pattern.fullmatch(cell) is not None
            values.append(float(self._plain(cell)) if ok else float("nan"))
            reasons.append("" if ok or cell == "" else self.why_not(cell))
        return pd.Series(values, index=text.index, dtype="float64"), pd.Series(reasons, index=text.index, dtype=object)

    def integers(self, text: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Exact Python ints (object dtype, ``None`` when bad or empty) and a reason per cell ('' when fine)."""
        pattern, decimal = self._pattern(integer=True), self._pattern(integer=False)
        values: list[int | None] = []
        reasons = []
        for cell in text.tolist():
            ok = cell != "" and pattern.fullmatch(cell) is not None
            values.append(int(self._plain(cell).split(".")[0]) if ok else None)
            if ok or cell == "":
                reasons.append("")
            elif decimal.fullmatch(cell):
                reasons.append("not an integer")
            else:
                why = self.why_not(cell)
                reasons.append("not an integer" if why == "not a number" else f"not an integer: {why}")
        return pd.Series(values, index=text.index, dtype=object), pd.Series(reasons, index=text.index, dtype=object)
