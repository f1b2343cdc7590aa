"""The index dashboard's pieces from recorded headlines, in English and in Chinese (the catalogue's ``page.*``)."""

from __future__ import annotations

import re

from playbook.report import html
from playbook.report.outcome import Outcome
from playbook.text import units

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


CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


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
    assert html.index_markdown(outcomes).startswith("| stage | status | s |")


def test_chinese_index_and_its_markdown_read_as_chinese():
    """In a zh run the page's words, the chart's labels and index.md's header are Chinese; names stay as they are."""
    headline = {"scenario": "china_store", "scenario_path": "data/scenarios/china_store.yaml", "seed": 1, "days": 28}
    headline |= {"replications": 3, "provenance": {"store_playbook": "0.1.0"}, "whatifs": [RECORD]}
    outcomes = [
        Outcome("07_after_sales", "第 7 阶段 · 售后与服务体验", status="ok", seconds=3.0, headline=headline),
        Outcome("08_fulfilment", "第 8 阶段 · 物流与履约", status="failed", error="cell 3 boom"),
    ]
    meta = {"run": "r1", "parameter_set": "china", "config": "data/reports.yaml", "started": "now", "seconds": 4.0}
    units.set_language("zh")
    try:
        page, table = html.index_html(outcomes, meta), html.index_markdown(outcomes)
        svg = html.whatif_svg([{**RECORD, "strategy": "延长客服在线时间到晚上十点并且周末也有人值班"}])
    finally:
        units.set_language("en")
    visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)
    expected = ("店铺运营手册报告", "2 个笔记本完成 1 个", "1 个失败：08_fulfilment", "核心指标", "随机种子 1，28 天")
    for words in expected:
        assert words in visible, words
    assert len(CJK.findall(visible)) > len(LATIN.findall(visible)), "the page's text is mostly Chinese"
    assert table.splitlines()[0].startswith("| 阶段 | 状态 | 秒 |") and "| 08_fulfilment | 失败 |" in table
    label = re.findall(r"<text [^>]*>([^<]*)</text>", svg)[0]
    assert label.endswith("…: +5.0%") and "对比 now" in label, label
    assert html._width(label) <= html.MAX_LABEL, "a Chinese character is two wide: the label fits the card"
