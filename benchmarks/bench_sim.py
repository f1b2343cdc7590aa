"""Speed and memory of the simulation (run on demand: `make bench`; never part of the tests).

One run prints, with the machine it ran on (CPU model, cores, Python, numpy, SimPy):

* ``growth`` at 365 days: wall and CPU seconds of simulate + ``kpis()`` (the median of fresh processes,
  as a shared machine varies), peak memory (``ru_maxrss`` of that child process, before the event-log
  table is built; building it on first read is timed and measured on its own line), SimPy events, the
  engine's floor (a bare ``env.timeout`` loop of as many events, in the same process) and the ratio;
* ``baseline`` at 90 days (the workshop's live controls need it well under a second);
* which engine ran (``sim.engine.native``: the hot modules compiled by mypyc, or their Python source)
  and, when compiled, pairs of growth years compiled and on the source, run back to back;
* the naive way to write the same store (one SimPy process per session, ``naive_model.py``) over the
  SAME FULL growth year, in a fresh process, and the speed-up over it;
* the KPI agreement of the two models: Welch intervals of naive - bulk over independent
  replications of the baseline quarter (10 KPIs), each at 95% and all ten together at 95%
  (Bonferroni: each at 99.5%).  Ten separate 95% intervals miss zero somewhere about 40% of the
  time for two models that agree, so the floor reads the simultaneous ones.

It exits with status 1 when a floor of issue 16 is missed: growth year <= 2.0 s (median wall) and
<= 300 MiB, baseline quarter <= 0.3 s, >= 8x faster than the naive model, 10 of 10 KPIs agreeing
(simultaneous 95% intervals).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import sim  # noqa: E402
from sim.engine import native  # noqa: E402
from sim.engine.model import StoreModel  # noqa: E402
from sim.results.result import build_result  # noqa: E402

GROWTH, BASELINE = "data/scenarios/growth.yaml", "data/scenarios/baseline.yaml"
#: issue 16's floors
MAX_GROWTH_S, MAX_GROWTH_MIB, MAX_BASELINE_S, MIN_SPEEDUP = 2.0, 300.0, 0.3, 8.0
AGREEMENT_KPIS = [
    "sessions",
    "bounce_rate",
    "conversion_rate",
    "orders",
    "average_order_value",
    "return_rate",
    "on_time_delivery_rate",
    "repeat_purchase_rate",
    "first_response_mean_hours",
    "average_rating",
]


def machine() -> str:
    """CPU model, cores, Python, numpy and SimPy versions: what the figures were measured on."""
    import simpy

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (
        f"{cpu}, {os.cpu_count()} cores{load}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"SimPy {simpy.__version__}, pandas {pd.__version__}"
    )


def bare_simpy_seconds(n_events: int) -> float:
    """Wall time of one process yielding ``n_events`` timeouts: the engine's floor per event."""
    import simpy

    env = simpy.Environment()

    def ticker():
        for _ in range(n_events):
            yield env.timeout(1.0)

    env.process(ticker())
    t = time.perf_counter()
    env.run()
    return time.perf_counter() - t


def measure(scenario_path: str, days: int, seed: int, naive: bool) -> dict:
    """One run in this (fresh) process: wall and CPU time, counts, SimPy events, peak memory."""
    scenario = sim.load_scenario(ROOT / scenario_path)
    if naive:
        from naive_model import NaiveStoreModel as Model
    else:
        Model = StoreModel
    t0, c0 = time.perf_counter(), time.process_time()
    model = Model(scenario, np.random.SeedSequence(seed), days)
    model.run()
    model.cancel_unfinished()
    run_s = time.perf_counter() - t0
    result = build_result(model, seed)
    kpis = result.kpis()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.perf_counter()
    log_rows = len(result.events)  # built on first read: timed on its own
    events_table_s = time.perf_counter() - t1
    return {
        "scenario": scenario_path,
        "days": days,
        "naive": naive,
        "wall_s": wall,
        "cpu_s": cpu,
        "run_s": run_s,
        "events_table_s": events_table_s,
        "log_rows": log_rows,
        "sessions": kpis["sessions"],
        "orders": kpis["orders"],
        "simpy_events": next(model.env._eid),  # SimPy's own counter of scheduled events (private, read-only)
        "peak_mib": peak,
        "peak_with_events_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "kpis": kpis,
    }


def in_subprocess(scenario_path: str, days: int, seed: int, naive: bool, pure: bool = False) -> dict:
    """One run in a fresh process.  ``pure``: on the engine's Python source, not its mypyc build.

    The naive model always runs on the source: it subclasses ``StoreModel``, and a Python class cannot
    subclass a compiled one (it is also how a SimPy user would run it).
    """
    cmd = [sys.executable, __file__, "--one", scenario_path, str(days), str(seed), "1" if naive else "0"]
    env = {**os.environ, "STORE_SIM_PURE": "1"} if naive or pure else None
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def report_speed(row: dict) -> float:
    """Print one run (wall = simulate + tables + KPIs); return the engine floor of its event count."""
    floor = bare_simpy_seconds(int(row["simpy_events"]))
    print(
        f"{row['scenario']:<30} {row['days']:>4} d  wall {row['wall_s']:6.2f} s  cpu {row['cpu_s']:6.2f} s  "
        f"(model {row['run_s']:.2f} s)  peak {row['peak_mib']:5.0f} MiB  sessions {row['sessions']:>10,.0f}  "
        f"orders {row['orders']:>7,.0f}  SimPy events {row['simpy_events']:>9,}  floor {floor:.2f} s  "
        f"wall/floor {row['wall_s'] / floor:.1f}x"
    )
    return floor


def repeated(path: str, days: int, repeat: int) -> dict:
    """``repeat`` fresh-process runs of one scenario; prints each and returns the medians."""
    rows = [in_subprocess(path, days, 1, False) for _ in range(repeat)]
    floors = [report_speed(row) for row in rows]
    med = {k: statistics.median(r[k] for r in rows) for k in ("wall_s", "cpu_s", "peak_mib", "peak_with_events_mib")}
    walls = sorted(r["wall_s"] for r in rows)
    print(
        f"{'':<30} {repeat} runs: wall median {med['wall_s']:.2f} s (fastest {walls[0]:.2f}, slowest "
        f"{walls[-1]:.2f}), cpu median {med['cpu_s']:.2f} s, peak median {med['peak_mib']:.0f} MiB; "
        f"engine floor median {statistics.median(floors):.2f} s; events table ({rows[0]['log_rows']:,} rows) "
        f"on first read +{statistics.median(r['events_table_s'] for r in rows):.2f} s, "
        f"peak then {med['peak_with_events_mib']:.0f} MiB"
    )
    return {**rows[0], **med, "floor_s": statistics.median(floors)}


def compiled_vs_source(path: str, days: int, pairs: int) -> None:
    """The compiled engine against its Python source (``STORE_SIM_PURE=1``), in alternating fresh processes.

    Each pair runs back to back, so both see the machine at the same speed; on a VM whose speed drifts
    by a third within minutes, the ratio of medians taken minutes apart says little.
    """
    print(f"\n# the same growth year, compiled and on the engine's Python source, {pairs} pairs of fresh runs")
    ratios = []
    for _ in range(pairs):
        source = in_subprocess(path, days, 1, False, pure=True)
        compiled = in_subprocess(path, days, 1, False)
        ratios.append(compiled["wall_s"] / source["wall_s"])
        print(f"source {source['wall_s']:.2f} s, compiled {compiled['wall_s']:.2f} s: {ratios[-1]:.2f}")
    print(f"compiled / source: {statistics.median(ratios):.2f} of the wall time (median of the pairs)")


def agreement(bulk: list[dict], naive: list[dict], kpis: list[str]) -> pd.DataFrame:
    """Welch intervals of naive - bulk for each KPI over independent replications: 95% each (``ci_low``,
    ``ci_high``, ``agree``) and 95% for all KPIs at once (Bonferroni, ``all_low``, ``all_high``, ``agree_all``)."""
    from scipy import stats

    rows = []
    for k in kpis:
        a = np.array([r["kpis"][k] for r in bulk])
        b = np.array([r["kpis"][k] for r in naive])
        diff = b.mean() - a.mean()
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if va + vb > 0 else 1
        half = stats.t.ppf(0.975, dof) * np.sqrt(va + vb)
        half_all = stats.t.ppf(1 - 0.025 / len(kpis), dof) * np.sqrt(va + vb)
        rows.append(
            {
                "kpi": k,
                "bulk": a.mean(),
                "naive": b.mean(),
                "diff": diff,
                "ci_low": diff - half,
                "ci_high": diff + half,
                "agree": bool(diff - half <= 0 <= diff + half),
                "all_low": diff - half_all,
                "all_high": diff + half_all,
                "agree_all": bool(diff - half_all <= 0 <= diff + half_all),
            }
        )
    return pd.DataFrame(rows).set_index("kpi")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5, help="fresh-process runs of each speed row (median)")
    p.add_argument("--reps", type=int, default=8, help="replications of each model for the KPI agreement")
    p.add_argument("--naive-days", type=int, default=365, help="days of growth for the naive model (365: the year)")
    args = p.parse_args()
    print(f"# machine: {machine()}")
    print(f"# engine: {native.REASON}")
    print("# speed and memory (each row a fresh process; wall = simulate + kpis())")
    growth = repeated(GROWTH, 365, args.repeat)
    baseline = repeated(BASELINE, 90, args.repeat)
    if native.COMPILED:
        compiled_vs_source(GROWTH, 365, args.repeat)

    print(f"\n# the same growth store written the naive way (one SimPy process per session), {args.naive_days} days")
    bulk = growth if args.naive_days == 365 else in_subprocess(GROWTH, args.naive_days, 1, False)
    if args.naive_days != 365:
        report_speed(bulk)
    naive = in_subprocess(GROWTH, args.naive_days, 1, True)
    report_speed(naive)
    speedup = naive["wall_s"] / bulk["wall_s"]
    print(
        f"naive {naive['wall_s']:.1f} s wall, {naive['cpu_s']:.1f} s cpu; bulk {bulk['wall_s']:.2f} s wall, "
        f"{bulk['cpu_s']:.2f} s cpu: speed-up {speedup:.1f}x wall, {naive['cpu_s'] / bulk['cpu_s']:.1f}x cpu"
    )

    print(
        f"\n# KPI agreement, baseline 90 days, {args.reps} replications each (Welch CIs of naive - bulk: "
        "95% each, and 95% for all ten at once)"
    )
    seeds = range(100, 100 + args.reps)
    bulk_r = [in_subprocess(BASELINE, 90, s, False) for s in seeds]
    naive_r = [in_subprocess(BASELINE, 90, s + 1000, True) for s in seeds]
    table = agreement(bulk_r, naive_r, AGREEMENT_KPIS)
    with pd.option_context("display.width", 160, "display.max_columns", None, "display.float_format", "{:.4g}".format):
        print(table)
    agree, agree_all = int(table["agree"].sum()), int(table["agree_all"].sum())
    print(
        f"KPIs agreeing: {agree} of {len(table)} within their own 95% CI, {agree_all} of {len(table)} within the "
        "simultaneous 95% CIs"
    )

    base_ok = baseline["wall_s"] <= MAX_BASELINE_S
    checks = [
        (f"growth 365 d wall median {growth['wall_s']:.2f} s <= {MAX_GROWTH_S} s", growth["wall_s"] <= MAX_GROWTH_S),
        (f"growth peak {growth['peak_mib']:.0f} MiB <= {MAX_GROWTH_MIB:.0f} MiB", growth["peak_mib"] <= MAX_GROWTH_MIB),
        (f"baseline 90 d wall median {baseline['wall_s']:.2f} s <= {MAX_BASELINE_S} s", base_ok),
        (f"speed-up over the naive model {speedup:.1f}x >= {MIN_SPEEDUP:.0f}x", speedup >= MIN_SPEEDUP),
        (f"KPI agreement {agree_all} of {len(table)} (simultaneous 95% CIs)", agree_all == len(table)),
    ]
    print("\n# floors (issue 16)")
    for text, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        _, _, path, days, seed, naive = sys.argv
        print(json.dumps(measure(path, int(days), int(seed), naive == "1")))
    else:
        sys.exit(main())
