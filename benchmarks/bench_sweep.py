"""Sweep throughput: a Latin-hypercube sweep of the growth store on local workers and on Dask (run on demand).

    .venv/bin/python benchmarks/bench_sweep.py                     # 1,000 points x 60 days: 2 local workers,
                                                                   # then a 2-worker Dask LocalCluster
    .venv/bin/python benchmarks/bench_sweep.py --points 200        # a shorter run, the same figures
    .venv/bin/python benchmarks/bench_sweep.py --scheduler tcp://10.0.0.5:8786   # a real Dask cluster instead

The sweep draws ``--points`` points of the growth store by Latin hypercube
over three levers (pickers, page load time, return window), one replication
each, ``--days`` days a task.  First it times single replications in this
process (the cost of one task with no sweep around it: ``--singles`` of
them, the median).  Then it runs the sweep on ``--workers`` local processes
and on a Dask ``LocalCluster`` of as many single-threaded workers (or on
the cluster at ``--scheduler``), and prints for each: wall time, tasks per
second, tasks per second per worker, and the overhead per task against a
single replication::

    overhead = (wall x workers / tasks) / single - 1

(what the sweep machinery - handing out, pickling, collecting, workers'
start-up - adds to each task; target <= 5%).  A shared machine's other work
counts as overhead too, so the 1-minute load average is printed with it.
Exits 1 when an executor's overhead is above ``--max-overhead``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import sim  # noqa: E402
from sim.experiment.sweep import plan, run_task  # noqa: E402
from sim.experiment.sweep_definition import SweepDefinition  # noqa: E402

MAX_OVERHEAD = 0.05


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


def single_seconds(d: SweepDefinition, n: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``n`` of the sweep's tasks run one by one in this process, no sweep around."""
    _, tasks = plan(d)
    run_task(d.base, tasks[0])  # imports and first-call costs, as a worker pays them once
    walls, cpus = [], []
    for task in tasks[1 : n + 1]:
        t0, c0 = time.perf_counter(), time.process_time()
        run_task(d.base, task)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def timed_sweep(d: SweepDefinition, executor: object) -> float:
    t0 = time.perf_counter()
    res = sim.sweep(d, executor=executor, progress=False)
    wall = time.perf_counter() - t0
    if len(res.failures):
        raise RuntimeError(f"{len(res.failures)} tasks failed: {res.failures.iloc[0].to_dict()}")
    return wall


def report(label: str, workers: int, tasks: int, wall: float, single: float) -> float:
    overhead = (wall * workers / tasks) / single - 1
    print(
        f"{label:<34} {workers:>7} {wall:9.1f} {tasks / wall:9.2f} {tasks / wall / workers:12.2f} "
        f"{overhead:+10.1%}   load {os.getloadavg()[0]:.1f}"
    )
    return overhead


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2, help="local processes, and Dask LocalCluster workers")
    ap.add_argument("--singles", type=int, default=10, help="single replications timed for the reference")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786) instead of LocalCluster")
    ap.add_argument("--max-overhead", type=float, default=MAX_OVERHEAD)
    args = ap.parse_args()
    d = definition(args.points, args.days)
    n = args.points * d.replications
    print(
        f"# growth store, Latin hypercube of {args.points} points x {d.replications} replication, {args.days} days "
        f"a task; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]}, "
        f"numpy {np.__version__}"
    )
    single, single_cpu = single_seconds(d, args.singles)
    print(
        f"single replication in this process, median of {args.singles}: {single:.3f} s wall, {single_cpu:.3f} s CPU "
        f"(a free core runs {1 / single_cpu:.2f} tasks/s)"
    )
    print(f"{'executor':<34} {'workers':>7} {'wall s':>9} {'tasks/s':>9} {'tasks/s/wkr':>12} {'overhead':>10}")
    overheads = {}
    if args.scheduler is None:
        label = f"{args.workers} local worker processes"
        overheads[label] = report(label, args.workers, n, timed_sweep(d, args.workers), single)

    from distributed import Client, LocalCluster

    if args.scheduler:
        with Client(args.scheduler) as client:
            workers = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
            label = f"Dask at {args.scheduler}"
            overheads[label] = report(label, workers, n, timed_sweep(d, client), single)
    else:
        with (
            LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            label = f"Dask LocalCluster, {args.workers} workers"
            overheads[label] = report(label, args.workers, n, timed_sweep(d, client), single)
    worst = max(overheads.values())
    ok = worst <= args.max_overhead
    print(f"floor: overhead per task <= {args.max_overhead:.0%}: worst {worst:+.1%}: {'ok' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
