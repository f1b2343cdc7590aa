"""The HTML of a report run: each executed notebook with its code hidden until asked for, and the index page.

A reader of a report wants the story, the numbers and the charts; the code
is one click away ("Show code").  Every page opens with what makes it
reproducible (parameter set, scenario, seed, package versions) and, for a
notebook that failed, with the failing cell.  The index links every report
and lists each stage's headline KPIs and what-if results as recorded by the
notebook itself (``playbook.report.notebook.record``), never retyped.  It is
written as ``index.html``, ``index.json`` (for programs) and ``index.md``
(for pasting), each atomically.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from playbook.report import i18n
from playbook.report.outcome import Outcome
from sim.outputs import write_text_atomic

STYLE = """
<style>
body:not(.show-code) .jp-CodeCell .jp-Cell-inputWrapper { display: none; }
body:not(.show-code) .jp-CodeCell:not(:has(.jp-OutputArea-child)) { display: none; }
.report-bar { font-family: sans-serif; background: #f3f5f7; border-bottom: 1px solid #ccd; padding: 8px 16px;
              position: sticky; top: 0; z-index: 10; font-size: 13px; }
.report-bar button { float: right; font-size: 13px; }
.report-failed { background: #fde2dd; color: #8a1c0c; padding: 8px 16px; font-family: sans-serif; }
</style>
"""


def _toggle(language: str) -> str:
    show, hide = i18n.t("report.show_code", language), i18n.t("report.hide_code", language)
    return (
        "<button onclick=\"document.body.classList.toggle('show-code');"
        f"this.textContent=document.body.classList.contains('show-code')?'{hide}':'{show}';\">{show}</button>"
    )


def _language(outcome: Outcome) -> str:
    return str(outcome.parameters.get("language", i18n.DEFAULT_LANGUAGE))


def provenance_text(outcome: Outcome, set_name: str) -> str:
    """One line: parameter set and injected values, scenario, seed, horizon and package versions."""
    h, tr = outcome.headline or {}, i18n.translator(_language(outcome), "report")
    params = ", ".join(f"{k}={v}" for k, v in outcome.parameters.items()) or tr("params_default")
    parts = [tr("params_set", name=set_name, params=params)]
    if h:
        versions = ", ".join(f"{k} {v}" for k, v in h.get("provenance", {}).items())
        parts.append(
            tr(
                "provenance",
                scenario=h["scenario"],
                path=h["scenario_path"],
                seed=h["seed"],
                days=h["days"],
                replications=h["replications"],
                versions=versions,
            )
            + (tr("quick") if h.get("quick") else "")
        )
    return "; ".join(parts)


def notebook_html(executed: Path, outcome: Outcome, set_name: str) -> str:
    """The executed notebook as HTML (nbconvert, lab template), code hidden behind a toggle, provenance on top."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    tr = i18n.translator(_language(outcome), "report")
    bar = (
        f'<div class="report-bar">{_toggle(_language(outcome))}<b>{html.escape(outcome.title)}</b> &middot; '
        f'{html.escape(provenance_text(outcome, set_name))} &middot; <a href="index.html">{tr("index")}</a></div>'
    )
    if outcome.status != "ok":
        bar += f'<div class="report-failed"><b>{tr("failed")}</b>: {html.escape(outcome.error)}</div>'
    body = body.replace("</head>", STYLE + "</head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + bar, body, count=1)


def _kpi_cells(h: Mapping[str, Any] | None) -> str:
    if not h:
        return ""
    return "<br>".join(f"{html.escape(k['name'])}: <b>{html.escape(k['text'])}</b>" for k in h["kpis"])


def _whatif_cells(h: Mapping[str, Any] | None) -> str:
    if not h:
        return ""
    lines = [("&#9679; " if w.get("significant") else "&#9675; ") + html.escape(w["conclusion"]) for w in h["whatifs"]]
    lines += [f"<small>{html.escape(note)}</small>" for note in h.get("notes", [])]
    return "<br>".join(lines)


def _row(o: Outcome, language: str) -> str:
    links = (
        (
            f'<a href="{o.notebook}.html">{html.escape(o.title)}</a> '
            f'<small>(<a href="{o.notebook}.ipynb">ipynb</a>)</small>'
        )
        if o.status != "pending"
        else html.escape(o.title)
    )
    status = i18n.t(f"report.{ {'ok': 'ok', 'pending': 'not_run'}.get(o.status, 'failed') }", language)
    detail = f"<br><small>{html.escape(o.error)}</small>" if o.error else ""
    return (
        f'<tr class="{o.status}"><td>{links}</td><td class="status">{status}{detail}</td>'
        f'<td class="num">{o.seconds:.1f}</td><td>{_kpi_cells(o.headline)}</td>'
        f"<td>{_whatif_cells(o.headline)}</td></tr>"
    )


def index_html(outcomes: Sequence[Outcome], meta: Mapping[str, Any]) -> str:
    """The index page: run facts, then one row per notebook with status, time, headline KPIs and what-ifs."""
    done = [o for o in outcomes if o.headline]
    first = done[0].headline if done else {}
    versions = ", ".join(f"{k} {v}" for k, v in first.get("provenance", {}).items())
    failed = [o for o in outcomes if o.status == "failed"]
    language = str(meta.get("language", i18n.DEFAULT_LANGUAGE))
    tr = i18n.translator(language, "report")
    summary = tr("summary", ok=sum(o.status == "ok" for o in outcomes), total=len(outcomes)) + (
        f"; <b class='bad'>{tr('failed_list', count=len(failed), names=', '.join(o.notebook for o in failed))}</b>"
        if failed
        else ""
    )
    scenarios = sorted(
        {
            tr(
                "scenario_line",
                name=o.headline["scenario"],
                seed=o.headline["seed"],
                days=o.headline["days"],
                replications=o.headline["replications"],
            )
            for o in done
        }
    )
    so_far = tr("so_far" if any(o.status == "pending" for o in outcomes) else "in_all")
    run_line = tr(
        "run_line",
        run=html.escape(meta["run"]),
        params=html.escape(meta["parameter_set"]),
        config=html.escape(meta["config"]),
        started=html.escape(meta["started"]),
        seconds=meta["seconds"],
        so_far=so_far,
    )
    return f"""<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(tr("title", run=meta["run"]))}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; max-width: 1400px; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #ccd; padding: 6px; vertical-align: top;
font-size: 13px; }} th {{ background: #eef; }} .num {{ text-align: right; }}
tr.failed td.status, .bad {{ color: #b00020; font-weight: bold; }} tr.pending {{ color: #888; }}
</style></head><body>
<h1>{tr("heading")}</h1>
<p>{run_line}<br>
{summary}.<br>{html.escape(tr("scenario", text="; ".join(scenarios) or tr("na")))}<br>
{html.escape(tr("versions", text=versions or tr("na")))}<br>
{tr("legend")}</p>
<h2>{tr("table")}</h2>
<table><tr><th>{tr("col_stage")}</th><th>{tr("col_status")}</th><th>{tr("col_time")}</th><th>{tr("col_kpis")}</th>
<th>{tr("col_whatifs")}</th></tr>
{chr(10).join(_row(o, language) for o in outcomes)}
</table></body></html>
"""


def index_markdown(outcomes: Sequence[Outcome], language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The headline table as Markdown: stage, status, time, headline KPIs and the what-ifs in short form."""
    lines = [i18n.t("report.md_header", language), "|---|---|---|---|---|"]
    for o in outcomes:
        h = o.headline or {}
        kpis = "; ".join(f"{k['name']} {k['text']}" for k in h.get("kpis", []))
        whatif = (
            "; ".join(
                w.get("short", w["conclusion"]) + (" *" if w.get("significant") else "") for w in h.get("whatifs", [])
            )
            or o.error
        )
        lines.append(f"| {o.notebook} | {o.status} | {o.seconds:.0f} | {kpis} | {whatif} |".replace("\n", " "))
    return "\n".join(lines) + "\n"


def write_index(out: Path, outcomes: Sequence[Outcome], meta: Mapping[str, Any]) -> None:
    """Write index.html, index.json and index.md into ``out``, each atomically."""
    write_text_atomic(out / "index.html", index_html(outcomes, meta))
    write_text_atomic(out / "index.md", index_markdown(outcomes, str(meta.get("language", i18n.DEFAULT_LANGUAGE))))
    write_text_atomic(
        out / "index.json",
        json.dumps(
            {"meta": dict(meta), "notebooks": [asdict(o) for o in outcomes]}, indent=2, ensure_ascii=False, default=str
        )
        + "\n",
    )
