"""Run fuzz cases in guarded worker processes and tabulate what happened.

A case is any picklable value; a *check* is a module-level function
``check(case) -> Outcome`` that runs it (load a scenario, simulate a few
days) and says which class the result falls in.  :func:`run_cases` hands the
cases to ``workers`` forked processes, each with an address-space limit
(``resource.setrlimit(RLIMIT_AS)``) and, per case, a soft time limit
(``SIGALRM`` raises :class:`CaseTimeout` inside the case) and a hard one
(the parent kills a worker that does not answer, records a ``hang`` and
forks a new one).  A worker that dies (a segfault, the kernel's OOM killer)
is recorded as a ``crash``.  Example::

    summary = run_cases(cases, check_scenario, workers=2, time_limit_s=20, memory_limit_mb=3072)
    print(summary.table())

Classes: ``valid`` (ran, every KPI finite or legitimately undefined),
``clear_error`` (the one-line user error), ``empty_kpis`` (ran, some KPI
undefined because its denominator is 0 - no orders, no tickets), and
``failure`` (anything else: another exception, a multi-line or overlong
message, NaN/inf where a value is defined, a hang, a crash).
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

CLASSES = ("valid", "clear_error", "empty_kpis", "failure")


@dataclass(frozen=True)
class Outcome:
    """What one case did: its class and, for errors and failures, a one-line detail."""

    kind: str
    detail: str = ""


@dataclass
class Summary:
    """Counts by class, the failures with their cases, and the wall time."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    workers: int = 1

    def table(self) -> str:
        """The result as a small text table, e.g. ``valid  6,123  61.2%``."""
        total = sum(self.counts.values()) or 1
        lines = [f"{'outcome':<12} {'cases':>8} {'share':>7}"]
        for kind in CLASSES:
            n = self.counts.get(kind, 0)
            lines.append(f"{kind:<12} {n:>8,} {n / total:>7.1%}")
        lines.append(f"{'total':<12} {sum(self.counts.values()):>8,}")
        lines.append(
            f"time {self.seconds:.1f} s wall on {self.workers} workers ({self.seconds / total * 1000:.1f} ms/case); "
            f"{self.cpu_seconds:.1f} s CPU in the workers ({self.cpu_seconds / total * 1000:.1f} ms/case)"
        )
        return "\n".join(lines)


class CaseTimeout(Exception):
    """Raised inside a case that ran past its soft time limit."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise CaseTimeout


def _worker(conn: Connection, check: Callable[[Any], Outcome], time_limit_s: float, memory_limit_mb: int) -> None:
    limit = memory_limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        index, case = item
        signal.setitimer(signal.ITIMER_REAL, time_limit_s)
        try:
            outcome = check(case)
        except CaseTimeout:
            outcome = Outcome("failure", f"hang: more than {time_limit_s:g} s")
        except BaseException as exc:  # noqa: BLE001 - every escape is a finding
            tb = traceback.extract_tb(exc.__traceback__)
            where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
            outcome = Outcome("failure", f"{type(exc).__name__}{where}: {str(exc)[:200]}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            conn.send((index, outcome))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    index: int | None = None
    started: float = 0.0


def run_cases(
    cases: Sequence[Any],
    check: Callable[[Any], Outcome],
    *,
    workers: int = 2,
    time_limit_s: float = 20.0,
    memory_limit_mb: int = 3072,
    progress: Callable[[int, Summary], None] | None = None,
) -> Summary:
    """Run every case through ``check`` on ``workers`` guarded processes; return the counts and failures."""
    ctx = mp.get_context("fork")
    hard_limit = time_limit_s * 2 + 5
    summary = Summary(workers=workers)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)

    def spawn() -> _Slot:
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(child, check, time_limit_s, memory_limit_mb), daemon=True)
        p.start()
        child.close()
        return _Slot(p, parent)

    def record(index: int, outcome: Outcome) -> None:
        summary.counts[outcome.kind] += 1
        if outcome.kind == "failure":
            summary.failures.append((index, outcome.detail))
        done = sum(summary.counts.values())
        if progress is not None:
            progress(done, summary)

    todo: Iterable[tuple[int, Any]] = iter(enumerate(cases))
    slots = [spawn() for _ in range(max(1, workers))]
    pending = True

    def feed(slot: _Slot) -> None:
        nonlocal pending
        item = next(todo, None) if pending else None  # type: ignore[call-overload]
        if item is None:
            pending = False
            slot.index = None
            return
        slot.index, slot.started = item[0], time.perf_counter()
        slot.conn.send(item)

    for slot in slots:
        feed(slot)
    while any(s.index is not None for s in slots):
        busy = [s for s in slots if s.index is not None]
        ready = wait([s.conn for s in busy], timeout=1.0)
        now = time.perf_counter()
        for i, slot in enumerate(slots):
            current = slot.index
            if current is None:
                continue
            if slot.conn in ready:
                try:
                    index, outcome = slot.conn.recv()
                except (EOFError, OSError):  # the worker died mid-case
                    slot.process.join(timeout=1)
                    record(current, Outcome("failure", f"crash: worker exit code {slot.process.exitcode}"))
                    slots[i] = slot = spawn()
                    feed(slot)
                    continue
                record(index, outcome)
                feed(slot)
            elif now - slot.started > hard_limit:
                slot.process.kill()
                slot.process.join(timeout=5)
                record(current, Outcome("failure", f"hang: killed after {hard_limit:g} s"))
                slots[i] = slot = spawn()
                feed(slot)
    for slot in slots:
        try:
            slot.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        slot.process.join(timeout=5)
        if slot.process.is_alive():
            slot.process.kill()
    summary.seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary.cpu_seconds = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return summary
