"""The CDNOW data set, read from the files shipped inside the ``lifetimes`` wheel.

CDNOW (Fader & Hardie): 23,570 customers who first bought at the CDNOW online
music store in the first quarter of 1997, and their 69,659 purchases to the
end of June 1998.  ``CDNOW_sample.txt`` is the published 1/10 sample (2,357
customers) on which the BG/NBD, Pareto/NBD and Gamma-Gamma fits of
``benchmarks.md`` were made, with a 39-week calibration period ending
1997-09-30.  Only the data files are used: ``lifetimes``' own loaders break on
current pandas and are never called.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import importlib.util
from pathlib import Path

import pandas as pd

from playbook.data.cdnow import load_cdnow

#: Last day of the 39-week calibration period of the published fits (T is measured to it).
CDNOW_CALIBRATION_END = pd.Timestamp("1997-09-30")


def cdnow_file(name: str) -> Path:
    """Path of ``lifetimes/datasets/<name>`` in the installed wheel.

    Read with ``importlib.resources`` from the package's spec *without running
    its ``__init__``*: importing ``lifetimes`` is slow, warns on pandas 3 and
    changes a global pandas option (``mode.chained_assignment``).  If the
    package cannot be found that way, the file is located through the
    distribution's metadata instead.
    """
    spec = importlib.util.find_spec("lifetimes")
    if spec is not None and spec.submodule_search_locations:
        path = Path(str(importlib.resources.files(importlib.util.module_from_spec(spec)) / "datasets" / name))
    else:
        path = Path(str(importlib.metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}")))
    if not path.is_file():
        raise FileNotFoundError(f"{name} is not in the lifetimes wheel ({path}); pip install lifetimes==0.11.3")
    return path


def cdnow_master() -> pd.DataFrame:
    """All 69,659 CDNOW transactions as an orders frame (see :func:`playbook.data.cdnow.load_cdnow`)."""
    return load_cdnow(cdnow_file("CDNOW_master.txt"))


def cdnow_sample() -> pd.DataFrame:
    """The 1/10 sample's 6,919 transactions (2,357 customers) as an orders frame."""
    return load_cdnow(cdnow_file("CDNOW_sample.txt"))


def cdnow_sample_summary() -> pd.DataFrame:
    """Fader & Hardie's per-customer summary of the 1/10 sample, as shipped.

    Columns: ID (sample customer number 1..2357), x (repeat purchases in the
    39-week calibration period), t_x (week of the last purchase after the
    first), T (weeks from first purchase to the end of calibration), zbar
    (mean value of the repeat purchases; 0 when x = 0).
    """
    return pd.read_csv(cdnow_file("cdnow_customers_summary_with_transactions.csv"))
