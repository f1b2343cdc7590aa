"""Hand-made malformed scenario and sweep files, each with the one-line message it must produce.

Every ``tests/data/malformed/scenarios/NAME.yaml`` sits next to ``NAME.expected``,
the text its ``ScenarioError`` must contain.  A scenario file is loaded and,
if it loads, run for its own ``time.days`` (the run-size check refuses before
simulating); a ``sweep_*.yaml`` file is loaded as a sweep.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.experiment.runs import simulate
from sim.experiment.sweep_definition import load_sweep
from sim.scenario.definition import load_scenario
from sim.scenario.messages import MAX_MESSAGE

MALFORMED = Path(__file__).resolve().parents[2] / "data" / "malformed" / "scenarios"
FILES = sorted(MALFORMED.glob("*.yaml"))


def test_there_are_enough_cases() -> None:
    assert len(FILES) >= 15
    assert all(f.with_suffix(".expected").is_file() for f in FILES)


def _load_and_run(path: Path) -> None:
    if path.name.startswith("sweep_"):
        load_sweep(path)
    else:
        simulate(load_scenario(path), seed=0)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_malformed_file_gives_its_one_line_message(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").strip()
    with pytest.raises(ScenarioError) as info:
        _load_and_run(path)
    message = str(info.value)
    assert "\n" not in message
    assert len(message) <= MAX_MESSAGE + len(str(path))
    assert expected in message
