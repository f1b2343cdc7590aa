"""Scenario and sweep fuzzing: ``python -m fuzz.scenarios --cases 10000 [--workers 2] [--seed 0]``.

Hypothesis generates each case (seeded, so case ``i`` is the same on every
run): a base (one of ``data/scenarios/*.yaml`` or the sweep in
``data/sweeps/``), up to three field mutations and up to two YAML-text
mutations.  A field mutation sets a random schema field (a channel's
``cost_per_click``, a SKU's ``price``, ``time.start_date`` ...) to a value in
range, on a boundary, out of range, of the wrong type or nasty (NaN, inf,
2**63, a 10,000-character string, a date in year 1); or deletes, renames or
adds a key or a collection item.  A text mutation works on the YAML as
written: a duplicated section, ``8:30``, ``017``, ``1e-9``, ``!!int 3.5``,
``2026-02-30``, an alias bomb, a truncation, a stray character, another
encoding.  Each case is written to a file, loaded with ``load_scenario`` (or
``load_sweep``) and run for ``DAYS`` days in a guarded worker
(``fuzz.harness``).

The table at the end counts valid runs, clear errors, legitimately empty
KPIs and failures; the exit status is 1 when any case failed, and the first
failures are listed with their case number (``--show N`` prints that case).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from fuzz.harness import Outcome, run_cases
from sim.errors import ScenarioError
from sim.experiment.runs import simulate
from sim.experiment.sweep_definition import load_sweep
from sim.scenario.definition import Scenario, load_scenario
from sim.scenario.messages import MAX_MESSAGE

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
SWEEP = ROOT / "data" / "sweeps" / "agents_returns_traffic.yaml"
#: simulated days per case: enough for orders, deliveries, tickets and reviews to start
DAYS = 3
#: an error message longer than this (the limit plus a file path) is a failure
MAX_ERROR_CHARS = MAX_MESSAGE + 80


# --- the schema as the fuzzer sees it ---------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A leaf field: its Python type and its bounds (None: unbounded)."""

    kind: str  # float | int | bool | str | date | list | literal | other
    lo: float | None = None
    hi: float | None = None
    choices: tuple[Any, ...] = ()


def _unwrap(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if args else annotation
    return annotation


def _spec(field: Any) -> Spec:
    ann = _unwrap(field.annotation)
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        hi = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else hi
    if typing.get_origin(ann) is typing.Literal:
        return Spec("literal", choices=typing.get_args(ann))
    if typing.get_origin(ann) is list:
        return Spec("list", lo, hi)
    kinds = {float: "float", int: "int", bool: "bool", str: "str", dt.date: "date"}
    return Spec(kinds.get(ann, "other"), lo, hi)


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(item model, keyed) of a section field: ``Funnel`` -> (Funnel, False), ``dict[str, Sku]`` -> (Sku, True)."""
    ann = _unwrap(annotation)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann, False
    args = typing.get_args(ann)
    if (
        typing.get_origin(ann) is dict
        and len(args) == 2
        and isinstance(args[1], type)
        and issubclass(args[1], BaseModel)
    ):
        return args[1], True
    return None, False


def leaves(
    data: Any, model: type[BaseModel] = Scenario, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Spec]]:
    """Every leaf path of a resolved scenario dict with its spec, collection items included."""
    out: list[tuple[tuple[str, ...], Spec]] = []
    for name, field in model.model_fields.items():
        value = data.get(name) if isinstance(data, dict) else None
        sub, keyed = _model_of(field.annotation)
        if sub is not None and keyed and isinstance(value, dict):
            for key, item in value.items():
                out += leaves(item, sub, (*prefix, name, key))
        elif sub is not None and not keyed:
            out += leaves(value, sub, (*prefix, name))
        else:
            out.append(((*prefix, name), _spec(field)))
    return out


def collections(
    model: type[BaseModel] = Scenario, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], type[BaseModel]]]:
    """Name-keyed collections (channels, SKUs, shocks ...) with their item model, for adding items."""
    out = []
    for name, field in model.model_fields.items():
        sub, keyed = _model_of(field.annotation)
        if sub is not None and keyed:
            out.append(((*prefix, name), sub))
        elif sub is not None:
            out += collections(sub, (*prefix, name))
    return out


BASES = {p.name: load_scenario(p).to_dict() for p in SCENARIOS}
BASE_TEXT = {p.name: p.read_text(encoding="utf-8") for p in SCENARIOS}
LEAVES = {name: leaves(data) for name, data in BASES.items()}
COLLECTIONS = collections()


# --- values -------------------------------------------------------------------------------------

NASTY: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    -0.0,
    2**63,
    -(2**63) - 1,
    10**400,
    1e308,
    -1e308,
    5e-324,
    "",
    " ",
    "\x00",
    "é" * 5000,
    "8:30",
    "1e-9",
    "NaN",
    "null",
    None,
    True,
    False,
    [],
    {},
    [1.5] * 3,
    {"a": {"b": 1}},
    "2026-02-30",
    "0001-01-01",
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
    dt.date(2262, 4, 10),
    dt.date(1677, 9, 21),
    "💥",
    "\u202e",
    "a" * 300,
    list(range(200)),
]


def _number(spec: Spec, integer: bool) -> st.SearchStrategy[Any]:
    lo = spec.lo if spec.lo is not None else -1e6
    hi = spec.hi if spec.hi is not None else 1e6
    in_range: st.SearchStrategy[Any]
    boundary: st.SearchStrategy[Any]
    outside: st.SearchStrategy[Any]
    if integer:
        lo_i, hi_i = math.ceil(lo), math.floor(hi)
        in_range = st.integers(lo_i, hi_i)
        boundary = st.sampled_from([lo_i, hi_i, lo_i + 1, hi_i - 1])
        outside = st.sampled_from([lo_i - 1, hi_i + 1, -(10**9), 10**12])
    else:
        in_range = st.floats(lo, hi, allow_nan=False)
        boundary = st.sampled_from([lo, hi, math.nextafter(lo, math.inf), math.nextafter(hi, -math.inf), lo + 1e-9])
        outside = st.sampled_from([math.nextafter(lo, -math.inf), lo - 1, hi + 1, hi * 10 + 1, -1e12, 1e12])
    return st.one_of(in_range, in_range, boundary, outside)


def value_for(spec: Spec) -> st.SearchStrategy[Any]:
    """A value for a field: mostly in range or on a boundary, sometimes out of range, wrong-typed or nasty."""
    if spec.kind in ("float", "int"):
        typed = _number(spec, spec.kind == "int")
    elif spec.kind == "bool":
        typed = st.booleans()
    elif spec.kind == "date":
        typed = st.one_of(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)), st.dates())
    elif spec.kind == "literal":
        typed = st.sampled_from(spec.choices)
    elif spec.kind == "list":
        typed = st.lists(st.one_of(st.floats(-1, 200, allow_nan=False), st.integers(-2, 30)), max_size=30)
    elif spec.kind == "str":
        typed = st.text(max_size=40)
    else:
        typed = st.just(None)
    wrong = st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.booleans(), st.none())
    return st.one_of(typed, typed, typed, wrong, st.sampled_from(NASTY))


# --- cases --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One fuzz case: a base file, field mutations, text mutations, an encoding and the run's seed."""

    base: str
    mutations: tuple[tuple[Any, ...], ...] = ()
    text_mutations: tuple[tuple[Any, ...], ...] = ()
    encoding: str = "utf-8"
    seed: int = 0


TEXT_VALUES = [
    "8:30",
    "017",
    "1e-9",
    "yes",
    "off",
    "!!int 3.5",
    "!!float abc",
    "2026-02-30",
    "2026-13-01",
    "0x1F",
    "1_000",
    ".inf",
    "-.nan",
    "~",
    "!!python/object/apply:os.system ['true']",
    "*undefined",
    "&a 3",
    "[1, 2",
    "{a: 1",
    "'unterminated",
    "!!binary Zm9v",
    "!!timestamp 2026-02-30",
    "|\n  text",
    "? [a]\n  : b",
    "12345678901234567890",
    "@",
    "`",
    "%",
    "0o17",
    "+.5",
    "1.",
    "!!str 3",
]
STRAY = [
    ":",
    "-",
    "{",
    "}",
    "[",
    "]",
    '"',
    "'",
    "\t",
    "#",
    "&",
    "*",
    "!",
    "|",
    ">",
    "%",
    "@",
    "`",
    "\x00",
    "\ufeff",
    "é",
    "\r",
    "\n",
    " ",
    ",",
    "?",
    "\x85",
    "\u2028",
]


def _bomb(depth: int, width: int) -> str:
    lines = ["bomb:", "  l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, depth + 1):
        lines.append(f"  l{i}: &l{i} [{', '.join(f'*l{i - 1}' for _ in range(width))}]")
    return "\n".join(lines) + "\n"


@st.composite
def text_mutation(draw: st.DrawFn) -> tuple[Any, ...]:
    kind = draw(
        st.sampled_from(
            [
                "value",
                "value",
                "stray",
                "stray",
                "duplicate",
                "truncate",
                "bomb",
                "nest",
                "indent",
                "whole",
                "crlf",
                "bom",
            ]
        )
    )
    if kind == "value":
        return (kind, draw(st.integers(0, 10**6)), draw(st.sampled_from(TEXT_VALUES)))
    if kind == "stray":
        return (kind, draw(st.integers(0, 10**6)), draw(st.sampled_from(STRAY)))
    if kind in ("duplicate", "truncate", "indent"):
        return (kind, draw(st.integers(0, 10**6)))
    if kind == "bomb":
        return (kind, draw(st.integers(1, 9)), draw(st.integers(2, 10)), draw(st.booleans()))
    if kind == "nest":
        return (kind, draw(st.sampled_from([5, 50, 500, 5000])))
    if kind == "whole":
        return (kind, draw(st.sampled_from(["", "---", "null", "[]", "42", "'text'", "---\na: 1\n---\nb: 2\n", "{}"])))
    return (kind,)


@st.composite
def field_mutation(draw: st.DrawFn, base: str) -> tuple[Any, ...]:
    op = draw(st.sampled_from(["set"] * 8 + ["delete", "rename", "unknown", "add_item", "section"]))
    leaf_list = LEAVES[base]
    path, spec = draw(st.sampled_from(leaf_list))
    if op == "set":
        return ("set", path, draw(value_for(spec)))
    if op == "delete":
        return ("delete", path[: draw(st.integers(1, len(path)))])
    if op == "rename":
        return ("rename", path, draw(st.sampled_from(["", "x", path[-1] + "s", path[-1].upper(), path[-1][:-1]])))
    if op == "unknown":
        return ("set", (*path[:-1], draw(st.sampled_from(["extra", "Agents", "sla", "1", "on"]))), 1)
    if op == "section":
        return ("set", path[:1], draw(st.sampled_from([None, 0, "text", [], [1, 2], {}])))
    where, model = draw(st.sampled_from(COLLECTIONS))
    name = draw(st.sampled_from(["new", "x", "paid_search", "tee", "standard", "a.b", "", "1", "é"]))
    item: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 3))):
        fname = draw(st.sampled_from(sorted(model.model_fields)))
        item[fname] = draw(value_for(_spec(model.model_fields[fname])))
    return ("add_item", where, name, item)


@st.composite
def scenario_case(draw: st.DrawFn) -> Case:
    base = draw(st.sampled_from([*BASES, "sweep"] if draw(st.integers(0, 9)) == 0 else list(BASES)))
    if base == "sweep":
        return Case(base, (), tuple(draw(st.lists(text_mutation(), min_size=0, max_size=2))))
    mutations = tuple(draw(st.lists(field_mutation(base), min_size=0, max_size=3)))
    text = tuple(draw(st.lists(text_mutation(), max_size=1))) if draw(st.integers(0, 3)) == 0 else ()
    encoding = draw(st.sampled_from(["utf-8"] * 30 + ["latin-1", "utf-16", "gbk"]))
    return Case(base, mutations, text, encoding, draw(st.integers(0, 2**32 - 1)))


def generate(n: int, seed_value: int = 0) -> list[Case]:
    """``n`` cases, the same ones for the same ``seed_value`` (hypothesis, no example database)."""
    out: list[Case] = []

    @seed(seed_value)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(scenario_case())
    def collect(case: Case) -> None:
        out.append(case)

    collect()
    while len(out) < n:  # hypothesis may stop short of max_examples; top up deterministically
        out.extend(generate(n - len(out), seed_value + len(out) + 1))
    return out[:n]


# --- materialising and checking a case ----------------------------------------------------------


def _apply(data: dict[str, Any], mutation: tuple[Any, ...]) -> None:
    op = mutation[0]
    path = mutation[1]
    node: Any = data
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if not isinstance(node, dict):
        return
    last = path[-1]
    if op == "set":
        node[last] = mutation[2]
    elif op == "delete":
        node.pop(last, None)
    elif op == "rename" and last in node:
        node[mutation[2]] = node.pop(last)
    elif op == "add_item":
        items = node.get(last)
        if isinstance(items, dict):
            items[mutation[2]] = mutation[3]


def _mutate_text(text: str, m: tuple[Any, ...]) -> str:
    kind = m[0]
    lines = text.split("\n")
    if kind == "value":
        candidates = [i for i, line in enumerate(lines) if ": " in line and not line.rstrip().endswith(":")]
        if candidates:
            i = candidates[m[1] % len(candidates)]
            lines[i] = lines[i].split(": ", 1)[0] + ": " + m[2]
        return "\n".join(lines)
    if kind == "stray":
        pos = m[1] % (len(text) + 1)
        return text[:pos] + m[2] + text[pos:]
    if kind == "duplicate":
        tops = [i for i, line in enumerate(lines) if line and not line[0].isspace() and line.endswith(":")]
        if tops:
            i = tops[m[1] % len(tops)]
            end = next((j for j in range(i + 1, len(lines)) if lines[j] and not lines[j][0].isspace()), len(lines))
            return "\n".join(lines + lines[i:end])
        return text
    if kind == "truncate":
        return text[: m[1] % (len(text) + 1)]
    if kind == "bomb":
        depth, width, in_field = m[1], m[2], m[3]
        bomb = _bomb(depth, width)
        if in_field:  # the bomb as the value of a real field: the validation error must stay short
            bomb = bomb.replace("bomb:", "meta:\n  name: bomb\n  description:", 1).replace("\n  l", "\n    l")
        return bomb + text
    if kind == "nest":
        return text + f"\nnest: {'[' * m[1]}{']' * m[1]}\n"
    if kind == "indent":
        i = m[1] % max(1, len(lines))
        lines[i] = " " + lines[i]
        return "\n".join(lines)
    if kind == "whole":
        return m[1]
    if kind == "crlf":
        return text.replace("\n", "\r\n")
    if kind == "bom":
        return "\ufeff" + text
    return text


def materialise(case: Case) -> bytes:
    """The bytes of the file the case stands for."""
    if case.base == "sweep":
        text = SWEEP.read_text(encoding="utf-8").replace("../scenarios/baseline.yaml", str(SCENARIOS[0]))
    elif case.mutations:
        data = typing.cast(dict[str, Any], yaml.safe_load(yaml.safe_dump(BASES[case.base])))
        for m in case.mutations:
            _apply(data, m)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    else:
        text = BASE_TEXT[case.base]
    for m in case.text_mutations:
        text = _mutate_text(text, m)
    try:
        return text.encode(case.encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


_WORKDIR: list[Path] = []


def _file(content: bytes) -> Path:
    if not _WORKDIR:
        _WORKDIR.append(Path(tempfile.mkdtemp(prefix="fuzz-scenarios-")))
    path = _WORKDIR[0] / "case.yaml"
    path.write_bytes(content)
    return path


def _judge(result: Any) -> Outcome:
    """valid / empty_kpis / failure of a finished run: inf anywhere, or NaN in a table value, is a failure."""
    values = {**result.kpis(), **result.measures()}
    bad = [k for k, v in values.items() if math.isinf(v)]
    if bad:
        return Outcome("failure", f"infinite KPI {bad}")
    for name in ("orders", "daily", "customers", "tickets", "events"):
        table = getattr(result, name)
        floats = table.select_dtypes("float")
        if floats.size and np.isinf(floats.to_numpy()).any():
            return Outcome("failure", f"inf in table {name}")
        if name in ("orders", "daily", "customers") and floats.size and np.isnan(floats.to_numpy()).any():
            return Outcome("failure", f"NaN in table {name}")
    undefined = [k for k, v in values.items() if math.isnan(v)]
    return Outcome("empty_kpis", ", ".join(undefined)) if undefined else Outcome("valid")


def check(case: Case) -> Outcome:
    """Load the case's file and run it for ``DAYS`` days; classify what happened."""
    path = _file(materialise(case))
    try:
        if case.base == "sweep":
            sweep = load_sweep(path)
            overrides = sweep.point_overrides(sweep.points()[:1])[0]
            result = simulate(sweep.base.with_overrides(overrides), seed=case.seed, days=min(DAYS, sweep.days))
        else:
            result = simulate(load_scenario(path), seed=case.seed, days=DAYS)
    except ScenarioError as exc:
        msg = str(exc)
        if "\n" in msg or len(msg) > MAX_ERROR_CHARS:
            return Outcome(
                "failure", f"unclear message ({len(msg)} chars, {msg.count(chr(10)) + 1} lines): {msg[:150]}"
            )
        return Outcome("clear_error", msg[:200])
    return _judge(result)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fuzz.scenarios", description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=10_000, help="number of generated cases (default 10,000)")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--seed", type=int, default=0, help="generation seed (default 0)")
    p.add_argument("--start", type=int, default=0, help="skip the first START cases (run a slice)")
    p.add_argument("--time-limit", type=float, default=30.0, help="seconds per case before it is a hang")
    p.add_argument("--memory-limit", type=int, default=3072, help="MB of address space per worker")
    p.add_argument("--show", type=int, metavar="I", help="print case I's file and outcome instead of fuzzing")
    args = p.parse_args(argv)
    if args.show is not None:
        case = generate(args.show + 1, args.seed)[args.show]
        print(case)
        print(materialise(case).decode("utf-8", "replace"))
        print(check(case))
        return 0
    cases = generate(args.start + args.cases, args.seed)[args.start :]

    def progress(done: int, summary: Any) -> None:
        if done % 1000 == 0:
            print(f"  {done:,} cases, {len(summary.failures)} failures", file=sys.stderr, flush=True)

    summary = run_cases(
        cases,
        check,
        workers=args.workers,
        time_limit_s=args.time_limit,
        memory_limit_mb=args.memory_limit,
        progress=progress,
    )
    print(f"scenario fuzz: {len(cases):,} cases (seed {args.seed}, from case {args.start}), {DAYS} days each")
    print(summary.table())
    for index, detail in summary.failures[:20]:
        print(f"FAIL case {args.start + index}: {detail}")
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
