"""The effect-size register: every behavioural coefficient, its default, published range and source.

``data/reference/effects.yaml`` holds one entry per coefficient, keyed by
the scenario field it sets - ``funnel.conversion_gain_per_100ms``: default
0.003, range 0.001-0.01 per 0.1 s, Portent 2019/2022, Akamai 2017, Deloitte
2020.  The schema declares such a field with :func:`E` instead of ``F``, so
its default and source come from the register (one fact, one place), and a
notebook shows the register with :func:`register_table`.  An entry may carry
a ``whatif``: a lever pulled on the baseline whose paired effect must land
inside the entry's published range (``tests/sim/levers/test_effects.py``).

The register is read and checked once, at import: a default outside its
range, or a missing key, is a :class:`ScenarioError` naming the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.errors import ScenarioError
from sim.scenario.fields import F

REGISTER_PATH = Path(__file__).resolve().parents[2] / "data" / "reference" / "effects.yaml"
REQUIRED = ("default", "low", "high", "unit", "what", "sources", "strength")
STRENGTHS = ("strong", "medium", "weak")


@dataclass(frozen=True)
class WhatIf:
    """A lever pulled on the baseline and the range its paired effect on ``metric`` must fall in."""

    overrides: dict[str, Any]
    metric: str
    relative: bool
    low: float
    high: float


@dataclass(frozen=True)
class Effect:
    field: str
    default: float
    low: float
    high: float
    unit: str
    what: str
    sources: tuple[str, ...]
    strength: str
    #: the default switches the effect off; the range applies when a scenario turns it on
    off: bool = False
    whatif: WhatIf | None = None

    @property
    def source(self) -> str:
        """One line for the schema: strength, range and the sources."""
        return f"{self.strength}: range {self.low:g} to {self.high:g} {self.unit}; " + "; ".join(self.sources)


def _effect(key: str, entry: Any) -> Effect:
    where = f"{REGISTER_PATH.name}: {key}"
    if not isinstance(entry, dict) or any(k not in entry for k in REQUIRED):
        raise ScenarioError(f"{where}: needs the keys {', '.join(REQUIRED)}")
    default, low, high = (float(entry[k]) for k in ("default", "low", "high"))
    off = bool(entry.get("default_is_off", False))
    if not low <= high or not (off or low <= default <= high):
        raise ScenarioError(f"{where}.default = {default:g}: allowed: the published range {low:g} to {high:g}")
    if entry["strength"] not in STRENGTHS:
        raise ScenarioError(f"{where}.strength = {entry['strength']!r}: allowed: {', '.join(STRENGTHS)}")
    w = entry.get("whatif")
    whatif = (
        WhatIf(dict(w["set"]), str(w["metric"]), bool(w["relative"]), float(w["low"]), float(w["high"])) if w else None
    )
    return Effect(
        key,
        default,
        low,
        high,
        str(entry["unit"]),
        str(entry["what"]),
        tuple(str(s) for s in entry["sources"]),
        str(entry["strength"]),
        off,
        whatif,
    )


def load_register(path: Path = REGISTER_PATH) -> dict[str, Effect]:
    """Every entry of the register, checked, by field path."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {key: _effect(key, entry) for key, entry in data.items()}


EFFECTS = load_register()


def E(field: str, doc: str, **kw: Any) -> Any:
    """A scenario field whose default, unit and source come from the register entry ``field``."""
    effect = EFFECTS[field]
    return F(effect.default, effect.unit, doc, source=effect.source, **kw)


def register_table(effects: dict[str, Effect] | None = None) -> pd.DataFrame:
    """The register as a table for a notebook: field, default, range, unit, what, strength, sources."""
    rows = [
        {
            "field": e.field,
            "default": e.default,
            "low": e.low,
            "high": e.high,
            "unit": e.unit,
            "what": e.what + (" (off by default)" if e.off else ""),
            "strength": e.strength,
            "sources": "; ".join(e.sources),
        }
        for e in (EFFECTS if effects is None else effects).values()
    ]
    return pd.DataFrame(rows).set_index("field")
