"""The one error path of every command line (``python -m sim``, ``python -m playbook``).

A user sees one line, never a traceback:

* bad input - a scenario, sweep, override, option or output folder
  (:class:`ScenarioError`, :class:`OutputError`, another ``ValueError``, a file
  that cannot be read or written) - prints ``error: ...`` and exits 2;
* an argparse error (an unknown option, a missing argument) prints
  ``error: python -m sim run: the following arguments are required: scenario``
  and exits 2;
* anything else is a bug or the machine giving out (``OverflowError``,
  ``MemoryError``, ...): it prints ``internal error: OverflowError: ...;
  details in ~/.cache/store-playbook/logs/sim-20260102-101500-4242.log`` and
  exits 1; the traceback goes to that file, not to the terminal.

Logs go to ``$XDG_CACHE_HOME/store-playbook/logs`` (``~/.cache/...`` when unset),
or to the system temp folder when that cannot be written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from sim.errors import OutputError, ScenarioError
from sim.scenario.messages import one_line

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (no usage block); subcommand parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        print(one_line(f"error: {self.prog}: {message} (see {self.prog} --help)"), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def log_dir() -> Path:
    """Folder of the internal-error logs: ``$XDG_CACHE_HOME/store-playbook/logs``, else the temp folder."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for candidate in (Path(cache) / "store-playbook" / "logs", Path(tempfile.gettempdir()) / "store-playbook-logs"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            return candidate
        except OSError:
            continue
    return Path(tempfile.gettempdir())


def write_log(program: str, exc: BaseException) -> Path:
    """Write the traceback of ``exc`` to a new log file and return its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = log_dir() / f"{program}-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    path.write_text(f"{' '.join(sys.argv)}\n{text}", encoding="utf-8")
    return path


def guarded(program: str, body: Callable[[], int]) -> int:
    """Run a command's ``body`` and turn every exception into one line on stderr and an exit status."""
    try:
        return body()
    except (ScenarioError, OutputError, ValueError, OSError) as exc:
        if isinstance(exc, BrokenPipeError):  # output piped into `head`: not an error
            sys.stderr.close()
            return EXIT_OK
        print(one_line(f"error: {exc}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug or exhausted memory: one line here, the traceback in a file
        try:
            where = str(write_log(program, exc))
        except OSError as log_exc:
            where = f"nowhere (the log could not be written: {log_exc.strerror})"
        print(f"internal error: {type(exc).__name__}: {one_line(str(exc), 200)}; details in {where}", file=sys.stderr)
        return EXIT_INTERNAL
