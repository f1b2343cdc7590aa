"""The stage notebooks: committed clean and parameterised, and their parameters really drive the results.

nbval (``make test``) executes every notebook; these tests check what nbval
does not: the shape of each notebook file, that the report configuration
only names parameters that exist, that a parameter injected by papermill
changes the numbers the notebook records, and that every notebook speaks
both languages (paired ``lang-en`` / ``lang-zh`` narrative, a ``language``
parameter) and a Chinese run reads as Chinese.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import papermill
import pytest

from playbook.report import runner
from playbook.report.notebook import QUICK_ENV
from playbook.report.runner import RUNNER_PARAMETERS, check_parameters, load_config
from playbook.text import i18n
from sim.scenario.definition import load_scenario

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = load_config(ROOT / "data" / "reports.yaml")
CJK = re.compile(r"[\u4e00-\u9fff]+")
#: Chinese characters and full-width punctuation, and Latin letters: the two scripts a report is written in.
CODE = re.compile(r"`[^`]*`")
HAN, LATIN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"), re.compile(r"[A-Za-z]")
#: Parameters every stage notebook has, so that a parameter set's `all` entry can set them.
COMMON = {"scenario", "seed", "days", "replications", "workers", "language", "headline_file"}


def _ids(paths):
    return [p.stem for p in paths]


def test_config_lists_exactly_the_notebooks_in_the_folder():
    assert [p.stem for p in NOTEBOOKS] == sorted(CONFIG.notebooks)
    assert len(CONFIG.notebooks) == 14


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_clean_with_kernelspec_and_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: stored output in {cell.id}"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def _narrative(nb, language: str) -> list[str]:
    return [c.source for c in nb.cells if i18n.TAG.format(language) in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_narrative_comes_in_pairs_one_english_and_one_chinese_cell(path):
    """Every Markdown cell is tagged with its language and followed by its twin, so the runner can keep one."""
    nb = nbformat.read(path, as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    # other tags ride along (``exercise``: a workshop task, see playbook.report.exercises); the language pairs
    tags = [tuple(t for t in c.metadata.get("tags", []) if t.startswith("lang-")) for c in markdown]
    assert tags == [("lang-en",), ("lang-zh",)] * (len(markdown) // 2), f"{path.name}: markdown cells not paired"
    for i, cell in enumerate(nb.cells):
        if "lang-en" in cell.metadata.get("tags", []):
            assert "lang-zh" in nb.cells[i + 1].metadata.get("tags", []), f"{path.name}: cell {i} has no twin after it"
    english, chinese = _narrative(nb, "en"), _narrative(nb, "zh")
    heading = english[0].splitlines()[0]
    found = [m for text in english for m in CJK.findall(text)]
    assert found and found == CJK.findall(heading), (
        f"{path.name}: English cells carry Chinese only in the heading (the guide's title); found {found}"
    )
    assert "(" in heading and CJK.findall(heading)[-1] in chinese[0].splitlines()[0], f"{path.name}: titles differ"
    assert all(
        text.count("\n## ") + text.startswith("## ") == zh.count("\n## ") + zh.startswith("## ")
        for text, zh in zip(english, chinese, strict=True)
    ), f"{path.name}: headings of a pair differ"
    assert "try this" in "\n".join(english).lower() and "动手试试" in "\n".join(chinese)
    for text in chinese:
        words = CODE.sub("", text)  # parameter names and code stay as they are in both languages
        han, latin = len(HAN.findall(words)), len(LATIN.findall(words))
        assert han > latin, f"{path.name}: a Chinese cell is mostly Latin ({han} vs {latin}): {text[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_parameter_is_typed_documented_and_seen_by_papermill(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = [node.target.id for node in ast.parse(cell.source).body if isinstance(node, ast.AnnAssign)]
    statements = [node for node in ast.parse(cell.source).body]
    assert len(assigned) == len(statements), f"{path.name}: every parameter line is `name: type = value  # help`"
    declared = papermill.inspect_notebook(str(path))
    assert list(declared) == assigned, f"{path.name}: papermill cannot parse some lines (no '=' in comments)"
    for name, info in declared.items():
        assert info["inferred_type_name"] in ("int", "float", "str", "bool"), f"{path.name}: {name} type"
        assert len(info["help"]) > 10, f"{path.name}: parameter {name} needs a comment with its unit and meaning"
    assert COMMON <= set(declared), f"{path.name} lacks {COMMON - set(declared)}"
    assert declared["language"]["default"] == repr(i18n.DEFAULT_LANGUAGE).replace("'", '"'), (
        f"{path.name}: language defaults to {declared['language']['default']}, not {i18n.DEFAULT_LANGUAGE}"
    )


@pytest.mark.parametrize("set_name", sorted(CONFIG.parameter_sets))
def test_parameter_sets_name_only_existing_parameters(set_name):
    assert check_parameters(CONFIG, set_name) == []


#: What a parameter set may choose besides the notebooks' what-if sizes: the store (a scenario file), the run's size
#: and horizon, its language.  The store as it is now is read from the scenario, never restated in a set.
RUN_CHOICES = COMMON | {"analysis_days", "holdout_days"}


@pytest.mark.parametrize("set_name", ["growth", "china"])
def test_scenario_sets_name_their_store_and_restate_none_of_its_values(set_name):
    """The growth and china sets name a scenario and choose horizon, replications and language: nothing else.

    Before issue 17 they repeated growth.yaml's agents, pickers and page quality and china_store.yaml's prices in
    CNY; a value of the store restated in a set goes stale the day the scenario changes.
    """
    chosen = {nb: CONFIG.parameters(set_name, nb) for nb in CONFIG.notebooks}
    assert all(params["scenario"].startswith("data/scenarios/") for params in chosen.values())
    extra = {nb: sorted(set(params) - RUN_CHOICES) for nb, params in chosen.items() if set(params) - RUN_CHOICES}
    assert extra == {}, f"{set_name} restates store-level parameters: {extra}"


def test_check_parameters_catches_unknown_names_and_wrong_types(tmp_path):
    bad = tmp_path / "reports.yaml"
    bad.write_text(
        f"notebooks_dir: {ROOT / 'notebooks'}\nnotebooks: [07_after_sales]\nparameter_sets:\n"
        "  default: {}\n  typo: {07_after_sales: {agentz: 2, days: 'ninety'}}\n"
    )
    problems = check_parameters(load_config(bad), "typo")
    assert len(problems) == 2
    assert "agentz" in problems[0] and "extra_agents" in problems[0]
    assert "days = 'ninety'" in problems[1] and "int" in problems[1]
    assert RUNNER_PARAMETERS == ("headline_file",)


def _headline(tmp_path, name: str, **params) -> dict:
    out = tmp_path / f"{name}.json"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "07_after_sales.ipynb"),
        str(tmp_path / f"{name}.ipynb"),
        parameters={**params, "headline_file": str(out)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT),
    )
    return json.loads(out.read_text())


def test_injected_scenario_is_the_store_now_and_changes_the_recorded_result(tmp_path, monkeypatch):
    """07 reads its desk from the injected scenario: a store whose AI assistant answers 90% of tickets waits less.

    The recorded mean wait of the store now must fall to under half; a rerun repeats it exactly.
    """
    monkeypatch.setenv(QUICK_ENV, "1")
    base = load_scenario(ROOT / "data" / "scenarios" / "baseline.yaml")
    stores = {}
    for share in (0.0, 0.9):
        stores[share] = tmp_path / f"ai_{share}.yaml"
        stores[share].write_text(base.with_overrides({"service.ai_share": share}).to_yaml())
    low = _headline(tmp_path, "low", scenario=str(stores[0.0]), seed=3)
    high = _headline(tmp_path, "high", scenario=str(stores[0.9]), seed=3)
    wait = {
        share: next(k["value"] for k in h["kpis"] if k["kpi"] == "first_response_mean_hours")
        for share, h in ((0.0, low), (0.9, high))
    }
    assert wait[0.9] < 0.5 * wait[0.0]
    assert low["overrides"] == {} and low["scenario_path"] == str(stores[0.0].resolve())
    assert low["seed"] == high["seed"] == 3 and low["quick"] and low["days"] == 30
    again = _headline(tmp_path, "again", scenario=str(stores[0.0]), seed=3)
    assert again["kpis"] == low["kpis"] and again["whatifs"] == low["whatifs"], "same parameters, other numbers"


def test_a_chinese_report_reads_as_chinese(tmp_path, monkeypatch):
    """``--language zh``: the executed notebook keeps only Chinese narrative, and prints and explains in Chinese.

    Han characters must outnumber Latin letters in the narrative by far and in the printed output too
    (numbers, units, version strings and the scenario's channel names stay Latin); the index is Chinese.
    """
    monkeypatch.setenv(QUICK_ENV, "1")
    out = tmp_path / "zh"
    code = runner.main(["--only", "07_after_sales", "--language", "zh", "--out", str(out), "--jobs", "1"])
    assert code == 0
    nb = nbformat.read(out / "07_after_sales.ipynb", as_version=4)
    assert not _narrative(nb, "en") and _narrative(nb, "zh")
    markdown = "".join(_narrative(nb, "zh"))
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stdout"
    )
    for text, share in ((markdown, 0.75), (printed, 0.6)):
        han, latin = len(HAN.findall(text)), len(LATIN.findall(text))
        assert han / (han + latin) > share, f"{han} Han vs {latin} Latin in {text[:200]!r}"
    assert "平均首次响应时长" in printed and "置信区间" in printed
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in index and "第 7 阶段" in index and "核心指标" in index and "各阶段" in index
    headline = json.loads((out / "07_after_sales.json").read_text(encoding="utf-8"))
    assert headline["language"] == "zh" and all(CJK.search(w["conclusion"]) for w in headline["whatifs"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_message_a_notebook_prints_is_in_the_catalogue(path):
    """``tr("key", ...)`` in a notebook reads ``<section>.key`` of the catalogue: each must exist, in both languages."""
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    section = re.search(r'i18n\.translator\(language, "(\w+)"\)', code)
    assert section, f"{path.name}: no translator for its section"
    keys = set(re.findall(r'\btr\(\s*"(\w+)"', code))
    missing = sorted(k for k in keys if not i18n.has(f"{section[1]}.{k}"))
    assert keys and not missing, f"{path.name}: messages not in {i18n.CATALOGUE.name}: {missing}"
