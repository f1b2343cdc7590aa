"""Sweep throughput: a Latin-hypercube sweep of the growth store on local workers and on Dask (run on demand).

    .venv/bin/python benchmarks/bench_sweep.py                     # 1,000 points x 60 days: 2 local workers,
                                                                   # then a 2-worker Dask LocalCluster
    .venv/bin/python benchmarks/bench_sweep.py --points 200        # a shorter run, the same figures
    .venv/bin/python benchmarks/bench_sweep.py --scheduler tcp://10.0.0.5:8786   # a real Dask cluster instead

The sweep draws ``--points`` points of the growth store by Latin hypercube
over three levers (pickers, page load time, return window), one replication
each, ``--days`` days a task.  Overhead is what the sweep machinery (handing
out, pickling, collecting, workers' start-up and imports, per-task scenario
building, part files and tables) adds to each task.  It is measured against
two references, both the same ``--singles`` tasks spread evenly over the
sweep, run in plain processes with no sweep around them (each times every
task after one warm-up task, and keeps its core busy until all have):

* **1 core busy**: one such process (what a task costs on a free core);
* **2 cores busy**: ``--workers`` of them at once, so every core is as busy
  as in the sweep.  A busy core runs a task slower than a free one (shared
  caches and memory bandwidth, lower boost clock): that is the hardware's,
  not the sweep's, so the floor (``--max-overhead``) is on the overhead
  against this reference.

Every task also times itself inside the sweep, so the overhead splits into
two factors::

    1 + overhead = (wall x workers / sum of in-task seconds)           "idle": time outside tasks
                 x (in-sweep / reference seconds of the sampled tasks)  "x inside": tasks slower in the sweep

Idle is the gaps between tasks (hand-out, collection, start-up, the last
tasks' tail); "x inside" is whatever else takes the cores while a task runs
(the sweep's own process, a Dask worker's threads, the scheduler) -- and other
users' work on a shared machine.  Scaling by the tasks' own times over all
``--points`` (a ratio estimator) keeps the sampling error of ``--singles``
tasks out of the figures.  Two columns do not depend on other users' load:
"extra CPU", the CPU seconds of this process and all its workers beyond the
tasks' own, as a share of those (the machinery's cost in CPU), and "others",
the cores other processes kept busy meanwhile (from /proc/stat): a wall-time
figure is only as good as that is small.

After each sweep the all-cores-busy reference is timed again, the sweep is
compared with the mean of the timings before and after it, and their drift
is printed: on a shared or virtual machine it is the noise of every
wall-time figure (on the 2-core VM this was written on, up to +-13% between
two timings a minute apart on an idle machine).

Under each executor's line, the same sweep of no-op tasks (``noop_task``)
times the machinery alone, and what it would add to a task of today's length
and to a 0.1 s one (a faster engine): per task of wall time x workers / task
seconds.  Its fixed part (planning, start-up, tables) weighs more in a short
sweep, so read it at the full ``--points``.

The LocalCluster runs with ``DASK_THROUGHPUT`` (fewer diagnostics wake-ups:
the README says how to set the same on a real cluster), or with Dask's
defaults (``--dask-defaults``).  Exits 1 when an executor's overhead against
the 2-cores-busy reference is above ``--max-overhead``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_sim import machine  # noqa: E402

import sim  # noqa: E402
from sim.experiment.sweep import Task, plan, run_task  # noqa: E402
from sim.experiment.sweep_definition import SweepDefinition  # noqa: E402
from sim.experiment.sweep_store import read_parts  # noqa: E402
from sim.scenario.definition import Scenario  # noqa: E402

MAX_OVERHEAD = 0.05
#: Dask settings for a throughput cluster (the LocalCluster here unless --dask-defaults; README shows them as
#: environment variables for ``dask scheduler`` / ``dask worker``).  Each default wakes every scheduler, nanny
#: and worker process many times a second for diagnostics a sweep does not need; on 2 cores that took ~5% of
#: the CPU from the tasks.
DASK_THROUGHPUT = {
    "distributed.worker.profile.enabled": False,  # the worker's statistical profiler, every 10 ms
    "distributed.admin.tick.interval": "1s",  # event-loop health check, every 20 ms in every process
    "distributed.admin.system-monitor.interval": "5s",  # CPU, memory, network counters, every 500 ms
    "distributed.worker.memory.monitor-interval": "1s",  # the nanny's memory-limit check, every 100 ms
}
#: the key under which a timed task returns its own wall seconds (not a KPI: the tables drop it)
TASK_SECONDS, TASK_CPU = "_task_seconds", "_task_cpu_seconds"


def definition(points: int, days: int) -> SweepDefinition:
    """``points`` Latin-hypercube points of the growth store, one replication each."""
    return SweepDefinition.from_dict(
        {
            "name": "bench_growth_lhs",
            "scenario": "data/scenarios/growth.yaml",
            "method": "lhs",
            "samples": points,
            "replications": 1,
            "days": days,
            "seed": 16,
            "kpis": ["net_revenue", "orders", "on_time_delivery_rate", "return_rate", "average_rating"],
            "levers": {
                "warehouse.pickers": {"low": 3, "high": 7},
                "page.load_time_s": {"low": 1.0, "high": 3.5},
                "returns.window_days": {"low": 7, "high": 30},
            },
        },
        base_dir=ROOT,
    )


def timed_task(base: Scenario, task: Task) -> dict[str, float]:
    """:func:`run_task`, plus its own wall and CPU seconds (so the sweep's gaps and CPU can be told apart)."""
    t0, c0 = time.perf_counter(), time.thread_time()
    out = run_task(base, task)
    out[TASK_SECONDS], out[TASK_CPU] = time.perf_counter() - t0, time.thread_time() - c0
    return out


def noop_task(base: Scenario, task: Task) -> dict[str, float]:
    """No work at all: a sweep of these costs only its machinery."""
    return dict.fromkeys(task.kpis, 0.0)


def spread(tasks: Sequence[Task], k: int) -> list[Task]:
    """``k`` tasks evenly spaced over the sweep (its points are a Latin hypercube: a fair sample), the middle of
    each stretch: never a worker's first task, which pays the worker's first-call costs (start-up, not a task's)."""
    k = min(k, len(tasks))
    return [tasks[(2 * i + 1) * len(tasks) // (2 * k)] for i in range(k)]


def _busy_process(base: Scenario, sample: list[Task], start: Any, done: Any, out: Any) -> None:
    """One plain process of a reference: time every sampled task, then keep the core busy till all have."""
    run_task(base, sample[0])  # imports and first-call costs, as a worker pays them once
    start.wait()
    out.put({task.point: timed_task(base, task)[TASK_SECONDS] for task in sample})
    with done.get_lock():
        done.value += 1
    i = 0
    while done.value < start.parties:  # the others are still timing: stay as busy as a sweep worker
        run_task(base, sample[i % len(sample)])
        i += 1


def plain(base: Scenario, sample: list[Task], workers: int) -> dict[int, float]:
    """Mean wall seconds of each sampled task over ``workers`` concurrent plain processes (no sweep)."""
    ctx = mp.get_context()  # the start method of the local sweep's ProcessPoolExecutor
    start, done, out = ctx.Barrier(workers), ctx.Value("i", 0), ctx.Queue()
    procs = []
    for w in range(workers):  # each starts at a different task, so they do not run the same one together
        shift = w * len(sample) // workers
        order = sample[shift:] + sample[:shift]
        procs.append(ctx.Process(target=_busy_process, args=(base, order, start, done, out)))
        procs[-1].start()
    timings = [out.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a reference process exited with {p.exitcode}")
    return {point: sum(t[point] for t in timings) / workers for point in timings[0]}


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy (all processes, all cores) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _own_cpu_seconds() -> float:
    """CPU seconds of this process and all its descendants, ended (pool workers) or running (Dask workers)."""
    import psutil  # a dependency of distributed

    ended = sum(
        r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    running = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):  # it ended meanwhile
            running += sum(child.cpu_times()[:2])
    return ended + running


@dataclass
class Others:
    """Cores the rest of the machine kept busy during a block (other users' work): ``cores`` when it ends."""

    cores: float = float("nan")
    _t: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))


@contextlib.contextmanager
def others() -> Iterator[Others]:
    """Measure how many cores other processes used during the block (machine busy time minus ours; Linux)."""
    o = Others()
    try:
        o._t = (time.perf_counter(), _busy_cpu_seconds(), _own_cpu_seconds())
    except OSError:  # no /proc/stat: not Linux
        yield o
        return
    yield o
    end = (time.perf_counter(), _busy_cpu_seconds(), _own_cpu_seconds())
    wall, busy_s, own_s = (b - a for a, b in zip(o._t, end, strict=True))
    o.cores = max(busy_s - own_s, 0.0) / wall


@dataclass(frozen=True)
class Run:
    """One sweep: wall and CPU seconds (this process and its workers), each task's own wall seconds by point
    and the CPU seconds of all tasks; ``others``: cores other processes kept busy meanwhile."""

    wall: float
    cpu: float
    in_task: dict[int, float]
    task_cpu: float
    others: float


def timed_sweep(d: SweepDefinition, executor: object) -> Run:
    with tempfile.TemporaryDirectory() as tmp, others() as load:
        c0, t0 = _own_cpu_seconds(), time.perf_counter()
        res = sim.sweep(d, executor=executor, out=Path(tmp) / "sweep", progress=False, task_fn=timed_task)
        wall, cpu = time.perf_counter() - t0, _own_cpu_seconds() - c0
        records = read_parts(Path(tmp) / "sweep")
    if len(res.failures):
        raise RuntimeError(f"{len(res.failures)} tasks failed: {res.failures.iloc[0].to_dict()}")
    kpis = {point: rec["kpis"] for (point, _), rec in records.items()}
    return Run(
        wall, cpu, {p: k[TASK_SECONDS] for p, k in kpis.items()}, sum(k[TASK_CPU] for k in kpis.values()), load.cores
    )


HEADER = (
    f"{'executor':<36} {'wkr':>3} {'wall s':>7} {'tasks/s':>7} {'/wkr':>5} {'vs 1 core':>9} {'vs 2 busy':>9} "
    f"{'= idle':>7} {'x inside':>8} {'extra CPU':>9} {'others':>6}"
)


@dataclass
class References:
    """The sampled tasks' wall seconds by point in plain processes: on 1 core, and on ``procs`` busy cores
    (timed before the first sweep and again after each)."""

    sample: list[Task]
    procs: int
    free: dict[int, float]
    busy: list[dict[int, float]]


def measure(label: str, workers: int, executor: object, d: SweepDefinition, refs: References) -> float:
    """Run the sweep of no-op tasks, then the real one, on ``executor``; print both; return the overhead
    against the all-cores-busy reference.

    That reference is timed again after the sweep and the sweep is compared with the mean of the timings
    before and after it: a shared or virtual machine's speed drifts over minutes, and the drift between
    the two is printed as the noise of the wall-time figures.
    """
    t0 = time.perf_counter()
    sim.sweep(d, executor=executor, progress=False, task_fn=noop_task)
    noop = (time.perf_counter() - t0) / (d.replications * (d.samples or 1))
    run = timed_sweep(d, executor)
    before, after = refs.busy[-1], plain(d.base, refs.sample, refs.procs)
    refs.busy.append(after)
    ref1, ref2 = refs.free, {p: (before[p] + after[p]) / 2 for p in before}
    n = len(run.in_task)
    idle = run.wall * workers / sum(run.in_task.values())  # worker time over time in tasks
    inside = sum(run.in_task[p] for p in ref2)  # the sampled tasks inside the sweep

    def overhead(ref: dict[int, float]) -> float:
        return idle * inside / sum(ref.values()) - 1

    print(
        f"{label:<36} {workers:>3} {run.wall:7.1f} {n / run.wall:7.2f} {n / run.wall / workers:5.2f} "
        f"{overhead(ref1):+9.1%} {overhead(ref2):+9.1%} {idle - 1:+7.1%} {inside / sum(ref2.values()) - 1:+8.1%} "
        f"{run.cpu / run.task_cpu - 1:+9.1%} {run.others:6.2f}"
    )
    task = sum(ref2.values()) / len(ref2)
    drift = sum(after.values()) / sum(before.values()) - 1
    print(f"{'':<36} the {workers}-cores-busy reference timed again after this sweep: {drift:+.1%} (the noise)")
    print(
        f"{'':<36} the machinery alone (the same sweep, no-op tasks): {noop * 1e3:.2f} ms of wall a task, "
        f"+{noop * workers / task:.2%} on a {task:.2f} s task, +{noop * workers / 0.1:.1%} on a 0.1 s one"
    )
    return overhead(ref2)


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2, help="local processes, and Dask LocalCluster workers")
    ap.add_argument("--singles", type=int, default=20, help="tasks timed for each reference")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786) instead of LocalCluster")
    ap.add_argument("--max-overhead", type=float, default=MAX_OVERHEAD)
    ap.add_argument("--dask-defaults", action="store_true", help="LocalCluster with Dask's default settings")
    args = ap.parse_args()
    d = definition(args.points, args.days)
    _, tasks = plan(d)
    print(f"# machine: {machine()}")
    print(
        f"# growth store, Latin hypercube of {args.points} points x {d.replications} replication, "
        f"{args.days} days a task; 'others': cores that other processes on this machine kept busy meanwhile"
    )
    sample = spread(tasks, args.singles)
    timed = []
    for n in (1, args.workers):
        with others() as load:
            ref = plain(d.base, sample, n)
        mean = sum(ref.values()) / len(ref)
        timed.append(ref)
        print(
            f"reference, {n} core{'s' if n > 1 else ''} busy: {n} plain process{'es' if n > 1 else ''}, no sweep, "
            f"{len(sample)} tasks each: {mean:.3f} s a task ({1 / mean:.2f} tasks/s a core)   "
            f"others {load.cores:.2f} cores"
        )
    refs = References(sample, args.workers, timed[0], [timed[1]])
    slower = sum(timed[1].values()) / sum(timed[0].values()) - 1
    print(f"a task on a busy core vs a free one: {slower:+.1%} (the hardware's, not the sweep's)")
    print(HEADER)
    overheads = {}
    if args.scheduler is None:
        label = f"{args.workers} local worker processes"
        overheads[label] = measure(label, args.workers, args.workers, d, refs)

    import dask
    from distributed import Client, LocalCluster

    if args.scheduler:
        with Client(args.scheduler) as client:
            workers = sum(client.nthreads().values())
            label = f"Dask at {args.scheduler}"
            print(f"# {label}: the references ran on this machine; run this on a cluster host to compare alike")
            overheads[label] = measure(label, workers, client, d, refs)
    else:
        label = f"Dask LocalCluster, {'defaults' if args.dask_defaults else 'DASK_THROUGHPUT'}"
        with (
            dask.config.set({} if args.dask_defaults else DASK_THROUGHPUT),
            LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0") as c,
            Client(c) as client,
        ):
            overheads[label] = measure(label, args.workers, client, d, refs)
    worst = max(overheads.values())
    ok = worst <= args.max_overhead
    print(
        f"floor: overhead per task against the {args.workers}-cores-busy reference <= {args.max_overhead:.0%}: "
        f"worst {worst:+.1%}: {'ok' if ok else 'MISS'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
