"""The SOP checklist as a reader sees it: formatted numbers and targets, stage and owner in the report's language."""

from __future__ import annotations

import pytest

from playbook.report import checklist
from playbook.text import i18n, units

SOP = (
    "stages:\n"
    '  - {stage: "7 after-sales", stage_zh: "7 售后与服务体验", owner: "service lead", owner_zh: "客服主管",'
    " kpi: sla_attainment, target: {min: 0.90}}\n"
    '  - {stage: "9 data", owner: "analyst", kpi: return_rate, target: {min: 0.01, max: 0.18}}\n'
)


@pytest.fixture
def sop_file(tmp_path):
    path = tmp_path / "sop.yaml"
    path.write_text(SOP, encoding="utf-8")
    return path


def test_english_rows_show_formatted_values_and_both_bounds(sop_file):
    table = checklist.table(sop_file, {"sla_attainment": 0.5, "return_rate": 0.1}, "CNY", "en")
    assert list(table.columns) == ["stage", "owner", "metric", "value", "target", "status"]
    assert table.iloc[0].tolist() == ["7 after-sales", "service lead", "SLA attainment", "50.0%", ">= 90.0%", "misses"]
    assert table.iloc[1]["target"] == ">= 1.00% and <= 18.0%" and table.iloc[1]["status"] == "meets"


def test_chinese_rows_use_the_files_translations_and_fall_back_to_english(sop_file):
    sop = checklist.table(sop_file, {"sla_attainment": 0.5, "return_rate": 0.1}, "CNY", "zh")
    assert list(sop["status"]) == ["misses", "meets"], "the status stays a code a notebook can filter on"
    shown = i18n.columns(sop, "zh")
    first = ["7 售后与服务体验", "客服主管", "响应时效达标率（SLA）", "50.0%", ">= 90.0%", "未达标"]
    assert shown.iloc[0].tolist() == first
    assert shown.iloc[1].tolist()[:3] == ["9 data", "analyst", "退货率"], "without zh fields the English is shown"
    assert shown.iloc[1]["目标"] == ">= 1.00% 且 <= 18.0%" and shown.iloc[1]["状态"] == "达标"


def test_the_kernels_language_is_the_default(sop_file):
    try:
        units.set_language("zh")  # as a notebook's nb.setup(language="zh") does
        table = checklist.table(sop_file, {"sla_attainment": 0.95, "return_rate": 0.1})
    finally:
        units.set_language("en")
    assert table.loc[0, "stage"] == "7 售后与服务体验" and table.loc[0, "status"] == "meets"


def test_money_targets_in_the_stores_currency(tmp_path):
    path = tmp_path / "sop.yaml"
    path.write_text("stages:\n  - {stage: traffic, owner: growth, kpi: cac, target: {max: 10.0}}\n", encoding="utf-8")
    table = checklist.table(path, {"cac": 12.5}, "EUR", "en")
    assert table.loc[0, ["value", "target", "status"]].tolist() == ["€12.50", "<= €10.00", "misses"]


def test_a_kpi_the_store_did_not_measure_names_the_stage(sop_file):
    with pytest.raises(KeyError, match="return_rate.*9 data"):
        checklist.table(sop_file, {"sla_attainment": 0.5})
