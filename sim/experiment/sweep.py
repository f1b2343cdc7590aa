"""What-if sweeps: every point of a grid or sample, times replications, on local cores or a Dask cluster.

    import sim
    res = sim.sweep("data/sweeps/agents_returns_traffic.yaml", out="results/agents")   # all local cores
    res = sim.sweep(definition, executor=4)                                             # 4 local processes
    res = sim.sweep(definition, executor=distributed.Client("tcp://host:8786"), out=..., resume=True)
    res.summary                 # one row per point: mean and 95% CI of each KPI, n_ok, n_failed

A task is one replication of one point.  Workers get the base scenario once
(a local process when it starts; on Dask it is scattered to every worker)
plus each point's few overrides, and send back the sweep's KPIs only -- a
small dict -- so memory stays flat as a sweep grows.  Tasks travel in
batches of about a second of work (:data:`BATCH_SECONDS`), so handing out
and collecting costs the same small share of the work however fast a task
is.  Local runs use a ``ProcessPoolExecutor`` (one worker: in this process),
Dask runs the same function (:func:`run_batch`) through
``distributed.Client``; no scheduler of our own.

Seeds: replication ``j`` uses ``SeedSequence(seed).spawn(R)[j]``
(= ``SeedSequence(seed, spawn_key=(j,))``) at *every* point -- common random
numbers, as in :func:`sim.compare` -- so differences between points are
paired and a point's replications equal ``sim.replicate(point, R, seed)``.
Each task carries its seed, so the tables are the same, byte for byte,
whichever executor and however many workers ran them.

``sim.experiment.sweep`` is this module's :func:`sweep` (exported by the package); for
the other names, import from the module: ``from sim.experiment.sweep import plan``.

Tasks are handed out replication by replication (every point's replication 0,
then every point's 1, ...), so a sweep stopped early has about the same
number of replications at every point.  Finished tasks go to part files as
they come (see :mod:`sim.experiment.sweep_store`); ``resume=True`` skips every task that
succeeded and reruns the failed ones.  A task that raises is recorded with
its point, seed and error, and the sweep goes on.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.runs import run_kpis
from sim.experiment.sweep_definition import SweepDefinition, load_sweep
from sim.experiment.sweep_store import PartWriter, Record, prepare, read_parts, write_tables
from sim.scenario.definition import Scenario
from sim.version import provenance


@dataclass(frozen=True)
class Task:
    """One replication of one point: what a worker needs besides the base scenario."""

    point: int
    replication: int
    overrides: Mapping[str, Any]
    seed: int
    days: int
    kpis: tuple[str, ...]

    def seed_sequence(self) -> np.random.SeedSequence:
        """``SeedSequence(seed).spawn(R)[replication]``, the same at every point."""
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication,))


def run_task(base: Scenario, task: Task) -> dict[str, float]:
    """What a worker runs: the point's scenario for ``task.days``; returns the sweep's KPIs only."""
    kpis = run_kpis(base.with_overrides(task.overrides), task.seed_sequence(), task.days)
    return {k: kpis.get(k, float("nan")) for k in task.kpis}


#: ``task_fn(base, task) -> {kpi: value}``: what each worker runs (module-level, so it pickles).
TaskFn = Callable[[Scenario, Task], dict[str, float]]
#: (task, kpis or None, error message or None)
Outcome = tuple[Task, "dict[str, float] | None", "str | None"]


@dataclass(frozen=True)
class SweepResult:
    """A sweep's tables and where they were written (``out`` is None for an in-memory sweep)."""

    definition: SweepDefinition
    results: pd.DataFrame
    summary: pd.DataFrame
    failures: pd.DataFrame
    out: Path | None
    tasks_ran: int = 0

    @property
    def tasks_total(self) -> int:
        return len(self.summary) * self.definition.replications

    @property
    def complete(self) -> bool:
        """Every task has a record (succeeded or failed)."""
        return len(self.results) + len(self.failures) == self.tasks_total


def plan(definition: SweepDefinition) -> tuple[list[dict[str, Any]], list[Task]]:
    """The points (lever -> value) and every task, replication-major; each point's scenario is checked."""
    points = definition.points()
    overrides = definition.point_overrides(points)
    tasks = [
        Task(i, j, overrides[i], definition.seed, definition.days, definition.kpis)
        for j in range(definition.replications)
        for i in range(len(points))
    ]
    return points, tasks


def sweep(
    definition: SweepDefinition | str | Path,
    executor: Any = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    max_tasks: int | None = None,
    progress: bool = True,
    task_fn: TaskFn = run_task,
) -> SweepResult:
    """Run a sweep (a definition or a sweep YAML file) and return its tables.

    ``executor``: None = a process per local core; an int = that many local
    processes (1 = in this process); a ``distributed.Client`` = its Dask
    cluster.  ``out``: folder for part files and tables (None: a temporary
    one, tables returned only); a folder holding a previous sweep needs
    ``resume=True`` (continue it) or ``force=True`` (replace it), and a folder
    holding anything else is refused (``sim.outputs.claim``).
    ``max_tasks``: run at most this many of the remaining tasks, then write
    the tables and return (resume later).  ``task_fn``: what each worker runs,
    :func:`run_task` unless a caller instruments it (tests inject failures).
    """
    d = definition if isinstance(definition, SweepDefinition) else load_sweep(definition)
    where = _resolve(executor)
    if max_tasks is not None and (isinstance(max_tasks, bool) or not isinstance(max_tasks, int) or max_tasks < 0):
        raise ValueError(f"max_tasks = {max_tasks!r}: allowed: an integer >= 0, or None for all")
    points, tasks = plan(d)
    with contextlib.ExitStack() as stack:
        folder = Path(out) if out is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        prepare(folder, d, resume, force)
        done = read_parts(folder)
        todo = [t for t in tasks if "kpis" not in done.get((t.point, t.replication), {})][:max_tasks]
        if todo:
            _run(todo, d, where, task_fn, PartWriter(folder), progress)
        tables = build_tables(d, points, read_parts(folder))
        write_tables(folder, tables)
    return SweepResult(d, **tables, out=Path(out) if out is not None else None, tasks_ran=len(todo))


# --- running ---------------------------------------------------------------------------------------

#: A worker gets its tasks in batches of about this many seconds of work (measured on the batches that
#: came back; the first batches are one task each): handing out and collecting a batch costs a few
#: milliseconds on Dask (about one on local processes) whatever its size, so a second-long batch keeps
#: that under 1% of the work however short one task is, and an interruption loses at most about this
#: much per worker (finished batches are in the part files).
BATCH_SECONDS = 1.0
#: Batches shrink as the sweep ends, to at most the remaining tasks / (TAIL_SHARE x workers), so the
#: workers finish together instead of one running a long last batch while the others idle.
TAIL_SHARE = 4
#: Batches in flight per worker: one running, the next already there when it ends.
IN_FLIGHT_PER_WORKER = 2


def _run(todo: list[Task], d: SweepDefinition, where: Any, task_fn: TaskFn, parts: PartWriter, progress: bool) -> None:
    failed = 0
    from tqdm.auto import tqdm  # here, not at import: importing sim must not probe for notebook widgets

    bar = tqdm(total=len(todo), desc=d.name, unit="task", disable=not progress, smoothing=0.05)
    try:
        with (
            _runner(where, d.base, len(todo), progress) as outcomes,
            contextlib.closing(outcomes(task_fn, todo)) as finished,
        ):
            for task, kpis, error in finished:
                rec: Record = {"point": task.point, "replication": task.replication}
                rec.update({"kpis": kpis} if error is None else {"error": error})
                parts.add(rec)
                failed += error is not None
                if error is not None:
                    bar.set_postfix(failed=failed)
                bar.update()
    finally:
        parts.flush()
        bar.close()


@contextlib.contextmanager
def _runner(
    where: Any, base: Scenario, n_tasks: int, progress: bool
) -> Iterator[Callable[[TaskFn, list[Task]], Generator[Outcome]]]:
    """``outcomes(task_fn, tasks)`` on ``where`` (a number of local workers or a Client), as they finish."""
    if isinstance(where, int):
        if where == 1 or n_tasks == 1:
            yield partial(_serial, base)
            return
        workers = min(where, n_tasks)
        # Each worker gets the base scenario once, when it starts, rather than pickled with every batch.
        with ProcessPoolExecutor(max_workers=workers, initializer=_install_base, initargs=(base,)) as pool:

            def submit_local(task_fn: TaskFn, batch: list[Task]) -> Future:
                return pool.submit(_run_batch_on_installed_base, task_fn, batch)

            yield partial(_pooled, submit_local, workers)
        return
    client = where
    _check_worker_versions(client)
    if progress:
        print(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr)
    base_ref = client.scatter(base, broadcast=True, hash=False)  # once per worker; batches carry a reference
    executor = client.get_executor(pure=False)

    def submit(task_fn: TaskFn, batch: list[Task]) -> Future:
        return executor.submit(run_batch, task_fn, batch, base_ref)

    yield partial(_pooled, submit, max(sum(client.nthreads().values()), 1))


def _resolve(executor: Any) -> Any:
    """The number of local workers (None: one per core), or the ``distributed.Client`` itself."""
    if executor is None:
        return os.cpu_count() or 1
    if isinstance(executor, (int, np.integer)) and not isinstance(executor, bool) and executor >= 1:
        return int(executor)
    if not isinstance(executor, (int, np.integer, bool)):
        from distributed import Client

        if isinstance(executor, Client):
            return executor
    raise ValueError(
        f"executor = {executor!r}: allowed: None (all cores), a number of local workers >= 1, or a distributed.Client"
    )


def _check_worker_versions(client: Any) -> None:
    """Refuse a cluster whose workers run other versions: their numbers would differ from a local run."""
    here = provenance()
    try:
        versions = client.run(provenance)
    except Exception as exc:  # typically: this package is not installed on the workers
        raise RuntimeError(f"the Dask workers cannot run sim ({_message(exc)}): install this package there") from exc
    for worker, theirs in versions.items():
        moved = [f"{k} {theirs.get(k)} (here {v})" for k, v in here.items() if theirs.get(k) != v]
        if moved:
            raise RuntimeError(f"Dask worker {worker} runs {', '.join(moved)}: install the same versions there")


def _message(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


#: (kpis or None, error message or None) of each task of a batch, in order, and the batch's wall seconds
BatchResult = tuple[list[tuple["dict[str, float] | None", "str | None"]], float]


def run_batch(task_fn: TaskFn, tasks: list[Task], base: Scenario) -> BatchResult:
    """What a worker runs: ``task_fn(base, task)`` for each task; a task that raises is recorded, the rest run."""
    t0 = time.perf_counter()
    out: list[tuple[dict[str, float] | None, str | None]] = []
    for task in tasks:
        try:
            out.append((task_fn(base, task), None))
        except Exception as exc:  # a failed task is recorded, the sweep goes on
            out.append((None, _message(exc)))
    return out, time.perf_counter() - t0


#: The base scenario of the sweep a local worker process serves (set once, when the process starts).
_installed_base: Scenario | None = None


def _install_base(base: Scenario) -> None:
    global _installed_base
    _installed_base = base


def _run_batch_on_installed_base(task_fn: TaskFn, tasks: list[Task]) -> BatchResult:
    assert _installed_base is not None, "a local worker runs batches only after _install_base"
    return run_batch(task_fn, tasks, _installed_base)


def _serial(base: Scenario, task_fn: TaskFn, tasks: list[Task]) -> Generator[Outcome]:
    for task in tasks:
        ((kpis, error),), _ = run_batch(task_fn, [task], base)
        yield task, kpis, error


@dataclass
class BatchSizer:
    """How many tasks the next batch gets: about BATCH_SECONDS of work, fewer as the sweep ends.

    Until a batch has come back the task's duration is unknown, so the first batches hold one task each.
    """

    workers: int
    tasks_done: int = 0
    seconds: float = 0.0

    def record(self, tasks: int, seconds: float) -> None:
        self.tasks_done += tasks
        self.seconds += seconds

    def size(self, remaining: int) -> int:
        tail = max(remaining // (TAIL_SHARE * self.workers), 1)
        if self.tasks_done == 0:
            return 1
        per_task = self.seconds / self.tasks_done
        return min(max(int(BATCH_SECONDS / per_task), 1) if per_task > 0 else remaining, tail)


def _pooled(
    submit: Callable[[TaskFn, list[Task]], Future], workers: int, task_fn: TaskFn, tasks: list[Task]
) -> Generator[Outcome]:
    """Keep IN_FLIGHT_PER_WORKER batches per worker submitted; yield each task as its batch finishes."""
    pending = deque(tasks)
    sizer = BatchSizer(workers)
    running: dict[Future, list[Task]] = {}
    try:
        while True:
            while pending and len(running) < IN_FLIGHT_PER_WORKER * workers:
                batch = [pending.popleft() for _ in range(min(sizer.size(len(pending)), len(pending)))]
                running[submit(task_fn, batch)] = batch
            if not running:
                return
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                batch = running.pop(fut)
                try:
                    outcomes, seconds = fut.result()
                except Exception as exc:  # the worker died, or the batch could not be sent: each task failed
                    outcomes, seconds = [(None, _message(exc))] * len(batch), 0.0
                else:
                    sizer.record(len(batch), seconds)
                for task, (kpis, error) in zip(batch, outcomes, strict=True):
                    yield task, kpis, error
    finally:
        for fut in running:
            fut.cancel()


# --- tables ----------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A lever value as a table cell: scalars as they are, lists and mappings as JSON text."""
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, (list, dict)) else value


def build_tables(
    d: SweepDefinition, points: list[dict[str, Any]], records: Mapping[tuple[int, int], Record]
) -> dict[str, pd.DataFrame]:
    """results (one row per successful task), summary (one row per point) and failures, sorted."""
    levers = pd.DataFrame([{k: _cell(v) for k, v in p.items()} for p in points], columns=list(d.lever_names))
    keys = sorted(records)
    ok = [k for k in keys if "kpis" in records[k]]
    bad = [k for k in keys if "kpis" not in records[k]]

    def head(which: list[tuple[int, int]]) -> pd.DataFrame:
        idx = pd.DataFrame(which, columns=["point", "replication"], dtype="int64")
        return pd.concat([idx, levers.iloc[idx["point"]].reset_index(drop=True)], axis=1)

    kpis = pd.DataFrame([records[k]["kpis"] for k in ok], columns=list(d.kpis), dtype="float64")
    results = pd.concat([head(ok), kpis], axis=1)
    failures = head(bad).assign(
        seed=[f"SeedSequence({d.seed}, spawn_key=({j},))" for _, j in bad],
        error=pd.Series([records[k]["error"] for k in bad], dtype="str"),
    )
    return {"results": results, "summary": _summary(d, levers, results, failures), "failures": failures}


def _summary(d: SweepDefinition, levers: pd.DataFrame, results: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """Per point: replications that succeeded and failed, and per KPI the mean and Student-t 95% CI.

    The same interval as :func:`sim.mean_ci`, computed for all points at once: mean +/- t(0.975, n-1) *
    sd / sqrt(n) over the replications where the KPI is defined (n < 2: no interval).
    """
    from scipy import stats  # here, not at the top: ``import sim`` stays 60 MiB lighter for a single run

    everything = pd.RangeIndex(len(levers), name="point")
    grouped = results.groupby("point")[list(d.kpis)]
    mean, sd, n = (x.reindex(everything) for x in (grouped.mean(), grouped.std(ddof=1), grouped.count()))
    n = n.fillna(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    out = levers.copy()
    out.insert(0, "point", np.arange(len(levers), dtype="int64"))
    out["n_ok"] = results.groupby("point").size().reindex(everything, fill_value=0).to_numpy()
    out["n_failed"] = failures.groupby("point").size().reindex(everything, fill_value=0).to_numpy()
    columns = {}
    for k in d.kpis:
        columns[f"{k}_mean"] = mean[k].to_numpy()
        columns[f"{k}_ci_low"] = (mean[k] - half[k]).to_numpy()
        columns[f"{k}_ci_high"] = (mean[k] + half[k]).to_numpy()
    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)
