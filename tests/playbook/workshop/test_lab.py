"""The no-code lab page: its widgets in this process, and the real page served by Voila in headless Chromium.

In process: the page draws a tile per KPI, reruns the quarter when a
control moves (the tiles then show exactly what a run with those settings
gives), keeps the settings across the language buttons and goes back to
the baseline on reset.

In the browser: ``python -m playbook lab`` (what ``make lab`` runs) starts
in its own process group on a free port it picks and prints; Chromium
(``tests/playbook/browser.py``: Debian's chromium, network cut off except
the lab server on 127.0.0.1) opens the printed address, the page shows
no code and no console error, reads as Chinese and draws Chinese glyphs;
the page-load slider is moved to its maximum with the keyboard and the
conversion-rate tile changes to what the same run in this process gives;
the English button redraws the page in English with the slider where it
was.  Screenshots go to ``test-output/browser/lab-zh.png`` and
``lab-en.png``.  The server is stopped as Ctrl-C stops it (SIGINT to its
group) and the test checks nothing of the group is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from playbook.report import notebook as nb
from playbook.text import i18n, units
from playbook.workshop import controls, lab
from tests.conftest import ROOT
from tests.playbook.browser import Visit, assert_chinese_renders, assert_reads_as

#: Seconds the server and the page get to start, and to stop (Voila starts a kernel and runs a quarter).
START_SECONDS, STOP_SECONDS = 120, 30
SEED, DAYS = 7, 90  # the lab notebook's parameters (playbook/workshop/lab.ipynb)


@pytest.fixture
def page() -> lab.Lab:
    """The lab for 30 days of the baseline store, in Chinese, not displayed."""
    return lab.Lab(nb.setup("data/scenarios/baseline.yaml", seed=SEED, days=30, replications=1, show=False))


def test_tiles_show_every_kpi_and_a_moved_control_reruns_the_quarter(page: lab.Lab) -> None:
    assert all(f'data-kpi="{k}"' in page.tiles.value for k in controls.KPIS)
    assert (page.frame["yours"] == page.frame["baseline"]).all(), "at the start your store is the baseline"
    assert len(page.charts.children) == 2 and all(len(c.value) > 1000 for c in page.charts.children)
    page.controls["load_time"].value = 6.0  # three times the baseline's 2 s: conversion falls by about 3/4
    expected = controls.compare(page.run, page.base, {**page.start, "load_time": 6.0})
    assert page.frame.equals(expected)
    conversion = page.frame.loc["conversion_rate"]
    assert conversion["yours"] < conversion["baseline"] / 2
    shown = units.fmt(conversion["yours"], "conversion_rate", page.run.currency, "zh")
    assert '<div class="lab-tile bad" data-kpi="conversion_rate">' in page.tiles.value
    assert shown in page.tiles.value


def test_language_buttons_redraw_in_english_and_keep_the_settings(page: lab.Lab) -> None:
    page.controls["load_time"].value = 4.0
    switch = page.root.children[1]
    switch.value = "en"
    assert page.run.language == "en" and i18n.t("lab.title", "en") in page.root.children[0].value
    assert page.controls["load_time"].value == 4.0 and page.frame.loc["conversion_rate", "change_pct"] < 0
    assert i18n.kpi_name("conversion_rate", "en") in page.tiles.value


def test_reset_goes_back_to_the_baseline(page: lab.Lab) -> None:
    page.controls["agents"].value = 3
    assert not page.frame["yours"].equals(page.frame["baseline"])
    reset = page.root.children[4].children[0]
    reset.click()
    assert page.settings() == page.start and (page.frame["yours"] == page.frame["baseline"]).all()


def test_page_shows_the_lab_and_returns_it(capsys: pytest.CaptureFixture[str]) -> None:
    run = nb.setup("data/scenarios/baseline.yaml", seed=SEED, days=14, replications=1, show=False, language="en")
    shown = lab.page(run)
    assert isinstance(shown, lab.Lab) and shown.run.language == "en"
    assert "VBox" in capsys.readouterr().out  # outside a kernel, display() prints the widget's text form


def test_tile_reads_green_red_or_level() -> None:
    row = controls.changes({"return_rate": 0.20, "sessions": 0.0}, {"return_rate": 0.15, "sessions": 0.0})
    fewer_returns = lab.tile("return_rate", row.loc["return_rate"], "EUR", "en")
    assert 'class="lab-tile good"' in fewer_returns and "-25.0%" in fewer_returns
    none = lab.tile("sessions", row.loc["sessions"], "EUR", "en")  # a baseline of 0: no change in %
    assert 'class="lab-tile same"' in none and "±0%" in none


# --- the page served by Voila, in headless Chromium ------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """``python -m playbook lab`` in its own process group; the address it prints; stopped as Ctrl-C stops it.

    Started with SIGINT ignored, as from ``nohup`` or a test runner's worker (an ignored signal is inherited):
    Ctrl-C must stop it all the same.
    """
    log = tmp_path_factory.mktemp("lab") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "playbook", "lab"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )  # fmt: skip
        try:
            yield _wait_listening(proc, log)
        finally:
            _stop(proc)
    assert proc.returncode == 0, f"the server exited with {proc.returncode} on Ctrl-C; log: {log.read_text()}"


def _wait_listening(proc: subprocess.Popen, log: Path) -> str:
    """The address the server printed first (``lab: http://127.0.0.1:PORT/``), once something listens on it."""
    deadline, url = time.monotonic() + START_SECONDS, ""
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the server exited with {proc.returncode}; log: {log.read_text()}"
        first = log.read_text().partition("\n")
        if not url and first[1]:
            assert first[0].startswith("lab: http://127.0.0.1:"), f"first line {first[0]!r}; log: {log.read_text()}"
            url = first[0].split()[1]
        if url:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", int(url.rstrip("/").rsplit(":", 1)[1]))) == 0:
                    return url
        time.sleep(0.2)
    pytest.fail(f"no server listening after {START_SECONDS} s; log: {log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT to the server's process group (Ctrl-C), then SIGKILL whatever of it is left after STOP_SECONDS."""
    group = proc.pid  # start_new_session: the group's id is the server's pid
    with contextlib.suppress(ProcessLookupError):  # the group has exited already
        os.killpg(group, signal.SIGINT)
    try:
        proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):  # the group has exited already
            os.killpg(group, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + STOP_SECONDS
    while _alive(group) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(group):
        with contextlib.suppress(ProcessLookupError):  # the group has exited already
            os.killpg(group, signal.SIGKILL)
        pytest.fail("a process of the lab server (a kernel?) outlived it")


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _screenshot(visit: Visit, path: Path) -> None:
    """The whole page: Voila scrolls inside its cell area, so the viewport grows to the content's height first."""
    height = visit.page.evaluate("document.querySelector('#rendered_cells').scrollHeight")
    visit.page.set_viewport_size({"width": 1280, "height": max(900, int(height) + 40)})
    visit.page.screenshot(path=str(path), full_page=True)


def test_lab_page_offline_without_code_and_a_slider_changes_a_kpi(browser, server, shots):
    port = server.rstrip("/").rsplit(":", 1)[1]
    visit = Visit(browser, server, allowed=rf"(http|ws)://127\.0\.0\.1:{port}/|data:|blob:")
    try:
        page = visit.page
        page.wait_for_selector(".lab-tile", timeout=START_SECONDS * 1000)
        tile = page.locator('.lab-tile[data-kpi="conversion_rate"] .lab-value')
        status = page.locator(".lab-status")
        # the page's quarter as this process sets it up (quick mode, if set, shortens both alike)
        quarter = nb.setup("data/scenarios/baseline.yaml", seed=SEED, days=DAYS, replications=1, show=False)
        done = i18n.t("lab.done", "zh", days=quarter.days, seconds="\0").split("\0")[0]  # the words before the time
        assert page.locator("h1").inner_text() == i18n.t("lab.title", "zh")
        assert done in status.inner_text()
        before = tile.inner_text()
        _screenshot(visit, shots / "lab-zh.png")
        html = page.content()
        assert "playbook.workshop" not in html and "nb.setup" not in html, "code is shown"
        assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0
        assert_reads_as(visit, "zh")
        assert_chinese_renders(visit)

        slider = page.locator(".widget-slider", has_text=i18n.t("controls.load_time", "zh"))
        slider.locator(".noUi-handle").focus()
        page.keyboard.press("End")  # the slider's maximum, 6 s; the kernel reruns the quarter on release
        page.wait_for_function(
            "([sel, old]) => document.querySelector(sel).innerText !== old",
            arg=['.lab-tile[data-kpi="conversion_rate"] .lab-value', before],
            timeout=START_SECONDS * 1000,
        )
        page.wait_for_function(
            "t => document.querySelector('.lab-status').innerText.includes(t)", arg=done, timeout=30_000
        )
        slow = controls.compare(quarter, quarter.simulate().kpis(), {**controls.defaults(quarter.scenario),
                                                                    "load_time": 6.0})  # fmt: skip
        assert tile.inner_text() == units.fmt(slow.loc["conversion_rate", "yours"], "conversion_rate", "EUR", "zh")
        assert "bad" in page.locator('.lab-tile[data-kpi="conversion_rate"]').get_attribute("class")
        _screenshot(visit, shots / "lab-zh-slow-page.png")

        page.get_by_role("radio", name="English").or_(page.get_by_text("English", exact=True)).first.click()
        page.wait_for_function("t => document.querySelector('h1').innerText === t", arg=i18n.t("lab.title", "en"))
        english = i18n.t("lab.done", "en", days=quarter.days, seconds="\0").split("\0")[0]
        page.wait_for_function(
            "t => document.querySelector('.lab-status').innerText.includes(t)", arg=english, timeout=30_000
        )
        assert page.locator(".widget-slider", has_text=i18n.t("controls.load_time", "en")).locator(
            ".widget-readout").inner_text().strip() == "6.00"  # fmt: skip
        assert_reads_as(visit, "en")
        _screenshot(visit, shots / "lab-en.png")
        assert not visit.outside, f"requests outside the lab server: {visit.outside}"
        assert not visit.errors, f"console errors: {visit.errors}"
    finally:
        visit.close()
