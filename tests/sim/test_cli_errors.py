"""The one error path of every command (sim.cli_errors.guarded): bad input exits 2 with one line, a bug exits 1
with one line and its traceback in a log file, never on the terminal."""

from __future__ import annotations

import pytest

from sim.cli_errors import EXIT_BAD_INPUT, EXIT_INTERNAL, guarded, log_dir
from sim.errors import ScenarioError


def raising(exc: BaseException):
    def body() -> int:
        raise exc

    return body


def test_user_errors_are_one_line_and_exit_2(capsys):
    assert guarded("prog", raising(ScenarioError("service.agents = -1: allowed: >= 0\nsecond line"))) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err == "error: service.agents = -1: allowed: >= 0 second line\n"
    assert guarded("prog", raising(FileNotFoundError(2, "No such file", "x.yaml"))) == EXIT_BAD_INPUT


def test_a_bug_exits_1_with_the_traceback_in_a_log_file(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert guarded("prog", raising(OverflowError("date value out of range"))) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("internal error: OverflowError: date value out of range")
    assert "Traceback" not in err
    (log,) = (tmp_path / "store-playbook" / "logs").iterdir()
    assert log.name.startswith("prog-") and "Traceback" in log.read_text() and "OverflowError" in log.read_text()
    assert log_dir() == tmp_path / "store-playbook" / "logs"


def test_a_command_that_succeeds_returns_its_status():
    assert guarded("prog", lambda: 0) == 0
    with pytest.raises(SystemExit):
        guarded("prog", raising(SystemExit(3)))
