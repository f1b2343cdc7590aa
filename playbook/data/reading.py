"""Reading an export file into text cells: encodings in a stated order, one-line errors for unreadable files.

Every loader reads its file here, so one careless export gets the same answer
from all of them: an empty file, a header without rows, a UTF-16 or latin-1
file, a trailing ``,`` on every line or an unclosed quote is a
:class:`~playbook.data.errors.LoadError` naming the file and the option that
reads it (``encoding=``, ``sep=``), never a pandas traceback.  A row with more
or fewer fields than the header is a bad row of the load, not a shifted one.

Encodings, unless ``encoding=`` is given: :data:`UTF8` (UTF-8, with or without
a byte-order mark) for Western exports; :data:`UTF8_THEN_GBK` adds GB18030
(the superset of GBK and GB2312 that Excel and Taobao write on Chinese
Windows) for Chinese exports.  UTF-16 and UTF-32 files are recognised by their
byte-order mark and refused with the option that reads them.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from playbook.data.errors import LoadError, shorten

UTF8 = ("utf-8",)
UTF8_THEN_GBK = ("utf-8", "gb18030")
_LABELS = {"utf-8": "UTF-8", "gb18030": "GBK"}
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Header cells are compared without surrounding blanks: Taobao writes '收货地址 ' with a trailing space.
_BLANKS = " \t\u3000\ufeff"


@dataclass
class Table:
    """The text cells of a file: ``frame`` (str, one column per header name), ``rows`` (file row of each record,
    the header is row 1) and ``problems`` (row, column, value, reason) found while splitting it."""

    frame: pd.DataFrame
    rows: np.ndarray
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)


def read_text(path: str | PathLike[str], encoding: str | None, order: tuple[str, ...]) -> str:
    """The file's text, decoded with ``encoding`` or else with the first of ``order`` that fits."""
    name = Path(path).name
    data = Path(path).read_bytes()
    if encoding is None:
        for bom, wide in _WIDE_BOMS:
            if data.startswith(bom):
                raise LoadError(f"{name}: a {wide.upper()} file; save it as UTF-8 or pass encoding='{wide}'")
    if data.startswith(codecs.BOM_UTF8) and (encoding is None or codecs.lookup(encoding).name.startswith("utf-8")):
        data = data[len(codecs.BOM_UTF8) :]
    first: UnicodeDecodeError | None = None
    for candidate in (encoding,) if encoding is not None else order:
        try:
            text = data.decode(candidate)
            break
        except UnicodeDecodeError as error:
            first = first or error
    else:
        assert first is not None
        line = data[: first.start].count(b"\n") + 1
        tried = encoding if encoding is not None else " or ".join(_LABELS.get(c, c) for c in order)
        raise LoadError(
            f"{name}: not {tried} (byte 0x{data[first.start]:02x} on line {line}); pass the file's encoding as "
            "encoding=, e.g. encoding='gbk' for a Chinese export or encoding='latin-1'"
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise LoadError(
            f"{name}: NUL characters on line {line}: UTF-16 without a byte-order mark or not a text file; "
            "pass encoding='utf-16' if it is UTF-16"
        )
    if not text.strip(_BLANKS + "\r\n"):
        raise LoadError(f"{name}: empty file: no header and no orders")
    return text


def _records(text: str, sep: str, name: str) -> list[tuple[int, list[str]]]:
    """Non-blank records of a delimited text with the file row each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    out: list[tuple[int, list[str]]] = []
    try:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return out
            if any(cell.strip(_BLANKS) for cell in record):  # blank lines and Excel's ',,,,' rows hold nothing
                out.append((start, record))
    except csv.Error as error:
        raise LoadError(f"{name}: line {reader.line_num}: malformed CSV ({error}); check its quotes") from None


def read_delimited(
    path: str | PathLike[str], *, sep: str, encoding: str | None, order: tuple[str, ...] = UTF8
) -> Table:
    """Split a delimited export into a :class:`Table` of text cells, one column per header name.

    Columns with an empty header name are not read.  A header name given twice
    is an error; so is a file whose every row has extra empty fields (a
    trailing ``sep`` on each data line but not on the header).
    """
    name = Path(path).name
    records = _records(read_text(path, encoding, order), sep, name)
    if not records:
        raise LoadError(f"{name}: empty file: no header and no orders")
    (_, header), body = records[0], records[1:]
    header = [cell.strip(_BLANKS) for cell in header]
    if not body:
        raise LoadError(f"{name}: header only, no data rows")
    seen: dict[str, int] = {}
    for i, column in enumerate(header):
        if column and column in seen:
            raise LoadError(
                f"{name}: column {shorten(column)} appears twice in the header (fields {seen[column]} and {i + 1})"
            )
        seen.setdefault(column, i + 1)
    width = len(header)
    extra = [len(cells) - width for _, cells in body]
    if min(extra) > 0 and all(not any(c.strip() for c in cells[width:]) for _, cells in body):
        raise LoadError(
            f"{name}: every data row has {min(extra)}+ empty field(s) more than the header's {width} "
            f"(a trailing {sep!r} on each line); remove the trailing delimiters"
        )
    problems = [
        (row, "", f"{len(cells)} fields", f"has {len(cells)} fields, the header has {width}")
        for (row, cells), n in zip(body, extra, strict=True)
        if n != 0
    ]
    cells = [c if len(c) == width else (c + [""] * width)[:width] for _, c in body]
    frame = pd.DataFrame(cells, columns=range(width), dtype=object)
    keep = [i for i, column in enumerate(header) if column]
    frame = frame[keep].set_axis([header[i] for i in keep], axis=1)
    return Table(frame, np.array([row for row, _ in body]), problems)


def read_whitespace(path: str | PathLike[str], *, encoding: str | None) -> list[tuple[int, list[str]]]:
    """The non-blank lines of a whitespace-separated file (CDNOW) split into fields, with their file rows."""
    lines = read_text(path, encoding, UTF8).splitlines()
    return [(i + 1, line.split()) for i, line in enumerate(lines) if line.strip()]


def fixed_table(records: list[tuple[int, list[str]]], names: list[str], name: str) -> Table:
    """A :class:`Table` of ``records`` that must each have ``len(names)`` fields; others are bad rows."""
    if not records:
        raise LoadError(f"{name}: header only, no data rows")
    width = len(names)
    problems = [
        (row, "", f"{len(cells)} fields", f"has {len(cells)} fields, expected {width}")
        for row, cells in records
        if len(cells) != width
    ]
    cells = [c if len(c) == width else (c + [""] * width)[:width] for _, c in records]
    frame = pd.DataFrame(cells, columns=names, dtype=object)
    return Table(frame, np.array([row for row, _ in records]), problems)
