"""The command line's one error path: one line on stderr, exit 2 for bad input, exit 1 and a log for a bug."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.cli
from sim.cli import main
from sim.cli_errors import EXIT_BAD_INPUT, EXIT_INTERNAL, guarded
from sim.errors import OutputError, ScenarioError
from tests.conftest import SCENARIOS

BASELINE = str(SCENARIOS / "baseline.yaml")


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_free_shipping_what_if_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 18: fees of 0 against the loaded reference fee pushed checkout-to-order above 1 (ValueError)."""
    args = ["run", BASELINE, "--days", "3", "--set", "delivery.options.standard.fee=0"]
    assert main([*args, "--set", "delivery.options.express.fee=0"]) == 0
    assert main(["run", BASELINE, "--days", "3", "--set", "delivery.reference_fee=20"]) == 0
    assert "conversion_rate" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("traffic.channels.paid_search.cost_per_click=0.000000001", "allowed: at most 200,000"),
        ("traffic.channels.paid_search.daily_budget=1000000", "cost_per_click >= 5"),
        ("traffic.channels.paid_search.cost_per_click=1e-9", "reads 1e-9 as text"),
        ("time.start_date=2262-04-10", "allowed: a date from 1900-01-01 to 2200-12-31"),
        ("time.start_date=1000-01-01", "allowed: a date from 1900-01-01 to 2200-12-31"),
        ("time.start_date=2026-02-30", "'2026-02-30' is not a date"),
        ("service.agents=8:30", "base-60"),
        ("service.agents=[1", "not valid YAML"),
    ],
)
def test_hostile_overrides_are_refused_in_one_line(
    override: str, expected: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["run", BASELINE, "--days", "3", "--set", override, "--out", str(tmp_path / "o")]) == EXIT_BAD_INPUT
    assert expected in _one_line_error(capsys)
    assert not (tmp_path / "o").exists()


def test_a_run_past_the_memory_budget_is_refused_up_front(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", BASELINE, "--days", "3650", "--set", "traffic.channels.direct.sessions_per_day=200000"]
    assert main(args) == EXIT_BAD_INPUT
    err = _one_line_error(capsys)
    assert "sessions/day x 3,650 days" in err and "sessions; allowed: at most 30,000,000" in err


def test_argparse_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["run"], ["run", BASELINE, "--days", "x"], ["fly"], ["run", BASELINE, "--nope"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == EXIT_BAD_INPUT
        assert _one_line_error(capsys).startswith("error: python -m sim")


def test_an_internal_error_is_one_line_and_its_traceback_goes_to_a_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A bug in the engine (injected here: the run raises OverflowError) must not print a traceback."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def overflow(*_args: object, **_kw: object) -> None:
        raise OverflowError("Overflow in int64 addition")

    monkeypatch.setattr(sim.cli, "simulate", overflow)
    assert main(["run", BASELINE, "--days", "2"]) == EXIT_INTERNAL
    err = _one_line_error(capsys)
    assert err.startswith("internal error: OverflowError: Overflow in int64 addition; details in ")
    log = Path(err.rsplit("details in ", 1)[1].strip())
    assert log.parent == tmp_path / "store-playbook" / "logs"
    assert "Traceback" in log.read_text() and "def overflow" not in err


@pytest.mark.parametrize(
    ("exc", "code", "start"),
    [
        (ScenarioError("service.agents = -1: allowed: >= 0"), EXIT_BAD_INPUT, "error: service.agents"),
        (OutputError("results: holds files a run did not write"), EXIT_BAD_INPUT, "error: results"),
        (PermissionError(13, "Permission denied", "/x"), EXIT_BAD_INPUT, "error: [Errno 13]"),
        (ValueError("line one\nline two"), EXIT_BAD_INPUT, "error: line one line two"),
        (MemoryError(), EXIT_INTERNAL, "internal error: MemoryError: ; details in "),
        (KeyError("x" * 5000), EXIT_INTERNAL, "internal error: KeyError: 'xxx"),
    ],
)
def test_every_exception_becomes_one_line_and_a_status(
    exc: BaseException,
    code: int,
    start: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def body() -> int:
        raise exc

    assert guarded("test", body) == code
    err = _one_line_error(capsys)
    assert err.startswith(start) and len(err) < 500


def test_a_sweep_whose_tasks_fail_exits_1_and_says_how_many(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Issue 18: a sweep whose tasks all failed exited 0.  Here every task is past the run-size budget."""
    f = tmp_path / "s.yaml"
    f.write_text(
        f"scenario: {BASELINE}\nreplications: 2\ndays: 3650\nkpis: [orders]\n"
        "levers: {traffic.channels.direct.sessions_per_day: [150000, 200000]}\n"
    )
    assert main(["sweep", str(f), "--workers", "1", "--out", str(tmp_path / "o")]) == EXIT_INTERNAL
    err = capsys.readouterr().err.rstrip("\n").split("\n")[-1]  # after the progress bar
    assert err.startswith("error: 4 of 4 tasks failed; first: point 0, replication 0: ") and "run size" in err
