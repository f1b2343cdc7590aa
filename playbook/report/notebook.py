"""What every stage notebook does around its own content: load the scenario, state provenance, record headlines.

A notebook's ``parameters`` cell holds plain values (scenario file, seed,
days, replications, language, the stage's levers).  :func:`setup` turns them into a
:class:`Run`: the validated scenario with the notebook's overrides, and the
keyword arguments every replication call needs, and prints the line that
makes a report reproducible (scenario, seed, horizon, package versions).
:func:`record` writes the notebook's headline KPIs and what-if results as
JSON for the report index (``python -m playbook reports``).

Quick mode: with the environment variable ``STORE_PLAYBOOK_QUICK=1`` (set by
``notebooks/conftest.py`` for the nbval run of the test suite) :func:`setup`
caps the horizon at ``QUICK_DAYS`` and the replications at
``QUICK_REPLICATIONS`` so that all notebooks execute in seconds; the printed
provenance line and the headline say so.  Reports never set it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playbook.text import i18n, units
from sim.experiment.runs import simulate
from sim.outputs import write_text_atomic
from sim.results.result import Result
from sim.scenario.definition import Scenario, load_scenario
from sim.version import provenance

QUICK_ENV = "STORE_PLAYBOOK_QUICK"
QUICK_DAYS = 30
QUICK_REPLICATIONS = 3
#: The repository root (this file is playbook/report/notebook.py); relative data paths resolve against it.
ROOT = Path(__file__).resolve().parents[2]


def quick_mode() -> bool:
    """True when ``STORE_PLAYBOOK_QUICK`` is set to a non-empty value other than '0'."""
    return os.environ.get(QUICK_ENV, "") not in ("", "0")


def repo_path(path: str | os.PathLike) -> Path:
    """``path`` as given if it exists (absolute, or relative to the working directory), else under the repo root.

    Notebooks run with their own folder as working directory (Jupyter, nbval)
    or the repo root (the report runner); 'data/scenarios/baseline.yaml'
    must mean the same file in both.
    """
    p = Path(path)
    return (p if p.is_absolute() or p.exists() else ROOT / p).resolve()


def shown_path(path: Path, outside: str | None = None) -> str:
    """``path`` as a report shows it: relative to the repository when inside it (however it was given: relative
    to the working folder or absolute), else ``outside`` (default: the path as given)."""
    full = path.resolve()
    return str(full.relative_to(ROOT)) if full.is_relative_to(ROOT) else (str(path) if outside is None else outside)


@dataclass(frozen=True)
class Run:
    """The validated inputs of one notebook run."""

    scenario: Scenario
    scenario_path: str
    seed: int
    days: int
    replications: int
    workers: int | None
    quick: bool
    overrides: dict[str, Any] = field(default_factory=dict)
    language: str = i18n.DEFAULT_LANGUAGE  #: of everything the notebook prints and draws ('zh' or 'en')

    @property
    def kw(self) -> dict[str, Any]:
        """Keyword arguments of :func:`playbook.report.whatif.compare_strategies`: n, days, seed, workers, language."""
        return {
            "n": self.replications,
            "days": self.days,
            "seed": self.seed,
            "workers": self.workers,
            "language": self.language,
        }

    @property
    def currency(self) -> str:
        return self.scenario.money.currency

    def simulate(
        self, overrides: Mapping[str, Any] | None = None, seed: int | None = None, days: int | None = None
    ) -> Result:
        """One run of the scenario (with ``overrides``) for tables and plots: the notebook's seed and horizon.

        ``days`` asks for another horizon (a long run for cohorts, say); quick
        mode caps it like the notebook's own.
        """
        sc = self.scenario.with_overrides(dict(overrides)) if overrides else self.scenario
        horizon = self.days if days is None else min(days, QUICK_DAYS) if self.quick else days
        return simulate(sc, seed=self.seed if seed is None else seed, days=horizon)

    def describe(self) -> str:
        """The provenance line: scenario, overrides, seed, horizon, replications and versions."""
        tr = i18n.translator(self.language, "run")
        versions = ", ".join(f"{k} {v}" for k, v in provenance().items())
        items = ", ".join(f"{k}={v}" for k, v in self.overrides.items())
        return tr(
            "describe",
            name=self.scenario.meta.name,
            path=self.scenario_path,
            changed=tr("overrides", items=items) if self.overrides else "",
            seed=self.seed,
            days=self.days,
            replications=self.replications,
            versions=versions,
            quick=tr("quick", env=QUICK_ENV) if self.quick else "",
        )


def load(scenario: str) -> Scenario:
    """The scenario file ``scenario`` (repo-relative allowed) as it is: the store now, before a notebook's overrides."""
    return load_scenario(repo_path(scenario))


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} = {value!r}: allowed: an integer >= 1")
    return value


def setup(
    scenario: str,
    *,
    seed: int,
    days: int,
    replications: int,
    workers: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    show: bool = True,
    language: str = i18n.DEFAULT_LANGUAGE,
) -> Run:
    """Load ``scenario`` (a YAML path, repo-relative allowed), apply ``overrides``, check the run sizes.

    Raises :class:`ScenarioError` naming the field for a bad override,
    ``ValueError`` for a bad seed, horizon, replication count or language.  Prints the
    provenance line unless ``show`` is False.
    """
    path = repo_path(scenario)
    base = load(scenario)
    overrides = {k: v for k, v in (overrides or {}).items()}
    sc = base.with_overrides(overrides) if overrides else base
    quick = quick_mode()
    days, replications = _positive_int(days, "days"), _positive_int(replications, "replications")
    if quick:
        days, replications = min(days, QUICK_DAYS), min(replications, QUICK_REPLICATIONS)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed = {seed!r}: allowed: an integer >= 0")
    if workers is not None:
        _positive_int(workers, "workers")
    units.set_language(language)  # Babel's numbers, money and unit words in this kernel follow the notebook
    run = Run(sc, shown_path(path), seed, days, replications, workers, quick, overrides, language)
    if show:
        print(run.describe())
    return run


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None, numpy scalars plain numbers."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def headline(
    run: Run, kpis: Mapping[str, float], whatifs: Sequence[Mapping[str, Any]] = (), notes: Sequence[str] = ()
) -> dict[str, Any]:
    """The headline record: provenance, headline KPIs (value, unit, formatted) and what-if results."""
    return _clean(
        {
            "scenario": run.scenario.meta.name,
            "scenario_path": run.scenario_path,
            "overrides": run.overrides,
            "seed": run.seed,
            "days": run.days,
            "replications": run.replications,
            "quick": run.quick,
            "language": run.language,
            "provenance": provenance(),
            "kpis": [
                {
                    "kpi": k,
                    "name": i18n.kpi_name(k, run.language),
                    "unit": units.unit(k),
                    "value": float(v),
                    "text": units.fmt(float(v), k, run.currency, run.language),
                }
                for k, v in kpis.items()
            ],
            "whatifs": [dict(w) for w in whatifs],
            "notes": list(notes),
        }
    )


def record(
    headline_file: str,
    run: Run,
    kpis: Mapping[str, float],
    whatifs: Sequence[Mapping[str, Any]] = (),
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """Build the headline and, when ``headline_file`` is not '', write it there as JSON (atomically).

    Returns the headline so the notebook can show it.  The file is written to
    a temporary name in the same folder and renamed, so a reader never sees
    half of it.
    """
    data = headline(run, kpis, whatifs, notes)
    if headline_file:
        target = Path(headline_file)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    return data


def show_headline(data: Mapping[str, Any]) -> None:
    """Print a headline record as a reader would want it: KPIs, then one line per what-if."""
    for k in data["kpis"]:
        print(f"{k['name']}: {k['text']}")
    for w in data["whatifs"]:
        print("- " + w["conclusion"])
    for note in data.get("notes", []):
        print("- " + note)
