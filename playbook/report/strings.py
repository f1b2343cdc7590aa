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
}


def text(key: str, language: str | None = None, **fields: Any) -> str:
    """The string ``key`` in ``language`` (default: the current one), with ``fields`` filled in."""
    chosen = units.get_language() if language is None else language
    template = STRINGS.get(chosen, {}).get(key) or STRINGS["en"][key]
    return template.format(**fields) if fields else template
