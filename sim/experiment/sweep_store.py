"""The folder of one sweep: its definition, provenance, part files and tables.

Layout of ``OUT/``::

    sweep.yaml          the resolved definition (its ``scenario`` is scenario.yaml beside it)
    scenario.yaml       the resolved base scenario
    provenance.json     package versions (``sim.version.provenance``)
    parts/part-*.jsonl  one line per finished task, written as tasks finish
    results.parquet     one row per successful (point, replication)
    summary.parquet     one row per point: n_ok, n_failed, mean and 95% CI of each KPI
    failures.parquet    one row per failed task: point, replication, seed, error

The folder is created whole (a temporary folder renamed into place); every
part and table is written to a temporary name and renamed, so a kill leaves
no half-written file.  A part holds the tasks finished in the last couple of
seconds: that is all an interruption can lose, and ``resume`` reads the parts
to skip every task that succeeded.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.errors import ScenarioError
from sim.experiment.sweep_definition import SweepDefinition
from sim.outputs import add_entries, claim, clear, discard, publish, staging, write_atomic, write_text_atomic
from sim.version import provenance

#: The command named in the folder's manifest (``sim.outputs``).
COMMAND = "python -m sim sweep"
PARTS = "parts"
TABLES = ("results", "summary", "failures")
#: A finished task as stored in a part file: {"point", "replication", and "kpis" or "error"}.
Record = dict[str, Any]


def _plain(data: Any) -> Any:
    """``data`` as it reads back from YAML, for comparing a stored definition with a new one."""
    return yaml.safe_load(yaml.safe_dump(data, sort_keys=True))


def prepare(out: Path, definition: SweepDefinition, resume: bool, force: bool = False) -> None:
    """Create ``out`` with the definition and versions, or (``resume``) check it holds this same sweep.

    ``sim.outputs.claim`` decides whether ``out`` may be used: a folder with
    anything but a previous sweep's output is refused; a previous sweep is
    continued with ``resume`` or replaced with ``force``.
    """
    mode = claim(out, COMMAND, force=force, resume=resume)
    if mode == "resume":
        _check_same(out, definition)
        for stale in (out / PARTS).glob(".part-*"):
            stale.unlink()
        return
    if mode == "replace":
        clear(out)
    tmp = staging(out)
    try:
        (tmp / PARTS).mkdir()
        (tmp / "sweep.yaml").write_text(
            yaml.safe_dump(definition.to_dict(scenario="scenario.yaml"), sort_keys=False, allow_unicode=True)
        )
        (tmp / "scenario.yaml").write_text(definition.base.to_yaml())
        (tmp / "provenance.json").write_text(json.dumps(provenance(), indent=2) + "\n")
        publish(tmp, out, COMMAND)
    except BaseException:
        discard(tmp)
        raise


def _check_same(out: Path, definition: SweepDefinition) -> None:
    try:
        stored = yaml.safe_load((out / "sweep.yaml").read_text())
        scenario = yaml.safe_load((out / "scenario.yaml").read_text())
        versions = json.loads((out / "provenance.json").read_text())
    except (OSError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{out}: not a sweep folder that can be resumed ({exc})") from None
    current = _plain(definition.to_dict(scenario="scenario.yaml"))
    changed = sorted(k for k in set(current) | set(stored) if current.get(k) != stored.get(k))
    if scenario != _plain(definition.base.to_dict()):
        changed.append("the base scenario")
    if changed:
        raise ScenarioError(
            f"{out}: the sweep stored there differs in {', '.join(changed)}; resume needs the same "
            f"definition: undo the change or choose another folder"
        )
    now = provenance()
    moved = [f"{k} {versions.get(k)} -> {v}" for k, v in now.items() if versions.get(k) != v]
    if moved:
        raise ScenarioError(
            f"{out}: written with other versions ({', '.join(moved)}); resuming would mix "
            f"versions in one table: choose another folder"
        )


def read_parts(out: Path) -> dict[tuple[int, int], Record]:
    """Every finished task by (point, replication); a later part wins (a failed task rerun on resume)."""
    records: dict[tuple[int, int], Record] = {}
    for part in sorted((out / PARTS).glob("part-*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            records[(rec["point"], rec["replication"])] = rec
    return records


@dataclass
class PartWriter:
    """Buffers finished tasks and writes them as one part file every ``every_s`` seconds (and on flush)."""

    out: Path
    every_s: float = 2.0
    buffer: list[Record] = field(default_factory=list)
    last: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        names = sorted((self.out / PARTS).glob("part-*.jsonl"))
        self.index = int(names[-1].stem.removeprefix("part-")) + 1 if names else 0

    def add(self, record: Record) -> None:
        self.buffer.append(record)
        if time.monotonic() - self.last >= self.every_s:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if not self.buffer:
            return
        text = "".join(json.dumps(r) + "\n" for r in self.buffer)
        write_text_atomic(self.out / PARTS / f"part-{self.index:06d}.jsonl", text)
        self.index += 1
        self.buffer.clear()


def write_tables(out: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write each table as ``OUT/<name>.parquet``, each atomically (``sim.outputs.write_atomic``)."""
    add_entries(out, COMMAND, (f"{name}.parquet" for name in tables))
    for name, frame in tables.items():
        write_atomic(out / f"{name}.parquet", partial(frame.to_parquet, index=False))


def read_tables(out: Path) -> dict[str, pd.DataFrame]:
    """The tables of a sweep folder; raises ScenarioError naming the first one missing."""
    missing = [n for n in TABLES if not (out / f"{n}.parquet").is_file()]
    if missing:
        raise ScenarioError(f"{out}: no {missing[0]}.parquet: not a finished sweep folder (run or resume it first)")
    return {n: pd.read_parquet(out / f"{n}.parquet") for n in TABLES}
