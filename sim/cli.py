"""Command line: ``python -m sim run | validate | schema``.

    python -m sim run data/scenarios/baseline.yaml --days 90 --seed 7 \\
        --set service.agents=2 --out results/run1
    python -m sim validate data/scenarios/growth.yaml
    python -m sim schema
    python -m sim sweep data/sweeps/agents_returns_traffic.yaml --out results/agents [--resume]
    python -m sim sweep FILE --scheduler tcp://10.0.0.5:8786 --out results/agents

Bad input (a scenario, an override, a flag) prints one line on stderr and
exits with status 2, without a traceback; an internal error prints one line
and exits 1, its traceback in a log file (``sim.cli_errors``).  A sweep with
failed tasks exits 1 and says how many failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sim.cli_errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, OneLineParser, guarded
from sim.errors import ScenarioError
from sim.experiment.runs import simulate
from sim.outputs import claim
from sim.results.kpis import KPI_BY_NAME
from sim.results.result import COMMAND as RUN_COMMAND
from sim.scenario.definition import load_scenario
from sim.scenario.messages import one_line, shorten
from sim.scenario.schema import markdown, rows
from sim.scenario.yaml_strict import load_yaml


def parse_set(items: Sequence[str]) -> dict[str, object]:
    """``["a.b=3", "c=true"]`` -> ``{"a.b": 3, "c": True}``; values are read as YAML scalars."""
    out: dict[str, object] = {}
    for item in items:
        path, sep, raw = item.partition("=")
        if not sep or not path:
            raise ScenarioError(f"--set {shorten(item)}: allowed form is dotted.path=value, e.g. service.agents=2")
        out[path.strip()] = load_yaml(raw, f"--set {one_line(path.strip(), 100)}")
    return out


def format_kpis(kpis: dict[str, float]) -> str:
    width = max(len(k) for k in kpis)
    lines = []
    for name, value in kpis.items():
        unit = KPI_BY_NAME[name].unit if name in KPI_BY_NAME else ""
        shown = f"{value:.2%}" if unit == "share" else f"{value:,.2f}"
        lines.append(f"{name:<{width}}  {shown:>16}  {unit if unit != 'share' else ''}")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if args.set:
        scenario = scenario.with_overrides(parse_set(args.set))
    if args.out:  # refuse a folder before the run, not after it
        claim(args.out, RUN_COMMAND, force=args.force)
    result = simulate(scenario, seed=args.seed, days=args.days)
    print(f"# {scenario.meta.name}: {result.days} days, seed {args.seed}, money in {scenario.money.currency}")
    print(format_kpis(result.kpis()))
    if args.out:
        out = result.write(args.out, fmt=args.format, force=args.force)
        print(f"# tables, kpis.json, scenario.yaml and provenance.json written to {out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    print(
        f"{args.scenario}: valid ({scenario.meta.name}; {len(scenario.traffic.channels)} channels, "
        f"{len(scenario.catalogue.skus)} SKUs)"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.markdown:
        print(markdown())
        return 0
    for r in rows():
        print(f"{r['path']:<52} {r['unit']:<16} {r['range']:<22} default {r['default']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m sim", description="Simulate an online store.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario and print its KPIs")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--days", type=int, default=None, help="horizon in days (default: the file's time.days)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field by dotted path, e.g. service.agents=2 (repeatable)",
    )
    run.add_argument("--out", help="folder for the tables, kpis.json and the resolved scenario")
    run.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format")
    run.add_argument("--force", action="store_true", help="replace a previous run's output in --out")
    run.set_defaults(func=_run)
    val = sub.add_parser("validate", help="check a scenario file")
    val.add_argument("scenario")
    val.set_defaults(func=_validate)
    sch = sub.add_parser("schema", help="list every scenario field with unit, range and default")
    sch.add_argument("--markdown", action="store_true", help="as a Markdown table with sources")
    sch.set_defaults(func=_schema)
    add_sweep_parser(sub)
    return p


def add_sweep_parser(sub: argparse._SubParsersAction) -> None:
    """``sweep FILE --workers N | --scheduler ADDRESS --out DIR [--resume]`` (see ``sim.experiment.sweep``)."""
    sw = sub.add_parser("sweep", help="run a sweep file on local processes or a Dask cluster")
    sw.add_argument("sweep", help="sweep YAML file (see data/sweeps/)")
    where = sw.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    sw.add_argument("--out", required=True, help="folder for part files and tables")
    sw.add_argument("--resume", action="store_true", help="continue the sweep in --out, skipping finished tasks")
    sw.add_argument("--force", action="store_true", help="replace a previous sweep's output in --out")
    sw.set_defaults(func=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from sim.experiment.sweep import sweep

    try:
        if args.scheduler:
            from distributed import Client

            with Client(args.scheduler, timeout="20s") as client:
                res = sweep(args.sweep, executor=client, out=args.out, resume=args.resume, force=args.force)
        else:
            res = sweep(args.sweep, executor=args.workers, out=args.out, resume=args.resume, force=args.force)
    except RuntimeError as exc:  # scheduler unreachable, worker versions differ
        print(one_line(f"error: {exc}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"interrupted: finished tasks are kept in {args.out}/parts; rerun with --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    d = res.definition
    print(
        f"# {d.name}: {len(res.summary)} points x {d.replications} replications; ran {res.tasks_ran} tasks now, "
        f"{len(res.results)} succeeded, {len(res.failures)} failed in all"
    )
    print(f"# {res.out}: results.parquet, summary.parquet, failures.parquet, sweep.yaml, provenance.json")
    if len(res.failures):
        first = res.failures.iloc[0]
        total = len(res.results) + len(res.failures)
        print(
            one_line(
                f"error: {len(res.failures)} of {total} tasks failed; first: point {first['point']}, "
                f"replication {first['replication']}: {first['error']}"
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return guarded("sim", lambda: args.func(args))
