"""pytest settings for running the notebooks under nbval (``make test`` = pytest -n 2 --nbval-lax notebooks tests).

* Quick mode: ``STORE_PLAYBOOK_QUICK=1`` is set for the kernels nbval starts, so each notebook's
  ``playbook.report.notebook.setup`` caps the horizon at 30 days and the replications at 3: the suite
  checks that every notebook runs end to end, in seconds, without touching its parameters cell.
  Reports (``make reports``) never set it and run the full parameters.
* Teacher checks: ``STORE_PLAYBOOK_TEACHER_CHECKS=1`` makes every exercise check whose worked
  solution is judged wrong raise (``playbook.report.exercises.check``), so nbval fails on it.
* xdist: nbval runs a notebook's cells in order in one kernel, so all cells of a notebook must go
  to the same worker.  With ``-n`` and the default ``--dist load`` this switches to ``loadfile``
  (one file per worker at a time), for the test files too.
"""

from __future__ import annotations

import os

from playbook.report.exercises import TEACHER_CHECKS_ENV
from playbook.report.notebook import QUICK_ENV

os.environ.setdefault(QUICK_ENV, "1")
os.environ.setdefault(TEACHER_CHECKS_ENV, "1")


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist", "load") != "load":
        return None
    from xdist.scheduler import LoadFileScheduling

    return LoadFileScheduling(config, log)
