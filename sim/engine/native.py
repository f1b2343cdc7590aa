"""Which engine runs: the hot modules compiled to C by mypyc, or their Python source.

``make setup`` compiles the modules ``setup.py`` lists (``NATIVE_MODULES``)
with mypyc: the same typed source, built as C extensions that sit beside it
(``sim/engine/model.cpython-311-x86_64-linux-gnu.so`` next to ``model.py``,
and one shared library, ``sim/engine/native__mypyc...so``).  A year of the
growth store runs faster (the README's "How fast").  Nothing else changes: the
same scenario and seed give byte-identical tables either way
(``tests/sim/engine/test_native.py``).

Python would import an extension before a ``.py`` of the same name, so
this module decides once, when ``sim.engine`` is first imported, and makes
the source win (a finder in front of ``sys.meta_path``) when

* ``STORE_SIM_PURE=1`` is set - how ``make test`` measures line coverage,
  and how to step through the model in a debugger;
* the build is stale: a module's source is newer than the shared library
  (edited or checked out since ``make setup``); a warning says so, and the
  next ``make setup`` rebuilds;
* the build is incomplete (no shared library beside the modules).

Without a C compiler ``make setup`` says so and the model runs as Python.
All or nothing: compiled modules call each other's C code directly, so a
mix of compiled and source modules is never loaded.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: the engine package's directory: the compiled modules and their shared library sit under it
ENGINE = Path(__file__).resolve().parent
#: the shared library mypyc builds for ``group_name="sim.engine.native"`` (``setup.py``)
SHARED = "native__mypyc"


def built_modules(root: Path = ENGINE) -> dict[str, Path]:
    """The compiled modules present under ``root``: their dotted names and the Python source of each."""
    found: dict[str, Path] = {}
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for ext in root.rglob(f"*{suffix}"):
            stem = ext.name[: -len(suffix)]
            source = ext.with_name(stem + ".py")
            if stem != SHARED and source.exists():
                parts = source.relative_to(root.parent.parent).with_suffix("").parts
                found[".".join(parts)] = source
    return found


def shared_library(root: Path = ENGINE) -> Path | None:
    """The group's shared library, if it was built."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        lib = root / (SHARED + suffix)
        if lib.exists():
            return lib
    return None


def decide(sources: Sequence[Path], shared: Path | None, pure_asked: bool) -> tuple[bool, str]:
    """Compiled or not, and why, from what is on disk and ``STORE_SIM_PURE``.

    >>> decide([], None, False)
    (False, 'not built (make setup compiles it where a C compiler is found)')
    """
    if not sources:
        return False, "not built (make setup compiles it where a C compiler is found)"
    if pure_asked:
        return False, "Python source (STORE_SIM_PURE=1)"
    if shared is None:
        return False, "Python source: the build is incomplete (no shared library); make setup rebuilds it"
    built = shared.stat().st_mtime
    newer = sorted(p.name for p in sources if p.stat().st_mtime > built)
    if newer:
        return False, f"Python source: {', '.join(newer)} changed since the build; make setup rebuilds it"
    return True, f"compiled by mypyc ({len(sources)} modules)"


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds the listed modules' ``.py`` files, ahead of the extensions that sit beside them."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        return None if source is None else importlib.util.spec_from_file_location(fullname, source)


def _choose() -> tuple[bool, str]:
    sources = built_modules()
    pure_asked = os.environ.get("STORE_SIM_PURE") == "1"
    compiled, why = decide(list(sources.values()), shared_library(), pure_asked)
    if sources and not compiled:
        sys.meta_path.insert(0, _SourceFirst(sources))
        if not pure_asked:  # a build there but not usable: stale or incomplete
            warnings.warn(f"the simulation engine runs as {why}", RuntimeWarning, stacklevel=2)
    return compiled, why


#: True when the compiled modules are in use; ``REASON`` says which engine runs and why (the benchmark prints it)
COMPILED, REASON = _choose()
