"""Issue 12's "done when" figures, re-measured on the baseline store (run on demand; never part of the tests).

    python benchmarks/measure_model.py                 # 8 paired years, 2 workers
    python benchmarks/measure_model.py --n 12 --workers 1

Every figure is a mean over ``n`` replications of a baseline year with its
95% Student-t interval (``sim.mean_ci``); the what-ifs run on the same seeds
as the baseline (common random numbers) and read the paired differences.
Four scenarios per seed: the baseline, a slow desk (handle time 12 -> 90
minutes), a persistent delivery problem (every option's carrier incidents
at 30% all year, notebook 00's poor carrier) and a page 1 s faster.  With 8
seeds that is 32 simulated years: about 3 minutes on 2 busy cores.

What is read from each baseline year:

* operating profit, labour / net revenue, conversion (``Result.measures``, ``kpis``);
* busiest / quietest month by sessions per day (months with >= 28 days in
  the year), the peak day's orders / the median day's;
* each delivery option's late share against its carrier's ``incident_probability``;
* review rates after bad and good experiences - bad = late, wrong item,
  defect (a ticket about it), refund slower than promised or a ticket
  answered beyond the SLA, as the model's ``Experience`` counts them - and
  the stars' shares;
* wrong-item orders that end as a full refund or are replaced; write-offs.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import sim  # noqa: E402
from sim.engine.rng import as_seed_sequence  # noqa: E402

#: days of the first and the last stretch of the year compared under the persistent delivery problem
STRETCH = 90


def whatifs(base: sim.Scenario) -> dict[str, sim.Scenario]:
    """The scenarios of one seed: the baseline and the three what-ifs of the issue."""
    poor = {f"delivery.options.{o}.incident_probability": 0.30 for o in base.delivery.options}
    return {
        "base": base,
        "slow_desk": base.with_overrides({"service.handle_minutes_mean": 90.0}),
        "poor_carrier": base.with_overrides(poor),
        "faster_page": base.with_overrides({"page.load_time_s": base.page.load_time_s - 1.0}),
    }


def _period_conversion(r: sim.Result, days: tuple[int, int]) -> float:
    start = pd.Timestamp(r.scenario.time.start_date)
    lo, hi = start + pd.Timedelta(days=days[0]), start + pd.Timedelta(days=days[1])
    sessions = r.daily.loc[(r.daily["date"] >= lo) & (r.daily["date"] < hi), "sessions"].sum()
    orders = r.orders["placed_at"].between(lo, hi, inclusive="left").sum()
    return float(orders / sessions)


def _bad_experience(r: sim.Result) -> pd.Series:
    """Per settled order: late, wrong, defective, slow refund or slow answer (the model's Experience.bad)."""
    o, t, s = r.orders, r.tickets, r.scenario
    settled = o[o["status"].isin(["delivered", "refunded"])].set_index("order_id")
    defect = settled.index.isin(t.loc[t["reason"] == "defect", "order_id"])
    wait_h = (t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 3600
    slow_tickets = t.loc[(wait_h > s.service.sla_hours) | t["first_response_at"].isna(), "order_id"]
    refund_days = (settled["refunded_at"] - settled["returned_at"]).dt.total_seconds() / 86400
    return (
        settled["late"].fillna(False).astype(bool)
        | settled["wrong_item"].astype(bool)
        | defect
        | (refund_days > s.returns.refund_promise_days)
        | settled.index.isin(slow_tickets)
    )


def baseline_figures(r: sim.Result) -> dict[str, float]:
    """The figures read from one baseline year."""
    k, m, o = r.kpis(), r.measures(), r.orders
    out = {
        "operating_profit": m["operating_profit"],
        "labour_share": m["labour_cost"] / k["net_revenue"],
        "conversion": k["conversion_rate"],
        "picker_utilisation": m["picker_utilisation"],
        "agent_utilisation": m["agent_utilisation"],
        "write_off_cost": m["write_off_cost"],
    }
    per_day = r.daily.groupby("date")["sessions"].sum()
    months = per_day.groupby(per_day.index.to_period("M")).agg(["mean", "size"])
    full = months.loc[months["size"] >= 28, "mean"]
    out["month_ratio"] = float(full.max() / full.min())
    orders_by_day = o.groupby(o["placed_at"].dt.normalize()).size()
    out["peak_day_ratio"] = float(orders_by_day.max() / orders_by_day.median())
    done = o[o["delivered_at"].notna()]
    for name, option in r.scenario.delivery.options.items():
        late = done.loc[done["delivery_option"] == name, "late"].astype(bool)
        out[f"late_minus_incident:{name}"] = float(late.mean() - option.incident_probability)
    bad = _bad_experience(r)
    reviewed = bad.index.isin(r.reviews["order_id"])
    out["review_rate_bad"] = float(reviewed[bad.to_numpy()].mean())
    out["review_rate_good"] = float(reviewed[~bad.to_numpy()].mean())
    out["review_ratio"] = out["review_rate_bad"] / out["review_rate_good"]
    stars = r.reviews["rating"].value_counts(normalize=True).reindex(range(1, 6), fill_value=0.0)
    for s in range(1, 6):
        out[f"stars_{s}"] = float(stars[s])
    out["stars_1_minus_2"] = float(stars[1] - stars[2])
    out["stars_1_plus_5"] = float(stars[1] + stars[5])
    wrong = o[o["wrong_item"]]
    out["wrong_full_refund_share"] = float((wrong["status"] == "refunded").mean())
    out["wrong_replaced_share"] = float((wrong["returned"] & (wrong["refund"] <= 0)).mean())
    return out


def one_seed(args: tuple[sim.Scenario, np.random.SeedSequence, int]) -> dict[str, float]:
    """All four runs of one seed, reduced to the figures (a small dict, not the tables)."""
    base, seed, days = args
    runs = {name: sim.simulate(s, seed, days) for name, s in whatifs(base).items()}
    a = runs["base"]
    out = baseline_figures(a)
    ka, kb = a.kpis(), runs["slow_desk"].kpis()
    out["slow_desk:rating"] = kb["average_rating"] - ka["average_rating"]
    out["slow_desk:repeat"] = kb["repeat_purchase_rate"] - ka["repeat_purchase_rate"]
    poor, first, last = runs["poor_carrier"], (0, STRETCH), (days - STRETCH, days)
    early = _period_conversion(poor, first) / _period_conversion(a, first) - 1.0
    late = _period_conversion(poor, last) / _period_conversion(a, last) - 1.0
    out["poor_carrier:early"], out["poor_carrier:late"] = early, late
    out["poor_carrier:late_minus_early"] = late - early
    out["faster_page:net_revenue"] = runs["faster_page"].kpis()["net_revenue"] / ka["net_revenue"] - 1.0
    return out


#: (figure, label, test of its mean and interval (mean, low, high) -> met? or None, what the issue asks)
CHECKS: list[tuple[str, str, Any, str]] = [
    ("operating_profit", "operating profit (money)", lambda m, lo, hi: lo > 0, "> 0"),
    ("labour_share", "labour / net revenue", lambda m, lo, hi: hi <= 0.30, "<= 0.30"),
    ("conversion", "conversion", lambda m, lo, hi: 0.010 <= lo and hi <= 0.025, "1.0%-2.5%"),
    ("picker_utilisation", "picker utilisation", lambda m, lo, hi: 0.5 <= lo and hi <= 0.85, "50-85%"),
    ("agent_utilisation", "agent utilisation", lambda m, lo, hi: 0.5 <= lo and hi <= 0.85, "50-85%"),
    ("month_ratio", "busiest / quietest month sessions", lambda m, lo, hi: lo >= 1.4, ">= 1.4"),
    ("peak_day_ratio", "peak day / median day orders", lambda m, lo, hi: lo >= 2.5, ">= 2.5"),
    ("slow_desk:rating", "handle 12 -> 90 min: rating", lambda m, lo, hi: hi < 0 and m <= -0.05, "<= -0.05, sig."),
    ("slow_desk:repeat", "handle 12 -> 90 min: repeat rate", lambda m, lo, hi: hi < 0, "< 0, sig."),
    ("poor_carrier:early", "30% incidents: conversion, first 90 days", None, "(reported)"),
    ("poor_carrier:late", "30% incidents: conversion, last 90 days", None, "(reported)"),
    ("poor_carrier:late_minus_early", "  late - early", lambda m, lo, hi: m <= 0, "<= 0"),
    (
        "faster_page:net_revenue",
        "page 1 s faster: net revenue",
        lambda m, lo, hi: 0.01 <= lo and hi <= 0.25,
        "+1%..+25%",
    ),
    ("review_rate_bad", "review rate after a bad experience", None, "(reported)"),
    ("review_rate_good", "review rate after a good experience", None, "(reported)"),
    ("review_ratio", "  bad / good", lambda m, lo, hi: lo >= 1.5, ">= 1.5"),
    *[(f"stars_{s}", f"share of {s}-star reviews", None, "(reported)") for s in range(1, 6)],
    ("stars_1_minus_2", "1-star minus 2-star share", lambda m, lo, hi: lo > 0, "> 0"),
    ("stars_1_plus_5", "1 + 5-star share", lambda m, lo, hi: lo >= 0.55, ">= 0.55"),
    ("wrong_full_refund_share", "wrong-item orders fully refunded", lambda m, lo, hi: hi < 0.5, "< 0.5"),
    ("wrong_replaced_share", "wrong-item orders replaced", None, "(reported)"),
    ("write_off_cost", "write-offs in measures() (money)", lambda m, lo, hi: lo > 0, "> 0"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "data" / "scenarios" / "baseline.yaml"))
    ap.add_argument("--n", type=int, default=8, help="replications (paired seeds), >= 8 for the issue")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--days", type=int, default=365, help="days a run (the issue: a year)")
    args = ap.parse_args()
    base = sim.load_scenario(args.scenario)
    seeds = as_seed_sequence(args.seed).spawn(args.n)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = list(pool.map(one_seed, [(base, s, args.days) for s in seeds]))
    frame = pd.DataFrame(rows)
    took = time.perf_counter() - t0
    print(f"{args.scenario}: {args.n} paired runs of {args.days} days (seed {args.seed}), {took:.0f} s\n")
    options = [c for c in frame.columns if c.startswith("late_minus_incident:")]
    checks = CHECKS + [
        (c, f"late share - incidents, {c.split(':')[1]}", lambda m, lo, hi: hi <= 0.03, "<= +0.03") for c in options
    ]
    print(f"{'figure':44} {'mean':>10} {'95% CI':>24}  {'asked':>16}  met")
    for key, label, ok, asked in checks:
        m, lo, hi = sim.mean_ci(frame[key])
        met = "" if ok is None else "yes" if ok(m, lo, hi) else "NO"
        print(f"{label:44} {m:10.4g} [{lo:10.4g}, {hi:10.4g}]  {asked:>16}  {met}")


if __name__ == "__main__":
    main()
