"""``python -m playbook lab``: the Voila command line, its environment and its refusal of a bad port.

The server itself runs in ``tests/playbook/workshop/test_lab.py`` (a real Voila and a real browser).
"""

from __future__ import annotations

import os
import socket

import pytest

from playbook.__main__ import main as playbook_main
from playbook.workshop import lab_server


def test_free_port_can_be_bound_on_localhost() -> None:
    port = lab_server.free_port()
    with socket.socket() as s:
        s.bind((lab_server.HOST, port))  # raises if the port were taken


def test_command_serves_the_lab_notebook_on_localhost_only_without_code_or_browser() -> None:
    cmd = lab_server.command(8866, python="python3")
    assert cmd[:4] == ["python3", "-m", "voila", str(lab_server.NOTEBOOK)] and lab_server.NOTEBOOK.is_file()
    assert {"--no-browser", "--port=8866", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"} <= set(cmd)
    assert "--strip_sources=True" in cmd and f"--template={lab_server.TEMPLATE}" in cmd
    assert (lab_server.TEMPLATES / "voila" / "templates" / lab_server.TEMPLATE / "index.html.j2").is_file()
    assert lab_server.url(8866) == "http://127.0.0.1:8866/"


def test_environment_puts_the_template_and_this_repository_first_and_keeps_the_rest() -> None:
    env = lab_server.environment({"PYTHONPATH": "/elsewhere", "HOME": "/home/x"})
    assert env["PYTHONPATH"] == os.pathsep.join([str(lab_server.ROOT), "/elsewhere"])
    assert env["JUPYTER_PATH"] == str(lab_server.TEMPLATES) and env["HOME"] == "/home/x"


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_a_port_out_of_range_is_refused_in_one_line(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert playbook_main(["lab", "--port", port]) == 2
    out = capsys.readouterr().out.strip()
    assert out == f"error: --port = {port}: allowed: 1-65535, or 0 for a free one"
