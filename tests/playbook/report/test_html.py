"""The index dashboard's pieces from recorded headlines, and the string catalogue every page takes its words from."""

from __future__ import annotations

import re
import string

import pytest

from playbook.report import html, strings
from playbook.report.outcome import Outcome

#: A what-if as ``WhatIf.headline`` records it: +10 on a baseline of 200 (+5%), 95% CI +5 to +15 (+2.5% to +7.5%).
RECORD = {
    "kpi": "net_revenue",
    "strategy": "late hours",
    "baseline": "now",
    "mean_baseline": 200.0,
    "diff": 10.0,
    "ci_low": 5.0,
    "ci_high": 15.0,
    "significant": True,
    "short": "late hours vs now: Net revenue +€10.00 (95% CI +€5.00 to +€15.00)",
    "conclusion": "...",
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language", sorted(strings.STRINGS))
def test_every_language_has_every_english_string_with_the_same_fields(language):
    english, other = strings.STRINGS["en"], strings.STRINGS[language]
    assert set(other) == set(english), set(english) ^ set(other)
    for key, template in english.items():
        assert _fields(other[key]) == _fields(template), key


def test_whatif_chart_places_the_dot_and_whisker_in_percent_of_the_baseline():
    svg = html.whatif_svg([RECORD])
    assert "late hours vs now · Net revenue: +5.0%" in svg
    # axis: -10% .. +10% (the next round number above 7.5%) over x = 8 .. 352
    x = {v: 8 + (v + 10) / 20 * 344 for v in (0.0, 2.5, 5.0, 7.5)}
    assert f'<circle cx="{x[5.0]:.1f}"' in svg and 'fill="#2a9d8f"' in svg, "a significant rise of revenue is green"
    assert f'x1="{x[2.5]:.1f}"' in svg and f'x2="{x[7.5]:.1f}"' in svg
    assert ">+10%<" in svg and ">-10%<" in svg
    worse = html.whatif_svg([{**RECORD, "kpi": "first_response_mean_hours"}])
    assert 'fill="#e76f51"' in worse, "a significant rise of a wait is red"
    assert 'fill="#457b9d"' in html.whatif_svg([{**RECORD, "significant": False}])
    assert html.whatif_svg([{**RECORD, "mean_baseline": 0.0}]) == "", "no % of a zero baseline"


def test_index_marks_pending_and_failed_stages_and_links_only_what_exists():
    outcomes = [
        Outcome("00_start_here", "Start here", status="ok", seconds=3.0, headline=None),
        Outcome(
            "07_after_sales", "Stage 7 · After-sales service (售后与服务体验)", status="failed", error="cell 3 boom"
        ),
        Outcome("08_fulfilment", "Stage 8", status="pending"),
    ]
    meta = {"run": "r1", "parameter_set": "default", "config": "data/reports.yaml", "started": "now", "seconds": 4.0}
    page = html.index_html(outcomes, meta)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "1 of 3 notebooks ok" in page and "1 failed: 07_after_sales" in page and "so far" in page
    assert 'href="07_after_sales.html"' in page and "cell 3 boom" in page
    assert 'href="08_fulfilment.html"' not in page and "not run yet" in page
    assert ".zip" not in page, "the zip is linked once the run is over"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert ".zip" in html.index_html(outcomes, {**meta, "zip": "r1.zip"})
