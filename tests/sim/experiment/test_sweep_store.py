"""The folder of one sweep: created whole, resumed only with the same definition and versions, parts and tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from sim.errors import OutputError, ScenarioError
from sim.experiment import sweep_store
from sim.experiment.sweep_definition import SweepDefinition
from sim.experiment.sweep_store import PartWriter, prepare, read_parts, read_tables, write_tables
from tests.conftest import SCENARIOS


def _definition(**changes) -> SweepDefinition:
    data = {"name": "tiny", "scenario": "baseline.yaml", "replications": 2, "days": 3, "seed": 5,
            "kpis": ["orders"], "levers": {"service.agents": [1, 2]}, **changes}  # fmt: skip
    return SweepDefinition.from_dict(data, base_dir=SCENARIOS)


def test_a_new_folder_holds_the_definition_scenario_versions_and_an_empty_parts_folder(tmp_path):
    out = tmp_path / "s"
    prepare(out, _definition(), resume=False)
    stored = yaml.safe_load((out / "sweep.yaml").read_text())
    assert stored["scenario"] == "scenario.yaml" and stored["levers"] == {"service.agents": [1, 2]}
    assert "python" in json.loads((out / "provenance.json").read_text())
    assert yaml.safe_load((out / "scenario.yaml").read_text())["meta"]["name"] == "baseline"
    assert list((out / "parts").iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name != "s"], "no staging folder left behind"


def test_resume_needs_the_same_definition_and_says_what_changed(tmp_path):
    out = tmp_path / "s"
    prepare(out, _definition(), resume=False)
    (out / "parts" / ".part-000000.jsonl.tmp").write_text("half")  # a part being written when the run was killed
    prepare(out, _definition(), resume=True)
    assert list((out / "parts").iterdir()) == [], "a half-written part is dropped on resume"
    with pytest.raises(ScenarioError, match=r"differs in days, replications; resume needs the same definition"):
        prepare(out, _definition(days=4, replications=3), resume=True)
    with pytest.raises(ScenarioError, match="differs in the base scenario"):
        prepare(out, _definition(scenario="growth.yaml"), resume=True)


def test_resume_refuses_other_versions_and_a_damaged_folder(tmp_path):
    out = tmp_path / "s"
    prepare(out, _definition(), resume=False)
    versions = json.loads((out / "provenance.json").read_text())
    (out / "provenance.json").write_text(json.dumps({**versions, "numpy": "0.0.1"}))
    with pytest.raises(ScenarioError, match=r"written with other versions \(numpy 0\.0\.1 -> "):
        prepare(out, _definition(), resume=True)
    (out / "provenance.json").unlink()
    with pytest.raises(ScenarioError, match="not a sweep folder that can be resumed"):
        prepare(out, _definition(), resume=True)


def test_a_folder_of_someone_elses_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError):
        prepare(tmp_path, _definition(), resume=False)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_parts_are_numbered_on_and_a_later_record_wins(tmp_path):
    out = tmp_path / "s"
    prepare(out, _definition(), resume=False)
    writer = PartWriter(out, every_s=3600)
    writer.add({"point": 0, "replication": 0, "error": "boom"})
    writer.add({"point": 0, "replication": 1, "kpis": {"orders": 3}})
    assert list((out / "parts").iterdir()) == [], "buffered until the interval or a flush"
    writer.flush()
    writer.flush()  # nothing buffered: no empty part
    again = PartWriter(out, every_s=0.0)  # a resumed run continues the numbering
    again.add({"point": 0, "replication": 0, "kpis": {"orders": 4}})
    assert sorted(p.name for p in (out / "parts").iterdir()) == ["part-000000.jsonl", "part-000001.jsonl"]
    records = read_parts(out)
    assert records[(0, 0)] == {"point": 0, "replication": 0, "kpis": {"orders": 4}}, "the rerun replaces the failure"
    assert records[(0, 1)]["kpis"] == {"orders": 3}


def test_tables_round_trip_and_a_missing_one_is_named(tmp_path):
    out = tmp_path / "s"
    prepare(out, _definition(), resume=False)
    frames = {name: pd.DataFrame({"point": [0, 1], "value": [1.5, 2.5]}) for name in sweep_store.TABLES}
    write_tables(out, frames)
    back = read_tables(out)
    for name in sweep_store.TABLES:
        pd.testing.assert_frame_equal(back[name], frames[name])
    (out / "summary.parquet").unlink()
    with pytest.raises(ScenarioError, match=r"no summary\.parquet: not a finished sweep folder"):
        read_tables(out)
