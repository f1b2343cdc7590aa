"""``python -m playbook COMMAND ...``: the playbook's commands.

    python -m playbook reports --params default [--out reports/run1] [--only 07_after_sales]
    python -m playbook workshop [--out workshop] [--force]
    python -m playbook lab [--port N]
    python -m playbook calibrate EXPORT --format shopify|taobao|csv|cdnow --out data/scenarios/my_store.yaml

Each command is one module's ``main(argv)``; ``python -m playbook COMMAND
--help`` shows its options.  Errors take the one path of ``sim.cli_errors``:
bad input one line and exit 2, an internal error one line, exit 1 and the
traceback in a log file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from sim.cli_errors import guarded


def _reports(argv: Sequence[str]) -> int:
    from playbook.report.runner import main

    return main(argv)


def _calibrate(argv: Sequence[str]) -> int:
    from playbook.analysis.calibrate_command import main

    return main(argv)


def _workshop(argv: Sequence[str]) -> int:
    from playbook.workshop.build import main

    return main(argv)


def _lab(argv: Sequence[str]) -> int:
    from playbook.workshop.lab_server import main

    return main(argv)


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "reports": _reports,
    "calibrate": _calibrate,
    "workshop": _workshop,
    "lab": _lab,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(f"usage: python -m playbook {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    return guarded("playbook", lambda: COMMANDS[args[0]](args[1:]))


if __name__ == "__main__":
    sys.exit(main())
