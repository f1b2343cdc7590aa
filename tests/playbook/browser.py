"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by playwright, with the network cut off.

``.ci/install-browser`` installs chromium and fonts-noto-cjk; playwright never downloads a browser.
The report test (``tests/playbook/report/test_browser.py``) opens pages from ``file://``, the lab test
(``tests/playbook/workshop/test_lab.py``) from a Voila server on 127.0.0.1; a :class:`Visit` records
every request and aborts those its ``allowed`` pattern does not match, and records console errors.
The fixtures ``browser`` and ``shots`` live in ``tests/playbook/conftest.py``.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A code point no font draws (unassigned in the Greek block): the browser shows its missing-glyph box.
NO_GLYPH = "\u0378"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def chromium() -> str:
    """The chromium executable; skip without it on a developer's machine, fail in CI (``CI=true``)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no chromium on PATH: .ci/run must call .ci/install-browser")
    pytest.skip("no chromium on PATH (install it with: sudo .ci/install-browser)")


class Visit:
    """One page opened at ``url`` with every request and console message recorded.

    Requests whose URL does not start with a match of ``allowed`` (a regular
    expression) are recorded in ``outside`` and aborted, so a page that reaches for the internet fails its test
    instead of hanging on it.
    """

    def __init__(self, browser, url: str, allowed: str = "file:|data:") -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(rf"^(?!(?:{allowed})).*"), self._refuse)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="load")

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


def assert_chinese_renders(visit: Visit) -> None:
    """Chinese draws as glyphs: two different characters differ, and neither looks like a missing glyph (tofu)."""
    shou, hou, box = visit.glyph("售"), visit.glyph("后"), visit.glyph(NO_GLYPH)
    assert shou != hou, "two different Chinese characters draw the same: tofu"
    assert shou != box and hou != box, "a Chinese character draws like a missing glyph: tofu"


def assert_reads_as(visit: Visit, language: str) -> None:
    """The text a reader sees: in Chinese more Chinese characters than Latin letters; in English few (names)."""
    text = visit.page.inner_text("body")
    chinese, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    if language == "zh":
        assert chinese > latin, f"{visit.page.url}: {chinese} Chinese characters, {latin} Latin letters"
    else:
        assert chinese < latin / 10, f"{visit.page.url}: {chinese} Chinese characters, {latin} Latin letters"
