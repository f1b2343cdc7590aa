"""``python -m playbook lab`` (``make lab``): serve the no-code lab page with Voila, on this machine only.

A facilitator types ``make lab`` on the workshop laptop; the terminal
prints ``lab: http://127.0.0.1:41237/`` and participants who do not code
open that address: Voila runs ``lab.ipynb`` (beside this module) in a
fresh kernel per visitor and shows its widgets with no code
(:mod:`playbook.workshop.lab` draws the page).  The server listens on
127.0.0.1 only, on a port that was free a moment before (or ``--port``);
Voila may not move to another port, so the printed address is the real one.
Voila's page loads its scripts and styles from the server itself, never
from the internet, so the lab works offline.  Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

#: The notebook Voila serves.
NOTEBOOK = Path(__file__).with_name("lab.ipynb")
#: Only this machine can open the page.
HOST = "127.0.0.1"
#: A Jupyter data folder holding ``voila/templates/lab-offline``: Voila's lab template minus its CDN links.
TEMPLATES = Path(__file__).parent
TEMPLATE = "lab-offline"
#: Seconds Voila gets to stop its kernels after Ctrl-C before it is terminated.
STOP_SECONDS = 15
#: The repository root: the page's kernel imports sim and playbook from here, as the server does.
ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def url(port: int) -> str:
    """The address of the lab page on ``port``."""
    return f"http://{HOST}:{port}/"


def command(port: int, python: str = sys.executable) -> list[str]:
    """The Voila command line: ``lab.ipynb`` on ``HOST:port``, no browser opened, code cells stripped."""
    return [
        python,
        "-m",
        "voila",
        str(NOTEBOOK),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        f"--template={TEMPLATE}",
        "--theme=light",
    ]


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the offline template and this repository first on the
    Jupyter and Python paths, so the page runs the code beside this file even where another checkout is installed."""
    env = dict(os.environ if base is None else base)
    for name, folder in (("JUPYTER_PATH", TEMPLATES), ("PYTHONPATH", ROOT)):
        env[name] = os.pathsep.join([str(folder), *filter(None, [env.get(name)])])
    return env


def _hear_ctrl_c() -> None:
    """In Voila's process, before it starts: Ctrl-C (SIGINT) stops it.

    An ignored SIGINT is inherited across ``exec`` - from ``nohup``, from a
    test runner's worker, from a shell's background job - and Python then
    leaves it ignored, so the lab would never stop on Ctrl-C.  ``main`` makes
    the same repair in its own process.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m playbook lab [--port N]``; runs until Ctrl-C, returns Voila's exit status."""
    parser = argparse.ArgumentParser(prog="python -m playbook lab", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"error: --port = {args.port}: allowed: 1-65535, or 0 for a free one")
        return 2
    port = args.port or free_port()
    print(f"lab: {url(port)}  (Ctrl-C stops it)", flush=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with subprocess.Popen(command(port), env=environment(), preexec_fn=_hear_ctrl_c) as server:
        try:
            return server.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Voila too: give it time to stop the page's kernels
            try:
                server.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                server.terminate()
            return 0
