"""Output folders never lose a user's files (``sim.outputs``), whichever command points at them.

Each test puts a file of the user's in a folder, points a real command at it
(``python -m sim run``, ``python -m sim sweep``, ``python -m playbook reports``)
and checks the command refuses with one line and exit status 2, and that the
user's file is still there, unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playbook.report import runner
from sim.cli import main
from sim.errors import OutputError
from sim.outputs import MANIFEST, claim, publish, staging, write_text_atomic

ROOT = Path(__file__).resolve().parents[2]
BASELINE = str(ROOT / "data" / "scenarios" / "baseline.yaml")
RUN = ["run", BASELINE, "--days", "3", "--seed", "1"]


def users_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "notes.txt").write_text("my own notes")
    return path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_run_refuses_the_working_folder_and_leaves_its_files(tmp_path, monkeypatch, capsys):
    folder = users_folder(tmp_path / "work")
    monkeypatch.chdir(folder)
    assert main([*RUN, "--out", "."]) == 2
    assert "it is the working folder" in one_error_line(capsys)
    assert main([*RUN, "--out", ".", "--force"]) == 2
    assert (folder / "notes.txt").read_text() == "my own notes"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("where", ["parent", "home", "repository"])
def test_protected_folders_are_refused_even_when_empty(tmp_path, monkeypatch, where):
    work = tmp_path / "home" / "project"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    target = {"parent": work.parent.parent, "home": tmp_path / "home", "repository": repo}[where]
    with pytest.raises(OutputError, match="refused"):
        claim(target, "python -m sim run", force=True)


def test_run_refuses_a_folder_with_a_users_file_even_with_force(tmp_path, capsys):
    folder = users_folder(tmp_path / "mine")
    assert main([*RUN, "--out", str(folder), "--force"]) == 2
    assert "'notes.txt'" in one_error_line(capsys)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_a_previous_run_is_replaced_only_with_force(tmp_path, capsys):
    out = tmp_path / "run1"
    assert main([*RUN, "--out", str(out)]) == 0
    first = json.loads((out / "kpis.json").read_text())
    assert json.loads((out / MANIFEST).read_text())["command"] == "python -m sim run"
    capsys.readouterr()
    assert main([*RUN, "--out", str(out)]) == 2
    assert "--force" in one_error_line(capsys)
    assert main([*RUN[:-1], "2", "--out", str(out), "--force"]) == 0
    assert json.loads((out / "kpis.json").read_text()) != first  # seed 2 replaced seed 1
    # A file the user dropped into the run folder makes it theirs: never replaced.
    (out / "analysis.xlsx").write_text("user's")
    assert main([*RUN, "--out", str(out), "--force"]) == 2
    assert (out / "analysis.xlsx").read_text() == "user's"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging debris beside it


def test_another_commands_output_is_refused(tmp_path):
    out = tmp_path / "o"
    tmp = staging(out)
    (tmp / "index.html").write_text("<p>")
    publish(tmp, out, "python -m playbook reports")
    with pytest.raises(OutputError, match="output of 'python -m playbook reports'"):
        claim(out, "python -m sim run", force=True)


def test_a_temporary_left_by_an_interrupted_write_counts_as_ours(tmp_path):
    out = tmp_path / "o"
    tmp = staging(out)
    (tmp / "results.parquet").write_text("x")
    publish(tmp, out, "python -m sim sweep")
    (out / ".results.parquet.tmp").write_text("half")
    assert claim(out, "python -m sim sweep", resume=True) == "resume"
    (out / ".other.tmp").write_text("?")
    with pytest.raises(OutputError, match="'.other.tmp'"):
        claim(out, "python -m sim sweep", resume=True)


def test_sweep_refuses_a_users_folder_even_to_resume(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(f"scenario: {BASELINE}\nreplications: 1\ndays: 2\nkpis: [orders]\nlevers: {{service.agents: [1]}}\n")
    folder = users_folder(tmp_path / "mine")
    assert main(["sweep", str(f), "--workers", "1", "--out", str(folder), "--resume"]) == 2
    assert "did not write" in one_error_line(capsys)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    out = tmp_path / "sw"
    assert main(["sweep", str(f), "--workers", "1", "--out", str(out)]) == 0
    assert main(["sweep", str(f), "--workers", "1", "--out", str(out), "--force"]) == 0
    assert "ran 1 tasks now" in capsys.readouterr().out


def test_reports_refuse_a_users_folder_before_running_anything(tmp_path, capsys):
    folder = users_folder(tmp_path / "mine")
    code = runner.main(["--params", "default", "--only", "00_start_here", "--out", str(folder)])
    assert code == runner.EXIT_BAD_INPUT
    assert "did not write" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_atomic_text_gets_the_usual_permissions(tmp_path):
    import os

    target = tmp_path / "a.txt"
    write_text_atomic(target, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert target.read_text() == "x" and (target.stat().st_mode & 0o777) == 0o666 & ~mask
