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
TOGGLE = (
    "<button onclick=\"document.body.classList.toggle('show-code');"
    "this.textContent=document.body.classList.contains('show-code')?'Hide code':'Show code';\">Show code</button>"
)


def provenance_text(outcome: Outcome, set_name: str) -> str:
    """One line: parameter set and injected values, scenario, seed, horizon and package versions."""
    h = outcome.headline or {}
    params = ", ".join(f"{k}={v}" for k, v in outcome.parameters.items()) or "the notebook's defaults"
    parts = [f"parameter set '{set_name}' ({params})"]
    if h:
        versions = ", ".join(f"{k} {v}" for k, v in h.get("provenance", {}).items())
        parts.append(
            f"scenario '{h['scenario']}' ({h['scenario_path']}), seed {h['seed']}, {h['days']} days, "
            f"{h['replications']} replications; {versions}" + (" - QUICK MODE" if h.get("quick") else "")
        )
    return "; ".join(parts)


def notebook_html(executed: Path, outcome: Outcome, set_name: str) -> str:
    """The executed notebook as HTML (nbconvert, lab template), code hidden behind a toggle, provenance on top."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    bar = (
        f'<div class="report-bar">{TOGGLE}<b>{html.escape(outcome.title)}</b> &middot; '
        f'{html.escape(provenance_text(outcome, set_name))} &middot; <a href="index.html">index</a></div>'
    )
    if outcome.status != "ok":
        bar += f'<div class="report-failed"><b>FAILED</b>: {html.escape(outcome.error)}</div>'
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


def _row(o: Outcome) -> str:
    links = (
        (
            f'<a href="{o.notebook}.html">{html.escape(o.title)}</a> '
            f'<small>(<a href="{o.notebook}.ipynb">ipynb</a>)</small>'
        )
        if o.status != "pending"
        else html.escape(o.title)
    )
    status = {"ok": "ok", "pending": "not run"}.get(o.status, "FAILED")
    detail = f"<br><small>{html.escape(o.error)}</small>" if o.error else ""
    return (
        f'<tr class="{o.status}"><td>{links}</td><td class="status">{status}{detail}</td>'
        f'<td class="num">{o.seconds:.1f}</td><td>{_kpi_cells(o.headline)}</td>'
        f"<td>{_whatif_cells(o.headline)}</td></tr>"
    )


def index_html(outcomes: Sequence[Outcome], meta: Mapping[str, Any]) -> str:
    """The index page: run facts, then one row per notebook with status, time, headline KPIs and what-ifs."""
    done = [o for o in outcomes if o.headline]
    first = (done[0].headline or {}) if done else {}
    versions = ", ".join(f"{k} {v}" for k, v in first.get("provenance", {}).items())
    failed = [o for o in outcomes if o.status == "failed"]
    summary = f"{sum(o.status == 'ok' for o in outcomes)} of {len(outcomes)} notebooks ok" + (
        f"; <b class='bad'>{len(failed)} FAILED: {', '.join(o.notebook for o in failed)}</b>" if failed else ""
    )
    scenarios = sorted(
        {
            f"{h['scenario']} (seed {h['seed']}, {h['days']} days, {h['replications']} replications)"
            for h in (o.headline for o in done)
            if h is not None
        }
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Store playbook report: {html.escape(meta["run"])}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; max-width: 1400px; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #ccd; padding: 6px; vertical-align: top;
font-size: 13px; }} th {{ background: #eef; }} .num {{ text-align: right; }}
tr.failed td.status, .bad {{ color: #b00020; font-weight: bold; }} tr.pending {{ color: #888; }}
</style></head><body>
<h1>Store playbook report</h1>
<p>Run <b>{html.escape(meta["run"])}</b>, parameter set <b>{html.escape(meta["parameter_set"])}</b>
(config {html.escape(meta["config"])}), started {html.escape(meta["started"])},
{meta["seconds"]:.1f} s {"so far" if any(o.status == "pending" for o in outcomes) else "in all"}.<br>
{summary}.<br>Scenario: {html.escape("; ".join(scenarios) or "n/a")}.<br>Versions: {html.escape(versions or "n/a")}.<br>
What-ifs: &#9679; the 95% CI of the paired difference excludes 0; &#9675; it does not.</p>
<h2>Headline table</h2>
<table><tr><th>Stage</th><th>Status</th><th>Time (s)</th><th>Headline KPIs</th><th>What-if results</th></tr>
{chr(10).join(_row(o) for o in outcomes)}
</table></body></html>
"""


def index_markdown(outcomes: Sequence[Outcome]) -> str:
    """The headline table as Markdown: stage, status, time, headline KPIs and the what-ifs in short form."""
    lines = [
        "| stage | status | s | headline KPIs | what-ifs (paired difference, 95% CI; * significant) |",
        "|---|---|---|---|---|",
    ]
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
    write_text_atomic(out / "index.md", index_markdown(outcomes))
    write_text_atomic(
        out / "index.json",
        json.dumps(
            {"meta": dict(meta), "notebooks": [asdict(o) for o in outcomes]}, indent=2, ensure_ascii=False, default=str
        )
        + "\n",
    )
