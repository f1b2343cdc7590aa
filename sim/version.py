"""Package version and the provenance recorded beside every output."""

from __future__ import annotations

import platform
from importlib import metadata

__version__ = "0.1.0"


def provenance() -> dict[str, str]:
    """Versions that decide a run's numbers: this package, Python, numpy, pandas, simpy."""
    out = {"store_playbook": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "pandas", "simpy"):
        out[pkg] = metadata.version(pkg)
    return out
