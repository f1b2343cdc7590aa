"""Fixtures of the playbook tests.

Every playbook test starts in English: the format language is process state (``units.set_language``), and a
test that runs a notebook helper in Chinese must not change what the next test on the same worker sees.
The browser tests (report pages, the lab page) share one headless Chromium per module and a screenshot folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from playbook.text import units
from tests.conftest import ROOT
from tests.playbook.browser import CHROMIUM_ARGS, chromium


@pytest.fixture(autouse=True)
def english_formats() -> Iterator[None]:
    units.set_language("en")
    yield
    units.set_language("en")


@pytest.fixture(scope="module")
def shots() -> Path:
    """The folder the screenshots are kept in, ``test-output/browser/`` (each run overwrites its files).

    Git-ignored; ``STORE_PLAYBOOK_TEST_OUTPUT`` moves it.  A person can look at what the test saw.
    """
    folder = Path(os.environ.get("STORE_PLAYBOOK_TEST_OUTPUT", ROOT / "test-output")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium under playwright (skipped without it, failed without it in CI)."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()
