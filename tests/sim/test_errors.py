"""The two errors a user sees: ScenarioError names the dotted field, the value and what is allowed; OutputError
names the folder and what to do.  Both are ValueErrors, and each is one line from the command line with exit 2."""

from __future__ import annotations

import pytest

import sim
from sim.cli import main
from sim.cli_errors import EXIT_BAD_INPUT
from sim.errors import OutputError, ScenarioError
from tests.conftest import SCENARIOS


def test_both_are_value_errors_and_distinct():
    assert issubclass(ScenarioError, ValueError) and issubclass(OutputError, ValueError)
    assert not issubclass(ScenarioError, OutputError) and not issubclass(OutputError, ScenarioError)


def test_a_bad_field_names_its_dotted_path_value_and_range(baseline):
    with pytest.raises(ScenarioError) as info:
        baseline.with_overrides({"service.agents": -1})
    message = str(info.value)
    assert "service.agents = -1" in message and "allowed: >= 0" in message and "\n" not in message


def test_an_unknown_field_lists_the_allowed_ones():
    with pytest.raises(ScenarioError, match=r"serivce: unknown field; did you mean 'service'\? \(allowed: "):
        sim.Scenario.from_dict({"serivce": {}})


def test_the_command_line_prints_one_line_and_exits_2(capsys, tmp_path):
    base = str(SCENARIOS / "baseline.yaml")
    assert main(["run", base, "--days", "2", "--set", "service.agents=-1", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert EXIT_BAD_INPUT == 2 and err.count("\n") == 1 and "service.agents = -1" in err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert main(["run", base, "--days", "2", "--out", str(mine)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(mine) in err and (mine / "notes.txt").read_text() == "keep me"
