"""Every sentence and label the report pages and the what-if charts show, by language, in one place.

``STRINGS["en"]`` is complete; a language is added by adding its dict with
the same keys (a test checks every language has every English key), e.g.
``STRINGS["zh"] = {"index_title": "店铺运营手册报告", ...}``.  A key a language
lacks falls back to English, so a page is never blank while a catalogue is
being written.  Fields in braces are filled by :func:`text`.
The language is ``units.get_language()`` unless a call names one, so
``units.set_language("zh")`` switches numbers and words together.
"""

from __future__ import annotations

from typing import Any

from playbook.report import units

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        # the index page
        "index_title": "Store playbook report",
        "run_line": "Run {run} · parameter set {parameter_set} · started {started} · {seconds} {so_far}",
        "so_far": "so far",
        "in_all": "in all",
        "notebooks_ok": "{ok} of {total} notebooks ok",
        "failed_list": "{count} failed: {names}",
        "kpis_heading": "Headline KPIs",
        "stages_heading": "Stages",
        "provenance_heading": "How this run was made",
        "scenario": "Scenario",
        "versions": "Package versions",
        "config": "Configuration",
        "downloads": "Downloads",
        "zip_link": "the whole run folder in one file",
        "report_link": "report",
        "notebook_link": "notebook (.ipynb)",
        "status_ok": "ok",
        "status_failed": "FAILED",
        "status_pending": "not run yet",
        "seconds": "{seconds} s",
        "quick_mode": "QUICK MODE: horizon and replications capped",
        "legend": "Dots: change from the baseline in % of its mean; bars: 95% interval of the paired difference. "
        "Green better, red worse, blue not distinguishable from 0.",
        "no_whatif": "no what-if recorded",
        "scenario_line": "{scenario} (seed {seed}, {days} days, {replications} replications)",
        "chart_label": "Change of each what-if from its baseline, % of the baseline mean, with 95% interval",
        # the report bar above each notebook
        "show_code": "Show code",
        "hide_code": "Hide code",
        "index_link": "index",
        "failed_banner": "FAILED",
        # what-if tables and charts
        "value": "value",
        "change": "change",
        "whatif_note": "mean [95% CI] over {n} paired runs of {days} days; a change marked * is significant "
        "(its 95% CI excludes 0); a value without interval was the same in every run",
        "effects_title": "Effect of each strategy against '{baseline}' ({n} paired runs of {days} days, 95% CI)",
        "effects_xlabel": "change",
        "strategy": "strategy",
    },
    "zh": {
        # 目录页
        "index_title": "店铺运营手册报告",
        "run_line": "运行 {run} · 参数集 {parameter_set} · 开始于 {started} · {so_far} {seconds}",
        "so_far": "目前已用",
        "in_all": "共用时",
        "notebooks_ok": "{total} 个笔记本中 {ok} 个完成",
        "failed_list": "{count} 个失败：{names}",
        "kpis_heading": "核心指标",
        "stages_heading": "各阶段",
        "provenance_heading": "这次运行是怎么做的",
        "scenario": "场景",
        "versions": "软件版本",
        "config": "配置",
        "downloads": "下载",
        "zip_link": "整个运行文件夹打包成一个文件",
        "report_link": "报告",
        "notebook_link": "笔记本（.ipynb）",
        "status_ok": "完成",
        "status_failed": "失败",
        "status_pending": "尚未运行",
        "seconds": "{seconds} 秒",
        "quick_mode": "快速模式：天数和重复次数已封顶",
        "legend": "圆点：相对基准的变化（占基准均值的 %）；横线：配对差异的 95% 置信区间。"
        "绿色更好，红色更差，蓝色与 0 无法区分。",
        "no_whatif": "没有记录情景推演",
        "scenario_line": "{scenario}（随机种子 {seed}，{days} 天，{replications} 次重复运行）",
        "chart_label": "每个情景推演相对基准的变化，占基准均值的 %，带 95% 置信区间",
        # 每份报告顶部的工具条
        "show_code": "显示代码",
        "hide_code": "隐藏代码",
        "index_link": "目录",
        "failed_banner": "失败",
        # 情景推演的表和图
        "value": "数值",
        "change": "变化",
        "whatif_note": "均值 [95% 置信区间]，{n} 次配对运行、每次 {days} 天；标 * 的变化是显著的"
        "（95% 置信区间不含 0）；没有区间的数值在每次运行中都相同",
        "effects_title": "各策略相对「{baseline}」的效果（{n} 次配对运行、每次 {days} 天，95% 置信区间）",
        "effects_xlabel": "变化",
        "strategy": "策略",
    },
}


def text(key: str, language: str | None = None, **fields: Any) -> str:
    """The string ``key`` in ``language`` (default: the current one), with ``fields`` filled in."""
    chosen = units.get_language() if language is None else language
    template = STRINGS.get(chosen, {}).get(key) or STRINGS["en"][key]
    return template.format(**fields) if fields else template
