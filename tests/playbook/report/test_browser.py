"""The report run as a reader sees it: a real run of two notebooks opened in headless Chromium from ``file://``.

Debian's ``chromium`` (installed by ``.ci/install-browser``) driven by
playwright, with the network cut off: every request that is not ``file:``
or ``data:`` is recorded and aborted.  For the index and two reports it
checks that no console error or page error occurs, that nothing outside the
run folder is asked for, that every link resolves to a file of the run,
that "Show code" shows the code, and that Chinese text renders as glyphs
(two different characters draw differently, and unlike a character no
font has), not as identical boxes ("tofu").

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
import shutil
import stat
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from playbook.report import runner
from playbook.report.notebook import QUICK_ENV

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = ("00_start_here", "07_after_sales")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A code point no font draws (unassigned in the Greek block): the browser shows its missing-glyph box.
NO_GLYPH = "\u0378"


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no chromium on PATH: .ci/run must call .ci/install-browser")
    pytest.skip("no chromium on PATH (install it with: sudo .ci/install-browser)")


@pytest.fixture(scope="module")
def shots() -> Path:
    """The folder the screenshots are kept in (each run overwrites its files)."""
    folder = Path(os.environ.get("STORE_PLAYBOOK_TEST_OUTPUT", ROOT / "test-output")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A real report run of NOTEBOOKS in quick mode, two at a time (the index, reports, notebooks and zip)."""
    tmp = tmp_path_factory.mktemp("browser")
    config = tmp / "reports.yaml"
    config.write_text(f"notebooks_dir: {ROOT / 'notebooks'}\nnotebooks: [{', '.join(NOTEBOOKS)}]\n")
    config.write_text(config.read_text() + "parameter_sets:\n  default: {}\n")
    out = tmp / "run"
    mp = pytest.MonkeyPatch()
    mp.setenv(QUICK_ENV, "1")
    with contextlib.redirect_stdout(io.StringIO()) as stdout:
        code = runner.main(["--config", str(config), "--out", str(out), "--jobs", "2"])
    mp.undo()
    assert code == 0, stdout.getvalue()
    return out


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """One page opened from file:// with every request and console message recorded."""

    def __init__(self, browser, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(r"^(?!file:|data:).*"), self._refuse)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri(), wait_until="load")

    def _refuse(self, route) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def glyph(self, char: str) -> bytes:
        """A screenshot of ``char`` alone, 48 px, in the font of the page's first heading."""
        self.page.evaluate(
            """c => { const s = document.createElement('span'); s.id = 'glyph-probe'; s.textContent = c;
            s.style.cssText = 'font-size:48px;position:fixed;left:0;top:0;background:#fff;color:#000;z-index:99';
            const h = document.querySelector('h1'); s.style.fontFamily = getComputedStyle(h).fontFamily;
            document.body.appendChild(s); }""",
            char,
        )
        image = self.page.locator("#glyph-probe").screenshot()
        self.page.evaluate("document.getElementById('glyph-probe').remove()")
        return image

    def close(self) -> None:
        self.context.close()


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


def _assert_chinese_renders(visit: Visit) -> None:
    shou, hou, box = visit.glyph("售"), visit.glyph("后"), visit.glyph(NO_GLYPH)
    assert shou != hou, "two different Chinese characters draw the same: tofu"
    assert shou != box and hou != box, "a Chinese character draws like a missing glyph: tofu"


def test_index_is_offline_with_working_links_and_chinese(browser, run, shots):
    visit = Visit(browser, run / "index.html")
    try:
        visit.page.screenshot(path=str(shots / "index.png"), full_page=True)
        _assert_clean(visit, run)
        linked = _assert_links_resolve(visit, run)
        for name in NOTEBOOKS:
            assert f"{name}.html" in linked and f"{name}.ipynb" in linked
        assert f"{run.name}.zip" in linked
        assert visit.page.locator(".card svg").count() == len(NOTEBOOKS), "one what-if chart per stage"
        assert visit.page.locator(".tile").count() >= 3
        _assert_chinese_renders(visit)
        assert "售后" in visit.page.inner_text("body")
    finally:
        visit.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_report_is_offline_toggles_code_and_renders_chinese(browser, run, shots, name):
    visit = Visit(browser, run / f"{name}.html")
    try:
        visit.page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        _assert_clean(visit, run)
        assert "index.html" in _assert_links_resolve(visit, run)
        code = visit.page.locator(".jp-CodeCell .jp-Cell-inputWrapper")
        assert code.count() > 3 and not any(code.nth(i).is_visible() for i in range(code.count()))
        toggle = visit.page.locator("#toggle-code")
        assert toggle.inner_text() == "Show code"
        toggle.click()
        assert all(code.nth(i).is_visible() for i in range(code.count()))
        assert toggle.inner_text() == "Hide code"
        visit.page.screenshot(path=str(shots / f"{name}-code.png"))
        toggle.click()
        assert not code.first.is_visible()
        assert visit.page.locator(".whatif-summary img").count() >= 1, "the what-if chart is shown"
        _assert_chinese_renders(visit)
    finally:
        visit.close()


def test_nothing_refers_outside_the_run_and_no_temporary_path_is_kept(run):
    staging_prefix = str(run.parent / f".{run.name}.")
    for page in run.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), f"{page.name} loads from the network"
        assert "<script src" not in text, f"{page.name} loads a script"
    for path in [*run.glob("*.ipynb"), *run.glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert staging_prefix not in text, f"{path.name} keeps a temporary path"
    for name in NOTEBOOKS:
        executed = (run / f"{name}.ipynb").read_text(encoding="utf-8")
        assert f"headline_file = '{name}.json'" in executed
        assert "missing from font" not in executed, f"{name}: matplotlib drew a glyph its font lacks (tofu)"
    with zipfile.ZipFile(run / f"{run.name}.zip") as archive:
        names = set(archive.namelist())
    expected = {f"{run.name}/{n}{s}" for n in NOTEBOOKS for s in (".html", ".ipynb", ".json")}
    assert expected | {f"{run.name}/index.html"} <= names and not any("/." in n for n in names)


def test_run_folder_and_files_follow_the_umask(run):
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(run.stat().st_mode) == 0o777 & ~mask
    for path in run.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path.name
