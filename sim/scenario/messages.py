"""Short, one-line error text: a value a user typed is shown, never dumped.

A scenario error names the field and the value, but the value may be a
10,000-item list or an alias bomb that expands to a billion nodes; ``repr``
of it would run for minutes or out of memory.  :func:`shorten` shows a value
with bounded effort (``reprlib`` stops after a few items and levels), and
:func:`one_line` squeezes any message onto one line of at most
``MAX_MESSAGE`` characters, e.g. ``[0.1, 0.2, 0.3, 0.4, ...]``.
"""

from __future__ import annotations

import reprlib
from typing import Any

#: longest message the CLI prints (the issue asks for ~300 characters)
MAX_MESSAGE = 300

_REPR = reprlib.Repr()
_REPR.maxlevel = 1
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 4
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 40


def shorten(value: Any) -> str:
    """``repr`` of a value, cut to a few items and ~40 characters per scalar, in bounded time."""
    try:
        return _REPR.repr(value)
    except Exception:  # a value whose repr fails: its type is enough
        return f"<{type(value).__name__}>"


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line (newlines and runs of spaces collapsed), cut to ``limit`` characters with '...'."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."
