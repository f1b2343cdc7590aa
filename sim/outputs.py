"""Output folders and files that never lose a user's work.

Every command that writes a folder (``python -m sim run --out``,
``python -m sim sweep --out``, ``python -m playbook reports --out``) asks
``claim`` first.  A folder is taken only when it is new or empty, or when it
holds a previous output of the *same* command - recognised by the manifest
(``MANIFEST``) the project writes there, listing every entry it wrote - and
the user said ``--force`` (replace it) or ``--resume`` (continue it).  A
folder with anything the manifest does not list is never taken, and the
working folder, its parents, the home folder, a repository root and the
file-system root are always refused.  Say a user types ``--out .`` in a
folder of their own notes: the command stops with one line naming the
folder, before it has written or deleted anything.

Whole-folder outputs are written into a staging folder beside the target
(``staging``) and put in place by ``publish`` with renames, so a failed run
leaves nothing half-written; ``write_text_atomic`` does the same for one file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

from sim.errors import OutputError

#: The file in every output folder that says which command wrote it and what.
MANIFEST = ".store-playbook.json"

#: This project's own source tree: never an output folder.
PROJECT_ROOT = Path(__file__).resolve().parents[1]

Mode = Literal["new", "replace", "resume"]


def _protected(target: Path) -> str | None:
    """Why ``target`` (resolved) may never be an output folder, or None."""
    cwd = Path.cwd().resolve()
    if target == cwd:
        return "it is the working folder"
    if target in cwd.parents:
        return "it holds the working folder"
    if target == Path.home().resolve():
        return "it is the home folder"
    if target == Path(target.anchor):
        return "it is the root of the file system"
    if target == PROJECT_ROOT or (target / ".git").exists():
        return "it is a repository root"
    return None


def read_manifest(out: Path) -> dict | None:
    """The manifest of ``out``, or None when there is none (or it is not ours)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("command"), str)
        or not isinstance(data.get("entries"), list)
    ):
        return None
    return data


def claim(out: str | Path, command: str, *, force: bool = False, resume: bool | None = None) -> Mode:
    """Check that ``command`` may write the folder ``out``; say how: 'new', 'replace' or 'resume'.

    ``resume`` is None for a command that cannot resume.  Raises
    ``OutputError`` (one line: the folder, why, and what to do) when the
    folder is protected, is a file, holds anything this project did not
    write, holds another command's output, or holds this command's output
    and neither ``force`` nor ``resume`` was given.
    """
    path = Path(out)
    target = path.resolve()
    why = _protected(target)
    if why:
        raise OutputError(f"--out {path}: refused, {why}; choose a new folder, e.g. results/run1")
    if not target.exists():
        return "new"
    if not target.is_dir():
        raise OutputError(f"--out {path}: refused, it is a file; choose a new folder")
    present = {p.name for p in target.iterdir()}
    if not present:
        return "new"
    manifest = read_manifest(target)
    if manifest is None:
        shown = sorted(present)[0]
        raise OutputError(
            f"--out {path}: refused, it holds files this project did not write (e.g. {shown!r}); "
            f"choose a new or empty folder"
        )
    if manifest["command"] != command:
        raise OutputError(
            f"--out {path}: refused, it holds the output of '{manifest['command']}', "
            f"not of '{command}'; choose another folder"
        )
    ours = set(manifest["entries"]) | {MANIFEST}
    foreign = sorted(n for n in present - ours if not _temporary_of(n, ours))
    if foreign:
        raise OutputError(
            f"--out {path}: refused, it holds {foreign[0]!r}, which '{command}' did not write; "
            f"move it away or choose another folder"
        )
    if resume:
        return "resume"
    if force:
        return "replace"
    hint = "pass --force to replace it" + (" or --resume to continue it" if resume is not None else "")
    raise OutputError(f"--out {path}: it holds a previous output of '{command}': {hint}, or choose another folder")


def _temporary_of(name: str, entries: set[str]) -> bool:
    """Whether ``name`` is a temporary ``.<entry>.<anything>`` left by an interrupted write of a listed entry."""
    return any(name.startswith(f".{e}.") for e in entries)


def write_manifest(folder: Path, command: str, entries: Iterable[str]) -> None:
    """Record (atomically) that ``command`` wrote ``entries`` (names directly inside ``folder``)."""
    listed = sorted({e for e in entries if e != MANIFEST})
    write_text_atomic(folder / MANIFEST, json.dumps({"command": command, "entries": listed}, indent=2) + "\n")


def add_entries(folder: Path, command: str, entries: Iterable[str]) -> None:
    """Add ``entries`` to the manifest of ``folder`` (an output being written piece by piece)."""
    manifest = read_manifest(folder)
    write_manifest(folder, command, [*(manifest["entries"] if manifest else []), *entries])


def staging(out: Path) -> Path:
    """A new empty folder beside ``out`` to write a whole output into before ``publish``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    _usual_mode(tmp, 0o777)
    return tmp


def publish(tmp: Path, out: Path, command: str) -> Path:
    """Put the finished folder ``tmp`` in place as ``out`` (after ``claim``), with its manifest.

    A previous output of the same command in ``out`` (which ``claim``
    allowed to be replaced) is renamed aside first and deleted only once the
    new one is in place; an empty ``out`` is replaced by the rename itself.
    """
    write_manifest(tmp, command, (p.name for p in tmp.iterdir()))
    old = None
    if out.exists() and any(out.iterdir()):
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        os.replace(out, old / out.name)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old)
    return out


def discard(tmp: Path) -> None:
    """Remove a staging folder after a failure (what it held was never published)."""
    shutil.rmtree(tmp, ignore_errors=True)


def clear(out: Path) -> None:
    """Delete the entries the manifest of ``out`` lists (after ``claim`` said 'replace'), and the manifest."""
    manifest = read_manifest(out)
    if manifest is None:
        return
    for name in manifest["entries"]:
        entry = out / name
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)


def _usual_mode(path: Path, full: int) -> None:
    """Give ``path`` the permissions a plain create would (``full`` less the umask), not owner-only."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, full & ~mask)


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it there: readers see all or nothing.

    The one atomic write of the project (text, JSON, YAML, parquet).  The
    temporary is named ``.<name>.<random>``, which ``claim`` recognises as
    an interrupted write of a listed entry; it is removed if ``write``
    fails.  The file gets the usual permissions (0666 less the umask), not
    the owner-only ones of a temporary file.  Say a sweep writes
    ``orders.parquet`` and the machine stops mid-write: the old file (or
    none) is still there, never half a table.
    """
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        _usual_mode(tmp, 0o666)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` with :func:`write_atomic`."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
