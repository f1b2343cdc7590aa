"""Batch reports: run every stage notebook with papermill and write executed notebooks, HTML and an index.

    python -m playbook reports --config data/reports.yaml --params default [--language en] [--out reports/run1]
                               [--scenario data/scenarios/my_store.yaml]

``--language zh|en`` is injected into every notebook as its ``language``
parameter (it wins over a parameter set's); each executed notebook keeps
only its language's narrative cells (``playbook.text.i18n``), and the
index and the lines on the terminal speak the run's language (the first
notebook's: ``run.*`` and ``page.*`` in ``playbook/text/messages.yaml``).

``--scenario PATH`` is injected into every notebook as its ``scenario``
parameter (it wins over a parameter set's): every notebook reads the store as
it is now from its scenario and states its what-ifs relative to it, so the
whole report set runs on any store, a calibrated twin of a real one
(``python -m playbook calibrate``) included.  The file is loaded and
validated before any notebook starts (exit status 2 with the error otherwise).

The configuration (``data/reports.yaml``) lists the notebooks in order and
named parameter sets; a set maps ``all`` (every notebook) and notebook names
to the parameters papermill injects.  Every name is checked against the
notebook's ``parameters`` cell before anything runs (exit status 2 when one
is unknown or of the wrong type).

The run folder is taken only when new or empty, or (with ``--force``) when
it holds a previous report run and nothing else (``sim.outputs.claim``).
Each notebook is executed into a staging folder beside the run folder and
moved into place only when complete (the executed ``.ipynb``, its ``.html``
and its headline ``.json``), so nothing half-written is ever visible.  A
notebook that fails is reported by name and failing cell; its executed
notebook and HTML (which show the error) are kept, the other notebooks still
run, the index marks it, and the run exits with status 1.  ``index.html``
(with ``index.json`` and ``index.md``) is rewritten after every notebook, so
even an interrupted run leaves a complete index of what has finished.  When
every notebook has run, the folder is zipped into ``<run>.zip`` (linked from
the index) for one download.  Executed notebooks keep no temporary path
(:func:`scrub_paths`), and every file and folder gets the usual permissions
(the umask's), not a temporary file's owner-only ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from playbook.report.html import notebook_html, write_index
from playbook.report.notebook import ROOT, repo_path, shown_path
from playbook.report.outcome import Outcome
from playbook.text import i18n, units
from sim.cli_errors import OneLineParser
from sim.errors import OutputError, ScenarioError
from sim.outputs import add_entries, claim, clear, discard, staging, write_manifest
from sim.scenario.definition import load_scenario
from sim.scenario.yaml_strict import load_yaml

ALL = "all"
#: The command named in a run folder's manifest (``sim.outputs``), and the files it writes besides notebooks.
COMMAND = "python -m playbook reports"
INDEX_FILES = ("index.html", "index.md", "index.json")  # and, when the run is over, <run>.zip
EXIT_FAILED, EXIT_BAD_INPUT = 1, 2
#: Parameters the runner injects itself into every notebook.
RUNNER_PARAMETERS = ("headline_file",)
_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


@dataclass(frozen=True)
class Config:
    """The report configuration: notebook folder, notebook names in order, named parameter sets."""

    path: Path
    notebooks_dir: Path
    notebooks: list[str]
    parameter_sets: dict[str, dict[str, dict[str, Any]]]
    jobs: int = 1  #: notebooks run at a time

    def notebook_path(self, name: str) -> Path:
        return self.notebooks_dir / f"{name}.ipynb"

    def parameters(self, set_name: str, notebook: str) -> dict[str, Any]:
        """The parameters of ``notebook`` in set ``set_name``: the set's ``all`` entries, then its own."""
        chosen = self.parameter_sets[set_name]
        return {**chosen.get(ALL, {}), **chosen.get(notebook, {})}


class ConfigError(ValueError):
    """A report configuration that cannot be run: the message names the file, set and notebook."""


def load_config(path: str | os.PathLike) -> Config:
    """Read and check the shape of a report configuration (YAML)."""
    p = Path(path)
    try:
        data = load_yaml(p.read_text(encoding="utf-8"), str(p)) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the report configuration ({exc})") from None
    except ScenarioError as exc:  # the strict reader's one line: file, line, field
        raise ConfigError(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("notebooks"), list) or not data["notebooks"]:
        raise ConfigError(f"{p}: needs a non-empty list 'notebooks'")
    sets = data.get("parameter_sets") or {}
    if not isinstance(sets, dict) or "default" not in sets:
        raise ConfigError(f"{p}: needs a mapping 'parameter_sets' with at least the set 'default'")
    notebooks = [str(n) for n in data["notebooks"]]
    for set_name, entries in sets.items():
        entries = entries or {}
        if not isinstance(entries, dict) or any(not isinstance(v, dict) for v in entries.values()):
            raise ConfigError(f"{p}: parameter set {set_name!r} must map 'all' or notebook names to mappings")
        unknown = sorted(set(entries) - set(notebooks) - {ALL})
        if unknown:
            raise ConfigError(f"{p}: parameter set {set_name!r} names notebooks not in 'notebooks': {unknown}")
        sets[set_name] = entries
    jobs = data.get("jobs", 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"{p}: jobs = {jobs!r}: allowed: an integer >= 1")
    return Config(p, repo_path(data.get("notebooks_dir", "notebooks")), notebooks, sets, jobs)


def check_parameters(config: Config, set_name: str, notebooks: Sequence[str] | None = None) -> list[str]:
    """Problems with set ``set_name``: unknown notebooks or parameters, or values of the wrong type.

    A parameter must exist in the notebook's ``parameters`` cell (read by
    ``papermill.inspect_notebook``) and match the type annotated there.
    """
    import papermill

    if set_name not in config.parameter_sets:
        return [f"{config.path}: no parameter set {set_name!r}; allowed: {sorted(config.parameter_sets)}"]
    problems = []
    for nb in notebooks or config.notebooks:
        path = config.notebook_path(nb)
        if nb not in config.notebooks or not path.is_file():
            problems.append(f"notebook {nb!r}: not in {config.path} or no file {path}")
            continue
        declared = papermill.inspect_notebook(str(path))
        for name, value in config.parameters(set_name, nb).items():
            if name not in declared or name in RUNNER_PARAMETERS:
                problems.append(
                    f"{nb}: parameter set {set_name!r} sets {name!r}, which is not a parameter of the "
                    f"notebook (allowed: {', '.join(n for n in declared if n not in RUNNER_PARAMETERS)})"
                )
                continue
            if name == "language" and value not in i18n.LANGUAGES:
                problems.append(
                    f"{nb}: parameter set {set_name!r} sets language = {value!r}: allowed: {i18n.LANGUAGES}"
                )
                continue
            kind = declared[name]["inferred_type_name"]
            if kind in _TYPES and (not isinstance(value, _TYPES[kind]) or (kind != "bool" and isinstance(value, bool))):
                problems.append(
                    f"{nb}: parameter set {set_name!r} sets {name} = {value!r}, but the notebook declares it {kind}"
                )
    return problems


def notebook_title(path: Path, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The first Markdown heading of a notebook in ``language``, without the '#' marks."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    i18n.keep_language(nb, language)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def _describe_failure(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        first = next((line for line in exc.source.splitlines() if line.strip()), "")
        return (
            f"cell {exc.cell_index} (In [{exc.exec_count}]: {first.strip()[:80]!r}) raised "
            f"{exc.ename}: {exc.evalue}".strip()
        )
    return f"{type(exc).__name__}: {exc}".strip()


#: A kernel that dies while starting has run no cell, so starting it again is safe.  Two kernels
#: started at once (``jobs: 2``) can race for the same ports; seen on a fresh install.
KERNEL_START_RETRIES = 2


def _execute(source: Path, executed: Path, parameters: Mapping[str, Any]) -> None:
    """``papermill.execute_notebook``, started again when the kernel dies before it answers."""
    import papermill

    for attempt in range(KERNEL_START_RETRIES + 1):
        try:
            papermill.execute_notebook(
                str(source),
                str(executed),
                parameters=dict(parameters),
                kernel_name="python3",
                progress_bar=False,
                cwd=str(ROOT),
            )
            return
        except RuntimeError as exc:
            if "before replying to kernel_info" not in str(exc) or attempt == KERNEL_START_RETRIES:
                raise


def _language(params: Mapping[str, Any]) -> str:
    """The language a notebook runs in: its injected ``language`` parameter, else the notebooks' default."""
    return i18n.check_language(params.get("language", i18n.DEFAULT_LANGUAGE))


def run_language(config: Config, set_name: str, names: Sequence[str], language: str | None = None) -> str:
    """The language of the index and the terminal: ``language`` if given, else the first notebook's."""
    if language:
        return i18n.check_language(language)
    return _language(config.parameters(set_name, names[0])) if names else i18n.DEFAULT_LANGUAGE


def _keep_language(executed: Path, language: str) -> None:
    """Drop the executed notebook's narrative cells of the other language (papermill has run them all)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    if i18n.keep_language(nb, language):
        nbformat.write(nb, executed)


def scrub_paths(executed: Path, name: str, source: Path) -> None:
    """Replace the machine's paths papermill recorded in ``executed`` by the names the reader has.

    The runner injects ``headline_file`` pointing into the staging folder,
    and papermill notes the input and output paths in the metadata: all three
    would show a temporary folder (``/home/ana/reports/.run1.x8k2/...``) in
    the stored notebook and its HTML.  They become ``NAME.json`` and
    ``NAME.ipynb`` (the files beside the report in the run folder) and the
    source notebook's path in the repository.
    """
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    headline = f"{name}.json"
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = "\n".join(
                f"headline_file = {headline!r}" if line.startswith("headline_file =") else line
                for line in cell.source.splitlines()
            )
    meta = nb.metadata.get("papermill", {})
    if "headline_file" in meta.get("parameters", {}):
        meta["parameters"]["headline_file"] = headline
    meta["input_path"] = shown_path(source, outside=source.name)
    meta["output_path"] = f"{name}.ipynb"
    nbformat.write(nb, executed)


def run_notebook(config: Config, name: str, params: Mapping[str, Any], out: Path, work: Path, set_name: str) -> Outcome:
    """Execute one notebook into ``work`` and move its .ipynb, .html and .json into ``out``."""
    source = config.notebook_path(name)
    outcome = Outcome(name, notebook_title(source, _language(params)), parameters=dict(params))
    executed, headline = work / f"{name}.ipynb", work / f"{name}.json"
    start = time.perf_counter()
    try:
        _execute(source, executed, {**params, "headline_file": str(headline)})
        outcome.status = "ok"
        outcome.headline = json.loads(headline.read_text(encoding="utf-8")) if headline.is_file() else None
        if outcome.headline is None:
            outcome.status, outcome.error = "failed", "the notebook finished without writing its headline"
    except Exception as exc:  # any failure of one notebook is reported, and the batch goes on
        outcome.status, outcome.error = "failed", _describe_failure(exc)
    outcome.seconds = time.perf_counter() - start
    for suffix in (".html", ".ipynb", ".json"):
        (out / f"{name}{suffix}").unlink(missing_ok=True)  # never leave a previous run's file beside this one
    if executed.is_file():
        _keep_language(executed, _language(params))
        scrub_paths(executed, name, source)
        units.set_language(_language(params))  # the report page's words and numbers (playbook.report.html)
        (work / f"{name}.html").write_text(notebook_html(executed, outcome, set_name), encoding="utf-8")
        for suffix in (".html", ".ipynb", ".json"):
            if (work / f"{name}{suffix}").is_file():
                os.replace(work / f"{name}{suffix}", out / f"{name}{suffix}")
    return outcome


def notebook_parameters(
    config: Config, set_name: str, notebook: str, language: str | None = None, scenario: str | None = None
) -> dict[str, Any]:
    """What papermill injects into ``notebook``: the set's parameters, then ``--language`` and ``--scenario``."""
    injected = {**({"language": language} if language else {}), **({"scenario": scenario} if scenario else {})}
    return {**config.parameters(set_name, notebook), **injected}


def run(
    config: Config,
    set_name: str,
    out: Path,
    only: Sequence[str] | None = None,
    stream: TextIO | None = None,
    jobs: int = 1,
    force: bool = False,
    language: str | None = None,
    scenario: str | None = None,
) -> list[Outcome]:
    """Run the notebooks (all, or ``only``) of ``config`` with parameter set ``set_name`` into ``out``.

    ``jobs`` notebooks run at a time, each in its own process (a kernel's
    start, imports and HTML export then overlap another notebook's
    simulations).  One progress line per notebook goes to ``stream``
    (default: standard output) as it finishes; the index keeps the
    configuration's order and is rewritten after every notebook.

    ``out`` must be new or empty, or hold a previous report run and ``force``
    be given (``sim.outputs.claim``): then the files that run wrote are
    deleted first, and nothing else ever is.  ``language`` ('zh', 'en'), when
    given, is injected into every notebook; None keeps the set's or the notebooks' own.  So is
    ``scenario`` (a YAML path; see :func:`check_scenario`).
    """
    stream = stream or sys.stdout
    names = list(only) if only else list(config.notebooks)
    if claim(out, COMMAND, force=force) == "replace":
        clear(out)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out, COMMAND, INDEX_FILES)
    start, done, work = time.perf_counter(), 0, None
    try:
        chosen = {n: notebook_parameters(config, set_name, n, language, scenario) for n in names}
        outcomes = [
            Outcome(n, notebook_title(config.notebook_path(n), _language(chosen[n])), parameters=chosen[n])
            for n in names
        ]
        shown = run_language(config, set_name, names, language)
        units.set_language(shown)  # the index's and the terminal's words and numbers (playbook.report.html)
        meta: dict[str, Any] = {
            "language": shown,
            "run": out.name,
            "parameter_set": set_name,
            "config": shown_path(config.path),
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "seconds": 0.0,
        }
        work = staging(out)

        def finished(i: int, outcome: Outcome) -> None:
            nonlocal done
            outcomes[i], done = outcome, done + 1
            add_entries(out, COMMAND, (f"{outcome.notebook}{suffix}" for suffix in (".html", ".ipynb", ".json")))
            status = i18n.t(f"page.status_{outcome.status}", shown)
            print(
                i18n.t(
                    "run.progress",
                    shown,
                    done=done,
                    total=len(names),
                    notebook=outcome.notebook,
                    status=status,
                    seconds=outcome.seconds,
                )
                + (f"  {outcome.error}" if outcome.error else ""),
                file=stream,
                flush=True,
            )
            meta["seconds"] = time.perf_counter() - start
            write_index(out, outcomes, meta)

        write_index(out, outcomes, meta)
        if jobs <= 1:
            for i, name in enumerate(names):
                finished(i, run_notebook(config, name, outcomes[i].parameters, out, work, set_name))
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = {
                    pool.submit(run_notebook, config, name, outcomes[i].parameters, out, work, set_name): i
                    for i, name in enumerate(names)
                }
                for future in as_completed(futures):
                    finished(futures[future], future.result())
        meta["zip"] = archive = f"{out.name}.zip"
        add_entries(out, COMMAND, [archive])
        write_index(out, outcomes, meta)
        zip_folder(out, work / archive)
        os.replace(work / archive, out / archive)
    except BaseException:
        if done == 0:  # nothing of this run worth keeping: leave no folder behind that only says it started
            clear(out)
            if created:
                with contextlib.suppress(OSError):
                    out.rmdir()
        raise
    finally:
        if work is not None:
            discard(work)
    return outcomes


def zip_folder(out: Path, target: Path) -> None:
    """Zip every file of the run folder ``out`` (under the folder's name) into ``target``, for one download.

    The zip leaves out itself, the manifest and temporary files (names
    starting with '.'); it gets the usual permissions (0666 less the umask).
    """
    import zipfile

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(out.rglob("*")):
            rel = path.relative_to(out)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts) and rel.name != target.name:
                archive.write(path, f"{out.name}/{rel.as_posix()}")
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(target, 0o666 & ~mask)


def check_scenario(path: str) -> str:
    """The absolute path of scenario file ``path`` (repo-relative allowed) once it loads and validates.

    Raises :class:`ScenarioError` with one line naming the file and, for a
    bad value, the field: checked before any notebook starts, so a typo does
    not cost thirteen failed notebooks.
    """
    resolved = repo_path(path)
    if not resolved.is_file():
        raise ScenarioError(f"--scenario {path}: no such file (a scenario YAML, e.g. data/scenarios/growth.yaml)")
    load_scenario(resolved)
    return str(resolved)


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m playbook reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "data" / "reports.yaml"), help="report configuration (YAML)")
    parser.add_argument("--params", default="default", help="named parameter set of the configuration")
    parser.add_argument("--out", help="output folder (default: reports/<params>-<timestamp>)")
    parser.add_argument("--force", action="store_true", help="replace a previous report run in --out")
    parser.add_argument("--only", nargs="+", metavar="NB", help="run only these notebooks (names without .ipynb)")
    parser.add_argument("--jobs", type=int, help="notebooks run at a time (default: the configuration's 'jobs', 1)")
    parser.add_argument(
        "--language",
        choices=i18n.LANGUAGES,
        help=f"language of the notebooks and the index (default: the parameter set's, else {i18n.DEFAULT_LANGUAGE})",
    )
    parser.add_argument(
        "--scenario",
        metavar="YAML",
        help="scenario every notebook runs on (injected as its 'scenario'; default: the parameter set's)",
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        scenario = check_scenario(args.scenario) if args.scenario else None
    except (ConfigError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    problems = check_parameters(config, args.params, args.only)
    if problems:
        print("error: " + "\n       ".join(problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else ROOT / "reports" / f"{args.params}-{stamp}"
    try:
        claim(out, COMMAND, force=args.force)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    names = args.only or config.notebooks
    language = run_language(config, args.params, names, args.language)
    print(i18n.t("run.start", language, n=len(names), parameter_set=args.params, out=out), flush=True)
    jobs = args.jobs if args.jobs is not None else config.jobs
    if jobs < 1:
        print(f"error: --jobs {jobs}: allowed: an integer >= 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    start = time.perf_counter()
    outcomes = run(
        config, args.params, out, args.only, jobs=jobs, force=args.force, language=args.language, scenario=scenario
    )
    failed = [o for o in outcomes if o.status != "ok"]
    seconds = time.perf_counter() - start
    print(
        i18n.t(
            "run.summary",
            language,
            ok=len(outcomes) - len(failed),
            total=len(outcomes),
            seconds=seconds,
            jobs=jobs,
            index=out / "index.html",
        )
    )
    for o in failed:
        print(i18n.t("run.failed", language, notebook=o.notebook, error=o.error), file=sys.stderr)
    return EXIT_FAILED if failed else 0


if __name__ == "__main__":
    sys.exit(main())
