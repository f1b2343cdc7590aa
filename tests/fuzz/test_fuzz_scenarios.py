"""CI's slice of the scenario fuzz: 500 generated cases, every one a valid run, a clear error or empty KPIs.

``make fuzz`` runs 10,000; this slice (cases 0-499 of seed 0) runs in CI on every change.
"""

from __future__ import annotations

import pytest

from fuzz.harness import CLASSES, Outcome, run_cases
from fuzz.scenarios import Case, check, generate, materialise


@pytest.mark.fuzz
def test_a_500_case_slice_has_no_failures() -> None:
    cases = generate(500, seed_value=0)
    summary = run_cases(cases, check, workers=2, time_limit_s=30, memory_limit_mb=3072)
    assert sum(summary.counts.values()) == 500
    assert summary.failures == [], summary.table() + "\n" + "\n".join(f"case {i}: {d}" for i, d in summary.failures)
    assert summary.counts["valid"] > 50 and summary.counts["clear_error"] > 50  # the mix exercises both sides


def test_generation_is_deterministic_and_mixed() -> None:
    first, again = generate(40, seed_value=3), generate(40, seed_value=3)
    assert first == again
    assert [materialise(c) for c in first] == [materialise(c) for c in again]
    assert len({c.base for c in first}) > 3 and any(c.text_mutations for c in first)


def test_the_harness_classifies_failures_hangs_and_crashes() -> None:
    """The guard must catch what the fuzz is looking for, or 0 failures would mean nothing."""
    cases = ["ok", "raise", "hang", "crash", "memory"]
    summary = run_cases(cases, _misbehave, workers=2, time_limit_s=1, memory_limit_mb=1024)
    assert summary.counts["valid"] == 1 and summary.counts["failure"] == 4
    details = dict(summary.failures)
    assert details[1].startswith("KeyError") and details[2].startswith("hang")
    assert details[3].startswith("crash") and details[4].startswith("MemoryError")
    assert set(summary.counts) <= set(CLASSES)


def _misbehave(kind: str) -> Outcome:
    import os
    import time

    if kind == "raise":
        raise KeyError(kind)
    if kind == "hang":
        time.sleep(60)
    if kind == "crash":
        os._exit(3)
    if kind == "memory":
        bytearray(4 * 1024**3)
    return Outcome("valid")


def test_a_base_file_unmutated_runs() -> None:
    assert check(Case("baseline.yaml")).kind == "valid"
