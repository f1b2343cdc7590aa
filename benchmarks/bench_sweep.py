"""Sweep throughput on local processes and on Dask (run on demand; never part of the tests).

    .venv/bin/python benchmarks/bench_sweep.py [--repeats 3] [--days 90]

A 48-task sweep of the baseline store (12 points x 4 replications, 90 days,
~0.15-0.3 s a task) runs on one local worker (in this process), on two
local worker processes and on a 2-worker ``distributed.LocalCluster``
(processes, 1 thread each; started before the clock runs, as a user's
cluster would be).  For each it prints wall time, tasks/s, the speed-up and
parallel efficiency against one worker, the overhead per task (wall x
workers / tasks - the one-worker time per task), and for local runs the
cores kept busy (CPU s / wall s: below 2 on two workers means other work
took the cores).  A sweep of no-op tasks then measures what handing one task
out and back costs on each executor, and the pickled sizes of a task and a
result are printed.  From these figures it estimates the wall time of a
10,000-point x 50-replication sweep on a 100-core Dask cluster and names
the limit.

Each figure is the best of ``--repeats`` runs (the machine is shared); the
local runs alternate and come before the cluster starts, so that its idle
processes do not share the cores with them.
Floor (issue 6): two local workers >= 1.7x the throughput of one.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from distributed import Client, LocalCluster  # noqa: E402

import sim  # noqa: E402
from sim.experiment.sweep import plan, run_task  # noqa: E402
from sim.experiment.sweep_definition import SweepDefinition  # noqa: E402

FLOOR = 1.7


def definition(days: int) -> SweepDefinition:
    """12 points (4 agent levels x 3 page load times) x 4 replications of the baseline store."""
    return SweepDefinition.from_dict(
        {
            "name": "bench",
            "scenario": "data/scenarios/baseline.yaml",
            "replications": 4,
            "days": days,
            "seed": 1,
            "levers": {"service.agents": [1, 2, 3, 4], "page.load_time_s": [1.5, 2.5, 3.5]},
        },
        base_dir=ROOT,
    )


def noop(base, task) -> dict[str, float]:
    """A task that does nothing: what is left is the cost of handing a task out and back."""
    return {k: 0.0 for k in task.kpis}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the local pool's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(walls: dict[str, list[tuple[float, float]]], label: str, run) -> None:
    """Append (wall s, cores busy = CPU s / wall s) of one run; Dask workers' CPU is not seen here."""
    t0, c0 = time.perf_counter(), cpu_seconds()
    run()
    wall = time.perf_counter() - t0
    walls.setdefault(label, []).append((wall, (cpu_seconds() - c0) / wall))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--days", type=int, default=90)
    args = ap.parse_args()
    d = definition(args.days)
    n = len(d.points()) * d.replications
    noop_def = SweepDefinition.from_dict(
        {**d.to_dict(scenario=str(ROOT / "data/scenarios/baseline.yaml")), "replications": 40}, base_dir=ROOT
    )
    n_noop = len(noop_def.points()) * noop_def.replications
    executors = {"1 local worker": 1, "2 local workers": 2, "Dask LocalCluster, 2 workers": 2}
    load_before = os.getloadavg()[0]
    runs: dict[str, list[float]] = {}
    noop_runs: dict[str, list[float]] = {}

    def both(label: str, ex) -> None:
        measure(runs, label, lambda: sim.sweep(d, executor=ex, progress=False))
        measure(noop_runs, label, lambda: sim.sweep(noop_def, executor=ex, progress=False, task_fn=noop))

    for _ in range(args.repeats):  # local runs alternate, before any cluster exists to share the cores
        both("1 local worker", 1)
        both("2 local workers", 2)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        for _ in range(args.repeats):
            both("Dask LocalCluster, 2 workers", client)
    walls, busy = {k: min(v)[0] for k, v in runs.items()}, {k: min(v)[1] for k, v in runs.items()}
    noop_walls = {k: min(v)[0] for k, v in noop_runs.items()}
    per_task = walls["1 local worker"] / n
    print(
        f"sweep: baseline, {args.days} days, {n} tasks ({n // d.replications} points x {d.replications} "
        f"replications); best of {args.repeats}; 1-min load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores (others' work shares them)"
    )
    print(
        f"{'executor':<30} {'wall s':>8} {'tasks/s':>8} {'speed-up':>9} {'efficiency':>10} "
        f"{'overhead ms/task':>17} {'no-op ms/task':>14} {'cores busy':>11}"
    )
    for label, slots in executors.items():
        w = walls[label]
        speed = walls["1 local worker"] / w
        overhead = (w * slots / n - per_task) * 1e3
        print(
            f"{label:<30} {w:8.2f} {n / w:8.2f} {speed:8.2f}x {speed / slots:10.0%} {overhead:17.1f} "
            f"{noop_walls[label] / n_noop * 1e3:14.2f} {busy[label] if 'Dask' not in label else float('nan'):11.2f}"
        )
    ratio = walls["1 local worker"] / walls["2 local workers"]
    dask_vs_local = (walls["Dask LocalCluster, 2 workers"] - walls["2 local workers"]) * 2 / n * 1e3
    print(
        f"one task computes in {per_task * 1e3:.0f} ms; Dask costs {dask_vs_local:+.1f} ms per task against "
        f"local processes on the real sweep; no-op sweeps: {n_noop} tasks"
    )

    _, tasks = plan(d)
    base_bytes = len(pickle.dumps(d.base))
    task_bytes = len(pickle.dumps(tasks[-1]))
    result_bytes = len(pickle.dumps(run_task(d.base, tasks[0])))
    t0 = time.perf_counter()
    d.point_overrides(d.points() * 50)
    plan_ms = (time.perf_counter() - t0) / (len(d.points()) * 50) * 1e3
    print(
        f"pickled: base scenario {base_bytes:,} B (scattered once on Dask), task {task_bytes} B, "
        f"result {result_bytes} B; checking one point's scenario up front: {plan_ms:.2f} ms"
    )

    big_points, big_reps, cores = 10_000, 50, 100
    big = big_points * big_reps
    dispatch = noop_walls["Dask LocalCluster, 2 workers"] / n_noop
    compute = big * per_task / cores
    dispatch_total = big * dispatch
    up_front = big_points * plan_ms / 1e3
    print(
        f"estimate, {big_points:,} points x {big_reps} replications = {big:,} tasks of {per_task * 1e3:.0f} ms "
        f"on {cores} Dask cores: compute {compute / 60:.0f} min at full use; handing out tasks at the measured "
        f"{dispatch * 1e3:.1f} ms each through one client and scheduler caps it at {1 / dispatch:,.0f} tasks/s "
        f"= {dispatch_total / 60:.0f} min; up-front checks {up_front:.0f} s; results {big * result_bytes / 1e6:.0f} "
        f"MB. Wall ~ {max(compute, dispatch_total) / 60 + up_front / 60:.0f} min, limited by "
        f"{'compute' if compute >= dispatch_total else 'per-task dispatch (batch replications per task)'}."
    )
    ok = ratio >= FLOOR
    print(f"floor: 2 local workers {ratio:.2f}x the throughput of one (>= {FLOOR}x): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
