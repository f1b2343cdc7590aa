"""The install files agree with each other and with the README's two commands."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import ROOT


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: {line!r} is not pinned with =="
            pins[name.lower()] = version
    return pins


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and dep not in ("pip",) and not dep.startswith("python="):
            name, _, version = dep.partition("=")
            pins[name.lower()] = version
    return pins


def test_environment_yml_lists_the_same_packages_and_versions_as_requirements():
    assert _conda() == _requirements()


def test_pyproject_dependencies_are_all_pinned_in_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~ \[]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert names <= set(_requirements()), names - set(_requirements())


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    head = readme[:1500]
    assert "make reports" in head and "make test" in head
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and ci.index("make lint") < ci.index("make test")  # lint and types first
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^reports:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_make_test_has_a_coverage_floor_and_make_lint_runs_the_three_checks():
    makefile = (ROOT / "Makefile").read_text()
    test = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "--cov" in test and "--cov-fail-under=90" in test
    cov = next(line for line in test.splitlines() if "--cov" in line)
    assert "STORE_SIM_PURE=1" in cov  # coverage reads the engine's source, not its compiled modules
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "ruff check" in lint and "ruff format --check" in lint and "mypy sim playbook" in lint
    tools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    assert tools["coverage"]["run"]["source"] == ["sim", "playbook"] and tools["mypy"]["disallow_untyped_defs"]
    assert {"ruff", "mypy", "pytest-cov"} <= set(_requirements())
