"""The version and the provenance written beside every output."""

from __future__ import annotations

import platform
import tomllib
from importlib import metadata

import numpy as np

import sim
from sim.version import __version__, provenance
from tests.conftest import ROOT


def test_the_version_is_the_packages():
    assert sim.__version__ == __version__ == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_provenance_names_the_versions_that_decide_the_numbers():
    p = provenance()
    assert set(p) == {"store_playbook", "python", "numpy", "pandas", "simpy"}
    assert p["python"] == platform.python_version() and p["numpy"] == np.__version__
    assert p["simpy"] == metadata.version("simpy") and p["store_playbook"] == __version__
