"""The zh/en catalogue: complete, consistent, and used by what-ifs, plots and the report index."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest

from playbook.analysis import abtest
from playbook.report import html, plots, runner, whatif
from playbook.report.outcome import Outcome
from playbook.text import i18n, units
from sim.engine.log import KINDS
from sim.results import measures
from sim.results.kpis import KPI_BY_NAME

matplotlib.use("Agg")
CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[3]


def test_every_message_has_both_languages_with_the_same_placeholders():
    catalogue = i18n.catalogue()
    assert len(catalogue) > 300
    for key, texts in catalogue.items():
        assert set(texts) == set(i18n.LANGUAGES), f"{key}: languages {sorted(texts)}"
        assert all(texts.values()), f"{key}: an empty text"
        assert i18n.placeholders(texts["zh"]) == i18n.placeholders(texts["en"]), f"{key}: placeholders differ"
        assert CJK.search(texts["zh"]), f"{key}: the Chinese text has no Chinese in it: {texts['zh']!r}"


def test_every_kpi_and_measure_has_a_chinese_name_and_formula():
    for kpi in [*KPI_BY_NAME, *measures.MEASURES, "contribution"]:
        assert i18n.has(f"kpi.{kpi}") and i18n.has(f"definition.{kpi}"), kpi
    assert i18n.kpi_name("conversion_rate", "zh") == "转化率"
    assert i18n.kpi_name("average_order_value", "zh") == "客单价"
    assert i18n.kpi_name("repeat_purchase_rate", "zh") == "复购率"
    assert i18n.kpi_name("conversion_rate", "en") == units.name("conversion_rate")
    assert i18n.kpi_label("first_response_mean_hours", "CNY", "zh") == "平均首次响应时长（小时）"
    assert i18n.kpi_label("net_revenue", "CNY", "zh") == "净销售额（¥）"


def test_unknown_key_and_language_are_named():
    with pytest.raises(KeyError, match="no message 'whatif.nope'"):
        i18n.t("whatif.nope", "zh")
    with pytest.raises(ValueError, match="language = 'fr': allowed: 'zh', 'en'"):
        i18n.t("whatif.best", "fr", what="x", conclusion="y")
    assert i18n.t("s07.more_agents", "zh", n=2) == "加 2 名客服"
    assert i18n.t("s07.more_agents", "en", n=2) == "+2 agent(s)"


def test_keep_language_drops_only_the_other_languages_cells():
    nb = nbformat.v4.new_notebook()
    en, zh, code = (
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_markdown_cell("# 标题"),
        nbformat.v4.new_code_cell("1"),
    )
    en.metadata["tags"], zh.metadata["tags"] = ["lang-en"], ["lang-zh"]
    nb.cells = [en, zh, code]
    assert i18n.keep_language(nb, "zh") == 1 and [c.source for c in nb.cells] == ["# 标题", "1"]


@pytest.fixture
def runs() -> dict[str, pd.DataFrame]:
    """Four paired runs; 'more' has 5 or 6 more orders in each, a change its interval cannot mistake for 0."""
    return {
        "now": pd.DataFrame({"orders": [10.0, 12.0, 11.0, 13.0]}),
        "more": pd.DataFrame({"orders": [15.0, 18.0, 16.0, 19.0]}),
    }


def _whatif(runs, language: str) -> whatif.WhatIf:
    table = whatif._table(runs, "now", ["orders"])
    return whatif.WhatIf(table, runs, "now", 4, 21, 3, "CNY", language)


def test_conclusions_in_chinese_and_english_come_from_the_same_numbers(runs):
    zh, en = _whatif(runs, "zh"), _whatif(runs, "en")
    text = zh.conclusion("orders", "more")
    assert text.startswith("「more」让订单数提高了 5.50 单（12 单 → 17 单") and text.endswith("优于「now」。"), text
    assert "95% 置信区间" in text and "4 次配对运行、每次 21 天" in text
    english = en.conclusion("orders", "more")
    assert english.startswith("'more' raises orders by 5.50 (12 -> 17; 95% CI +4.58 to +6.42, 4 paired runs")
    assert english.endswith("better than 'now'.")
    for number in ("5.50", "12", "17", "+4.58", "+6.42"):
        assert number in text and number in english
    assert zh.verdict("orders").startswith("订单数表现最好：") and en.verdict("orders").startswith("Best on orders: ")
    assert zh.headline("orders")["short"] == "more 对比 now：订单数 +5.50 单（95% 置信区间 +4.58 单 至 +6.42 单）"
    table = zh.summary(["orders"]).table
    assert table.columns.name == "策略" and [head for head, _ in table.index] == ["订单数", "订单数"]


def test_plot_labels_follow_the_whatif_language(runs):
    ax = plots.whatif_bars(_whatif(runs, "zh"), "orders")
    assert (
        ax.get_title().startswith("各策略的订单数") and ax.get_xlabel() == "策略" and ax.get_ylabel() == "订单数（单）"
    )
    ax = plots.whatif_bars(_whatif(runs, "en"), "orders")
    assert ax.get_title().startswith("Orders by strategy") and ax.get_xlabel() == "strategy"
    matplotlib.pyplot.close("all")


def test_index_and_titles_speak_the_runs_language():
    """The index's words follow the language the runner sets; each stage's title comes from its language's cell."""
    meta = {"run": "r1", "parameter_set": "china", "config": "data/reports.yaml", "started": "now", "seconds": 1.0}
    try:
        for language, words in (
            ("zh", ("店铺运营手册报告", "第 7 阶段", "尚未运行")),
            ("en", ("Store playbook", "Stage 7")),
        ):
            units.set_language(language)
            title = runner.notebook_title(ROOT / "notebooks" / "07_after_sales.ipynb", language)
            page = html.index_html([Outcome("07_after_sales", title, parameters={"language": language})], meta)
            assert f'<html lang="{language}"' in page and all(w in page for w in words), language
    finally:
        units.set_language("en")


def test_table_columns_are_renamed_in_chinese_only():
    frame = pd.DataFrame({"sessions": [1], "cac": [2.0], "utilisation": [0.5], "other": [3]}).rename_axis("channel")
    zh = i18n.columns(frame, "zh")
    assert list(zh.columns) == ["访问次数", "获客成本（CAC）", "忙碌率", "other"] and zh.index.name == "渠道"
    assert i18n.columns(frame, "en") is frame
    channels = i18n.columns(
        pd.DataFrame({"orders": [3, 4]}, index=pd.Index(["paid_search", "new"], name="channel")), "zh"
    )
    assert list(channels.index) == ["搜索广告", "new"] and list(channels.columns) == ["下单"]
    table = i18n.kpi_table({"conversion_rate": 0.0176, "net_revenue": 30323.0}, "CNY", "zh")
    assert list(table.index) == ["转化率", "净销售额"] and list(table.columns) == ["数值", "单位", "定义"]
    assert table.loc["转化率", "定义"] == "订单数 / 访问次数" and table.loc["净销售额", "数值"] == "¥30,323.00"


def test_shift_days_read_as_words_in_chinese():
    assert i18n.weekdays([0, 1, 2, 3, 4, 5], "zh") == "周一至周六"
    assert i18n.weekdays(list(range(7)), "zh") == "每天" and i18n.weekdays([2, 0], "zh") == "周一、周三"
    assert i18n.weekdays([0, 1, 2, 3, 4, 5], "en") == "[0, 1, 2, 3, 4, 5]"


def test_event_trail_and_ab_warning_read_in_chinese():
    """What was still English in a zh report: event names, the A/B test's warning (the checklist: test_checklist)."""
    assert set(KINDS) <= {key.split(".", 1)[1] for key in i18n.catalogue() if key.startswith("event.")}
    trail = pd.DataFrame({"kind": pd.Categorical(["order_placed", "shipped", "delivered"]), "value": [1.0, 2.0, 0.0]})
    zh = i18n.columns(trail, "zh")
    assert list(zh.columns) == ["事件", "值"] and list(zh["事件"]) == ["下单", "交付快递", "签收"]
    assert list(trail["kind"]) == ["order_placed", "shipped", "delivered"], "the data keeps its names"
    try:
        units.set_language("zh")  # as a notebook's nb.setup(language="zh") does
        warning = abtest.conversion_readout(10, 1_000, 15, 1_000, planned_per_arm=5_000).warning
        unplanned = abtest.conversion_readout(10, 1_000, 15, 1_000).warning
    finally:
        units.set_language("en")
    assert warning == "每组只有 1,000 名访客，计划是 5,000 名：现在一看到显著就停，会抬高误报率"
    assert unplanned.startswith("没有事先定好样本量")
    assert abtest.conversion_readout(10, 1_000, 15, 1_000).warning.startswith("no pre-registered sample size")
