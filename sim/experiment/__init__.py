"""Many runs: simulate, replicate and compare with common random numbers (``runs``), and sweeps over
levers on local processes or a Dask cluster (``sweep``, with ``sweep_definition``, ``sweep_store`` and
``sweep_read``)."""

from sim.experiment.runs import check_replications, compare, mean_ci, replicate, run_kpis, run_many, simulate, summarize

__all__ = ["simulate", "replicate", "compare", "summarize", "mean_ci", "run_kpis", "run_many", "check_replications"]
