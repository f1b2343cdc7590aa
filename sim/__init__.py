"""A SimPy model of one online store: traffic -> funnel -> orders -> fulfilment -> returns -> service -> reviews.

Quick start::

    import sim
    base = sim.load_scenario("data/scenarios/baseline.yaml")
    result = sim.simulate(base, seed=7, days=90)
    result.kpis()["conversion_rate"]
    sim.compare(base, base.with_overrides({"service.agents": 5}), n=10)
"""

from sim.errors import ScenarioError
from sim.experiment.runs import compare, mean_ci, replicate, run_kpis, simulate, summarize
from sim.experiment.sweep import sweep
from sim.results.result import Result
from sim.scenario.definition import Scenario, load_scenario
from sim.version import __version__

__all__ = [
    "ScenarioError",
    "Scenario",
    "load_scenario",
    "simulate",
    "replicate",
    "compare",
    "summarize",
    "mean_ci",
    "run_kpis",
    "Result",
    "sweep",
    "__version__",
]
