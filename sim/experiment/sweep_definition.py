"""Sweep definitions: which scenario, which levers, how many replications -- as data.

A sweep file (``data/sweeps/*.yaml``) names a base scenario and the levers to
vary.  Each lever is one of

* a **list of values** for a dotted scenario path (``service.agents: [1, 2, 3]``);
* a **range** for a numeric path (``page.load_time_s: {low: 1.0, high: 3.0}``),
  sampled with ``method: random`` or ``method: lhs`` (Latin hypercube);
  integer fields (the base value is an int) get integers, ``low`` and ``high``
  included;
* a **named set of options**, each setting several fields at once
  (``traffic_forecast: {options: {low: {...}, high: {...}}}``); the tables
  show the option's name.

``method: grid`` (the default) crosses every list and option set.  With
``random`` / ``lhs`` the sweep draws ``samples`` points; a list or option set
is then a categorical lever, picked by its sampled coordinate.  Samples come
from ``numpy.random.default_rng(seed)``, a stream apart from the replication
seeds (the children of ``SeedSequence(seed)``).

Validation happens here, once, with the scenario's own checks: every value of
every lever (and both ends of every range) is applied to the base scenario up
front, and :meth:`SweepDefinition.point_overrides` builds every point, so a
bad value fails with a :class:`ScenarioError` naming the field before any task
runs.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np

from sim.errors import ScenarioError
from sim.results.kpis import KPI_NAMES
from sim.results.measures import MEASURE_NAMES
from sim.scenario.definition import Scenario, load_scenario
from sim.scenario.messages import one_line, shorten
from sim.scenario.yaml_strict import load_yaml

METHODS = ("grid", "random", "lhs")
KEYS = ("name", "description", "scenario", "levers", "method", "samples", "replications", "days", "kpis", "seed")
#: Column names of the sweep tables that a lever may not take.
#: What a sweep may collect: the shared KPIs and the simulation-only measures (operating profit ...).
METRICS = KPI_NAMES + MEASURE_NAMES
RESERVED = frozenset({"point", "replication", "n_ok", "n_failed", "seed", "error"}) | set(METRICS)
MAX_POINTS = 1_000_000
MAX_REPLICATIONS = 100_000


@dataclass(frozen=True)
class Lever:
    """One varied input: a dotted path with ``values`` or a ``low``-``high`` range, or named ``options``."""

    name: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    integer: bool = False
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def choices(self) -> tuple[Any, ...]:
        """The categorical choices: the listed values, or the option names."""
        return tuple(self.options) if self.options else self.values

    def overrides(self, value: Any) -> dict[str, Any]:
        """Scenario overrides (dotted path -> value) for one value of this lever."""
        return dict(self.options[value]) if self.options else {self.name: value}

    def paths(self) -> set[str]:
        """The scenario paths this lever sets."""
        return set().union(*(set(o) for o in self.options.values())) if self.options else {self.name}

    def from_unit(self, u: float) -> Any:
        """The lever value at coordinate ``u`` in [0, 1) of a random or Latin-hypercube sample."""
        if not self.is_range:
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        assert self.low is not None and self.high is not None  # a range lever has both bounds
        if self.integer:
            return int(self.low) + min(int(u * (self.high - self.low + 1)), int(self.high - self.low))
        return float(self.low + u * (self.high - self.low))

    def to_dict(self) -> Any:
        if self.options:
            return {"options": {k: dict(v) for k, v in self.options.items()}}
        if self.is_range:
            return {"low": self.low, "high": self.high}
        return list(self.values)


@dataclass(frozen=True)
class SweepDefinition:
    """A validated sweep: base scenario, levers, sampling, replications, days, KPIs and seed."""

    name: str
    base: Scenario
    scenario_path: str
    levers: tuple[Lever, ...]
    replications: int
    days: int
    kpis: tuple[str, ...]
    seed: int = 0
    method: str = "grid"
    samples: int | None = None
    description: str = ""

    @property
    def lever_names(self) -> tuple[str, ...]:
        return tuple(lv.name for lv in self.levers)

    def points(self) -> list[dict[str, Any]]:
        """Every point as lever name -> value, in a fixed order (grid: last lever varies fastest)."""
        if self.method == "grid":
            combos = itertools.product(*(lv.choices for lv in self.levers))
            return [dict(zip(self.lever_names, combo, strict=True)) for combo in combos]
        rng = np.random.default_rng(self.seed)
        d = len(self.levers)
        assert self.samples is not None  # random and lhs sweeps always have a sample size
        if self.method == "lhs":
            from scipy.stats import qmc  # here, not at the top: ``import sim`` stays 60 MiB lighter for a single run

            unit = qmc.LatinHypercube(d=d, rng=rng).random(self.samples)
        else:
            unit = rng.random((self.samples, d))
        return [{lv.name: lv.from_unit(u) for lv, u in zip(self.levers, row, strict=True)} for row in unit]

    def point_overrides(self, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The scenario overrides of each point, each checked by building its scenario once."""
        out = []
        for i, point in enumerate(points):
            overrides: dict[str, Any] = {}
            for lv in self.levers:
                overrides.update(lv.overrides(point[lv.name]))
            shown = ", ".join(f"{k}={shorten(v)}" for k, v in point.items())
            _check_overrides(self.base, overrides, f"sweep {self.name!r}: point {i} ({shown})")
            out.append(overrides)
        return out

    def to_dict(self, scenario: str | None = None) -> dict[str, Any]:
        """The resolved definition as plain YAML-able data (``scenario`` replaces the base path)."""
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "scenario": scenario or self.scenario_path,
            "method": self.method,
        }
        if self.samples is not None:
            out["samples"] = self.samples
        out.update(
            {
                "replications": self.replications,
                "days": self.days,
                "seed": self.seed,
                "kpis": list(self.kpis),
                "levers": {lv.name: lv.to_dict() for lv in self.levers},
            }
        )
        return out

    @classmethod
    def from_dict(cls, data: Any, origin: str = "sweep", base_dir: str | Path | None = None) -> SweepDefinition:
        """Validate a plain mapping (as read from YAML); raise :class:`ScenarioError` naming the field."""
        try:
            return _parse(data, origin, Path(base_dir) if base_dir is not None else None)
        except ScenarioError as exc:  # one line, at most MAX_MESSAGE characters, whatever the check said
            raise ScenarioError(one_line(str(exc))) from None


def load_sweep(path: str | Path) -> SweepDefinition:
    """Read a sweep YAML file; its ``scenario`` path is taken relative to the file, else to the cwd."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read the sweep file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    data = load_yaml(text, str(p))
    if isinstance(data, Mapping) and "name" not in data:
        data = {**data, "name": p.stem}
    return SweepDefinition.from_dict(data, origin=str(p), base_dir=p.parent)


# --- validation ------------------------------------------------------------------------------------


def _fail(origin: str, where: str, value: Any, allowed: str) -> ScenarioError:
    return ScenarioError(one_line(f"{origin}: {where} = {shorten(value)}: allowed: {allowed}"))


@overload
def _int(data: Mapping[str, Any], key: str, origin: str, default: int, lo: int, hi: int) -> int: ...
@overload
def _int(data: Mapping[str, Any], key: str, origin: str, default: None, lo: int, hi: int) -> int | None: ...
def _int(data: Mapping[str, Any], key: str, origin: str, default: int | None, lo: int, hi: int) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _fail(origin, key, value, f"an integer from {lo:,} to {hi:,}")
    return value


def _text(data: Mapping[str, Any], key: str, origin: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise _fail(origin, key, value, "text")
    return value


def _parse(data: Any, origin: str, base_dir: Path | None) -> SweepDefinition:
    if not isinstance(data, Mapping):
        raise ScenarioError(
            f"{origin}: a sweep must be a mapping with keys {', '.join(KEYS)}; got {type(data).__name__}"
        )
    for key in data:
        if key not in KEYS:
            hint = difflib.get_close_matches(str(key), KEYS, n=1)
            raise ScenarioError(
                f"{origin}: {one_line(str(key), 60)}: unknown field"
                + (f"; did you mean '{hint[0]}'?" if hint else "")
                + f" (allowed: {', '.join(KEYS)})"
            )
    base, scenario_path = _base(data.get("scenario"), origin, base_dir)
    method = data.get("method", "grid")
    if method not in METHODS:
        raise _fail(origin, "method", method, " | ".join(METHODS))
    samples = _int(data, "samples", origin, None, 1, MAX_POINTS)
    if (samples is None) == (method != "grid"):
        raise ScenarioError(
            f"{origin}: samples: give it with method random or lhs, and only then "
            f"(method = {shorten(method)}, samples = {shorten(samples)})"
        )
    kpis = data.get("kpis", list(METRICS))
    if not isinstance(kpis, list) or not kpis:
        raise _fail(origin, "kpis", kpis, "a non-empty list of KPI names")
    for i, k in enumerate(kpis):
        if k not in METRICS:
            hint = difflib.get_close_matches(str(k), METRICS, n=1)
            raise ScenarioError(
                f"{origin}: kpis[{i}] = {shorten(k)}: unknown KPI"
                + (f"; did you mean '{hint[0]}'?" if hint else "")
                + f" (allowed: {', '.join(METRICS)})"
            )
    if len(set(kpis)) != len(kpis):
        raise _fail(origin, "kpis", kpis, "each KPI once")
    levers = _levers(data.get("levers"), base, method, origin)
    definition = SweepDefinition(
        name=_text(data, "name", origin, "sweep"),
        description=_text(data, "description", origin, ""),
        base=base,
        scenario_path=scenario_path,
        levers=levers,
        replications=_int(data, "replications", origin, 10, 1, MAX_REPLICATIONS),
        days=_int(data, "days", origin, base.time.days, 1, 3650),
        kpis=tuple(kpis),
        seed=_int(data, "seed", origin, 0, 0, 2**63 - 1),
        method=method,
        samples=samples,
    )
    if method == "grid":
        n_points = math.prod(len(lv.choices) for lv in levers)
        if n_points > MAX_POINTS:
            raise _fail(origin, "levers", f"{n_points:,} grid points", f"at most {MAX_POINTS:,} points")
    return definition


def _base(value: Any, origin: str, base_dir: Path | None) -> tuple[Scenario, str]:
    if not isinstance(value, str) or not value:
        raise _fail(origin, "scenario", value, "the path of a scenario YAML file")
    candidates = [base_dir / value] if base_dir is not None else []
    candidates.append(Path(value))
    for p in candidates:
        if p.is_file():
            return load_scenario(p), str(p)
    raise ScenarioError(
        f"{origin}: scenario = {shorten(value)}: no such file (looked in: {', '.join(str(c) for c in candidates)})"
    )


def _levers(value: Any, base: Scenario, method: str, origin: str) -> tuple[Lever, ...]:
    if not isinstance(value, Mapping) or not value:
        raise _fail(origin, "levers", value, "a mapping of dotted scenario path (or option-set name) -> values")
    levers = tuple(_lever(str(name), spec, base, method, origin) for name, spec in value.items())
    seen: dict[str, str] = {}
    for lv in levers:
        for path in lv.paths():
            for other, owner in seen.items():
                if owner != lv.name and (path == other or path.startswith(other + ".") or other.startswith(path + ".")):
                    raise ScenarioError(
                        f"{origin}: levers.{lv.name}: sets {path}, which levers.{owner} "
                        f"also sets ({other}); allowed: each field in one lever"
                    )
            seen[path] = lv.name
    return levers


def _lever(name: str, spec: Any, base: Scenario, method: str, origin: str) -> Lever:
    where = f"levers.{name}"
    if name in RESERVED:
        raise _fail(origin, where, name, f"a name other than {', '.join(sorted(RESERVED))}")
    if isinstance(spec, list):
        _check_choices(spec, where, origin)
        for i, v in enumerate(spec):
            _check_overrides(base, {name: v}, f"{origin}: {where}[{i}]")
        return Lever(name, values=tuple(spec))
    if isinstance(spec, Mapping) and set(spec) == {"options"}:
        options = spec["options"]
        if not isinstance(options, Mapping) or not options:
            raise _fail(origin, f"{where}.options", options, "a mapping of option name -> {dotted.path: value}")
        for label, overrides in options.items():
            if not isinstance(overrides, Mapping):
                raise _fail(origin, f"{where}.options.{label}", overrides, "a mapping of dotted.path -> value")
            _check_overrides(base, overrides, f"{origin}: {where}.options.{label}")
        return Lever(name, options={str(k): dict(v) for k, v in options.items()})
    if isinstance(spec, Mapping) and set(spec) == {"low", "high"}:
        return _range_lever(name, spec["low"], spec["high"], base, method, origin)
    raise _fail(
        origin,
        where,
        spec,
        "a list of values, {low: ..., high: ...} (method random or lhs), or {options: {name: {dotted.path: value}}}",
    )


def _range_lever(name: str, low: Any, high: Any, base: Scenario, method: str, origin: str) -> Lever:
    where = f"levers.{name}"
    if method == "grid":
        raise ScenarioError(
            f"{origin}: {where}: a low-high range needs method random or lhs "
            f"(with samples: N); a grid needs a list of values"
        )
    current = base.get(name)
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise _fail(
            origin,
            where,
            {"low": low, "high": high},
            f"a range only for a numeric field; {name} is {shorten(current)}: give a list of values",
        )
    integer = isinstance(current, int)
    kind = (int,) if integer else (int, float)
    for key, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, kind):
            raise _fail(origin, f"{where}.{key}", v, "an integer" if integer else "a number")
    if not low < high:
        raise _fail(origin, f"{where}.high", high, f"a number above low ({low})")
    for key, v in (("low", low), ("high", high)):
        _check_overrides(base, {name: v if integer else float(v)}, f"{origin}: {where}.{key}")
    return Lever(name, low=low, high=high, integer=integer)


def _check_choices(values: list[Any], where: str, origin: str) -> None:
    if not values:
        raise _fail(origin, where, values, "at least one value")
    texts = [json.dumps(v, sort_keys=True, default=str) for v in values]
    for i, t in enumerate(texts):
        if t in texts[:i]:
            raise _fail(origin, f"{where}[{i}]", values[i], "each value once")


def _check_overrides(base: Scenario, overrides: Mapping[str, Any], where: str) -> None:
    for path in overrides:
        if not isinstance(path, str):
            raise ScenarioError(f"{where}: {shorten(path)}: allowed: a dotted scenario path such as service.agents")
    try:
        base.with_overrides(overrides)
    except ScenarioError as exc:
        raise ScenarioError(one_line(f"{where}: {str(exc).removeprefix('override: ')}")) from None
