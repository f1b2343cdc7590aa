"""The report run as a reader sees it: real runs of two notebooks opened in headless Chromium from ``file://``.

Two report runs in quick mode, side by side (``python -m playbook reports
--language en|zh``, each in its own process): one notebook in English,
another in Chinese, so the test costs about what one run of two notebooks did.  Debian's ``chromium``
(installed by ``.ci/install-browser``) driven by playwright, with the
network cut off: every request that is not ``file:`` or ``data:`` is
recorded and aborted.  For each run's index and report it checks that no
console error or page error occurs, that nothing outside the run folder is
asked for, that every link resolves to a file of the run, that "Show code"
(显示代码) shows the code, that Chinese text renders as glyphs (two
different characters draw differently, and unlike a character no font has),
not as identical boxes ("tofu"), and that the Chinese run's pages and
terminal lines read as Chinese.

Screenshots of every page are written to ``test-output/browser/`` in the
repository (git-ignored; ``STORE_PLAYBOOK_TEST_OUTPUT`` moves it), so a
person can look at what the test saw.  Without chromium the test is
skipped on a developer's machine, and fails in CI (``CI=true``), where
``.ci/run`` must have installed it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from playbook.report import runner
from playbook.report.notebook import QUICK_ENV
from playbook.text import i18n
from tests.playbook.browser import Visit, assert_chinese_renders, assert_reads_as

ROOT = Path(__file__).resolve().parents[3]
#: The notebook each language's run executes.
NOTEBOOKS = {"en": "00_start_here", "zh": "07_after_sales"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Per language, a real report run of its notebook in quick mode and what it printed; both runs at once."""
    tmp = tmp_path_factory.mktemp("browser")
    config = tmp / "reports.yaml"
    config.write_text(
        f"notebooks_dir: {ROOT / 'notebooks'}\nnotebooks: [{', '.join(NOTEBOOKS.values())}]\n"
        "parameter_sets:\n  default: {}\n"
    )

    def arguments(language: str) -> list[str]:
        only = ["--only", NOTEBOOKS[language], "--language", language]
        return ["--config", str(config), "--out", str(tmp / language), *only]

    mp = pytest.MonkeyPatch()
    mp.setenv(QUICK_ENV, "1")
    try:
        with ProcessPoolExecutor(max_workers=len(NOTEBOOKS)) as pool:
            done = {language: pool.submit(_report, arguments(language)) for language in NOTEBOOKS}
            results = {language: future.result() for language, future in done.items()}
    finally:
        mp.undo()
    for code, printed in results.values():
        assert code == 0, printed
    return {language: (tmp / language, results[language][1]) for language in NOTEBOOKS}


def _report(arguments: list[str]) -> tuple[int, str]:
    """``python -m playbook reports ARGUMENTS`` in this (worker) process: its exit status and what it printed."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        code = runner.main(arguments)
    return code, printed.getvalue()


def _links(visit: Visit) -> list[str]:
    return visit.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")


def _assert_clean(visit: Visit, run: Path) -> None:
    assert not visit.outside, f"requests outside file://: {visit.outside}"
    assert not visit.errors, f"console errors: {visit.errors}"
    for url in visit.requests:
        assert url.startswith(("file:", "data:")), url
        if url.startswith("file:"):
            assert Path(unquote(urlparse(url).path)).resolve().is_relative_to(run.resolve()), url


def _assert_links_resolve(visit: Visit, run: Path) -> list[str]:
    names = []
    for href in _links(visit):
        parsed = urlparse(href)
        assert parsed.scheme == "file", f"link outside the run folder: {href}"
        target = Path(unquote(parsed.path))
        assert target.resolve().is_relative_to(run.resolve()) and target.is_file(), f"broken link: {href}"
        if parsed.fragment and target == Path(unquote(urlparse(visit.page.url).path)):
            # as a browser looks for it: the fragment as written, then percent-decoded (HTML's indicated element)
            found = visit.page.evaluate(
                "ids => ids.some(id => document.getElementById(id) !== null)",
                [parsed.fragment, unquote(parsed.fragment)],
            )
            assert found, f"no anchor #{parsed.fragment} on the page"
        names.append(target.name)
    return names


@pytest.mark.parametrize("language", NOTEBOOKS)
def test_index_is_offline_with_working_links_and_chinese(browser, runs, shots, language):
    run, printed = runs[language]
    name = NOTEBOOKS[language]
    visit = Visit(browser, (run / "index.html").as_uri())
    try:
        visit.page.screenshot(path=str(shots / f"index-{language}.png"), full_page=True)
        _assert_clean(visit, run)
        linked = _assert_links_resolve(visit, run)
        assert f"{name}.html" in linked and f"{name}.ipynb" in linked and f"{run.name}.zip" in linked
        assert visit.page.locator(".card svg").count() == 1, "one what-if chart per stage"
        assert visit.page.locator(".tile").count() >= 3
        assert visit.page.locator("h1").inner_text() == i18n.t("page.index_title", language)
        assert_chinese_renders(visit)
        assert_reads_as(visit, language)
    finally:
        visit.close()
    lines = printed.strip().splitlines()  # the terminal's lines: start, progress, summary
    assert lines[0] == i18n.t("run.start", language, n=1, parameter_set="default", out=run), printed
    assert re.search(re.escape(f"] {name} ") + r"\s*" + re.escape(i18n.t("page.status_ok", language)), printed)
    assert str(run / "index.html") in lines[-1] and bool(CJK.search(lines[-1])) == (language == "zh"), printed
    assert (run / "index.md").read_text(encoding="utf-8").startswith(i18n.t("page.md_header", language))


@pytest.mark.parametrize("language", NOTEBOOKS)
def test_report_is_offline_toggles_code_and_renders_chinese(browser, runs, shots, language):
    run, _ = runs[language]
    name = NOTEBOOKS[language]
    visit = Visit(browser, (run / f"{name}.html").as_uri())
    try:
        visit.page.screenshot(path=str(shots / f"{name}-{language}.png"), full_page=True)
        _assert_clean(visit, run)
        assert "index.html" in _assert_links_resolve(visit, run)
        code = visit.page.locator(".jp-CodeCell .jp-Cell-inputWrapper")
        assert code.count() > 3 and not any(code.nth(i).is_visible() for i in range(code.count()))
        toggle = visit.page.locator("#toggle-code")
        assert toggle.inner_text() == i18n.t("page.show_code", language)
        toggle.click()
        assert all(code.nth(i).is_visible() for i in range(code.count()))
        assert toggle.inner_text() == i18n.t("page.hide_code", language)
        visit.page.screenshot(path=str(shots / f"{name}-{language}-code.png"))
        toggle.click()
        assert not code.first.is_visible()
        assert visit.page.locator(".whatif-summary img").count() >= 1, "the what-if chart is shown"
        assert_chinese_renders(visit)
        assert_reads_as(visit, language)
    finally:
        visit.close()


@pytest.mark.parametrize("language", NOTEBOOKS)
def test_nothing_refers_outside_the_run_and_no_temporary_path_is_kept(runs, language):
    run, _ = runs[language]
    name = NOTEBOOKS[language]
    staging_prefix = str(run.parent / f".{run.name}.")
    for page in run.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), f"{page.name} loads from the network"
        assert "<script src" not in text, f"{page.name} loads a script"
    for path in [*run.glob("*.ipynb"), *run.glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert staging_prefix not in text, f"{path.name} keeps a temporary path"
    executed = (run / f"{name}.ipynb").read_text(encoding="utf-8")
    assert f"headline_file = '{name}.json'" in executed
    assert "missing from font" not in executed, f"{name}: matplotlib drew a glyph its font lacks (tofu)"
    with zipfile.ZipFile(run / f"{run.name}.zip") as archive:
        names = set(archive.namelist())
    expected = {f"{run.name}/{name}{s}" for s in (".html", ".ipynb", ".json")}
    assert expected | {f"{run.name}/index.html"} <= names and not any("/." in n for n in names)


def test_run_folder_and_files_follow_the_umask(runs):
    run, _ = runs["zh"]
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(run.stat().st_mode) == 0o777 & ~mask
    for path in run.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path.name
