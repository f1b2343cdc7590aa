"""The HTML of a report run: each executed notebook with its code hidden until asked for, and the index dashboard.

A reader of a report wants the story, the numbers and the charts; the code
is one click away ("Show code").  Every page opens with what makes it
reproducible (parameter set, scenario, seed, package versions) and, for a
notebook that failed, with the failing cell.  The index is a one-page
dashboard: the headline KPIs as tiles, one card per stage with its status,
time, a small chart of its what-ifs and links to its report, its executed
notebook and a zip of the whole run.  Its numbers are the ones the notebooks
recorded (``playbook.report.notebook.record``), never retyped.  It is written
as ``index.html``, ``index.json`` (for programs) and ``index.md`` (for
pasting), each atomically.

Every page works offline and from ``file://``: nbconvert's lab template is
used without its require.js, MathJax, mermaid and widget scripts (none of
which the notebooks need: no math, no widgets), charts are embedded PNGs or
inline SVG, styles are inline.  The words are the ``page`` section of the
catalogue (``playbook/text/messages.yaml``) in the language
``units.get_language()`` names, which the runner sets to the run's.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from playbook.report.outcome import Outcome
from playbook.text import i18n, units
from sim.outputs import write_text_atomic

#: nbconvert's lab page without the scripts it would fetch from a CDN (require.js, MathJax, mermaid, widgets).
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

STYLE = """
<style>
body:not(.show-code) .jp-CodeCell .jp-Cell-inputWrapper { display: none; }
body:not(.show-code) .jp-CodeCell:not(:has(.jp-OutputArea-child)) { display: none; }
.report-bar { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
              background: #f3f5f7; border-bottom: 1px solid #ccd; padding: 8px 16px;
              position: sticky; top: 0; z-index: 10; font-size: 13px; }
.report-bar button { float: right; font-size: 13px; margin-left: 12px; }
.report-failed { background: #fde2dd; color: #8a1c0c; padding: 8px 16px; font-family: sans-serif; }
.whatif-table td, .whatif-table th { white-space: nowrap; }
@media print { .report-bar { position: static; } .report-bar button { display: none; } }
</style>
"""


def _text(key: str, **values: Any) -> str:
    """The page's message ``key`` (``page.<key>`` in the catalogue) in the run's language."""
    return i18n.shown(f"page.{key}", **values)


def _toggle() -> str:
    show, hide = json.dumps(_text("show_code")), json.dumps(_text("hide_code"))
    return (
        f'<button id="toggle-code" type="button" onclick="document.body.classList.toggle(\'show-code\');'
        f"this.textContent=document.body.classList.contains('show-code')?{html.escape(hide)}:{html.escape(show)};\">"
        f"{html.escape(_text('show_code'))}</button>"
    )


def provenance_text(outcome: Outcome, set_name: str) -> str:
    """One line: parameter set and injected values, scenario, seed, horizon and package versions."""
    h = outcome.headline or {}
    values = ", ".join(f"{k}={v}" for k, v in outcome.parameters.items()) or _text("defaults")
    parts = [_text("parameters", name=set_name, values=values)]
    if h:
        versions = ", ".join(f"{k} {v}" for k, v in h.get("provenance", {}).items())
        parts.append(
            _text(
                "provenance",
                scenario=h["scenario"],
                path=h["scenario_path"],
                seed=h["seed"],
                days=h["days"],
                replications=h["replications"],
                versions=versions,
            )
            + (_text("quick_tag") if h.get("quick") else "")
        )
    return "; ".join(parts)


def notebook_html(executed: Path, outcome: Outcome, set_name: str) -> str:
    """The executed notebook as HTML (nbconvert's lab template, offline), code behind a toggle, provenance on top."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})])
    exporter.template_file = "offline.html.j2"
    exporter.language_code = units.get_language()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": outcome.title}})
    bar = (
        f'<div class="report-bar">{_toggle()}<b>{html.escape(outcome.title)}</b> &middot; '
        f"{html.escape(provenance_text(outcome, set_name))} &middot; "
        f'<a href="index.html">{html.escape(_text("index_link"))}</a></div>'
    )
    if outcome.status != "ok":
        bar += f'<div class="report-failed"><b>{_text("status_failed")}</b>: {html.escape(outcome.error)}</div>'
    head, sep, rest = body.partition("</head>")
    start = rest.index(">", rest.index("<body")) + 1
    return head + STYLE + sep + rest[:start] + bar + rest[start:]


# --- the index dashboard -------------------------------------------------------------------------------------

INDEX_STYLE = """
:root { --ok: #2a9d8f; --bad: #b00020; --muted: #667; --line: #d5d9e0; --base: #8c8c8c; }
* { box-sizing: border-box; }
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0;
       color: #1d2330; background: #f6f7f9; font-size: 14px; }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 12px 24px; }
header { padding-bottom: 0; } header h1 { margin: 8px 0 4px; font-size: 24px; }
.meta { color: var(--muted); margin: 2px 0; }
.bad { color: var(--bad); font-weight: bold; }
h2 { font-size: 16px; margin: 18px 0 8px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.tile .value { font-size: 21px; font-weight: 600; overflow-wrap: anywhere; }
.tile .name { font-size: 13px; }
.tile .unit, .tile .from { color: var(--muted); font-size: 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
        break-inside: avoid; page-break-inside: avoid; }
.card.failed { border-color: var(--bad); background: #fff7f6; }
.card.pending { color: var(--muted); }
.card h3 { font-size: 15px; margin: 0 0 4px; }
.card h3 a { color: inherit; }
.status { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; color: #fff;
          background: var(--ok); }
.status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.failed .status { background: var(--bad); }
.pending .status { background: var(--base); }
.card .time, .card .links { color: var(--muted); font-size: 12px; }
.card .error { color: var(--bad); font-size: 12px; overflow-wrap: anywhere; }
.card ul { margin: 6px 0 0; padding-left: 0; list-style: none; font-size: 12px; }
.card li { margin-bottom: 2px; }
.card svg { display: block; width: 100%; height: auto; margin-top: 6px; }
.legend { color: var(--muted); font-size: 12px; }
.provenance { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
              font-size: 13px; }
.provenance dt { font-weight: 600; } .provenance dd { margin: 0 0 6px; overflow-wrap: anywhere; }
a { color: #1d5c99; }
@media print {
  body { background: #fff; font-size: 11px; }
  header, main, footer { max-width: none; padding: 4px 0; }
  .cards { grid-template-columns: repeat(2, 1fr); }
  .tile, .card, .provenance { border-color: #999; }
  a { color: inherit; text-decoration: none; }
}
"""

#: Colours of a what-if's dot: better, worse, not distinguishable from 0 (as in ``playbook.report.plots``).
_BETTER, _WORSE, _UNCLEAR = "#2a9d8f", "#e76f51", "#457b9d"
#: Width of a what-if's label in a stage card's chart, in Latin characters (10 px type in a 360 px wide chart);
#: a Chinese character counts two.
MAX_LABEL = 64
#: Tiles at most on the dashboard (the first stages' headline KPIs, each KPI once).
MAX_TILES = 8


def _tiles(outcomes: Sequence[Outcome]) -> str:
    seen: dict[str, tuple[dict[str, Any], str]] = {}
    for o in outcomes:
        for k in (o.headline or {}).get("kpis", []):
            seen.setdefault(k["kpi"], (k, o.title))
    tiles = []
    for k, stage in list(seen.values())[:MAX_TILES]:
        after, words = units.UNIT_TEXT[units.get_language()].get(k.get("unit", ""), ("", ""))
        shown = words if words and len(after.strip()) <= 2 else ""  # '%', 'h', counts: say it; 'stars' is said
        tiles.append(
            f'<div class="tile"><div class="value">{html.escape(k["text"])}</div>'
            f'<div class="name">{html.escape(k["name"])}'
            + (f' <span class="unit">({html.escape(shown)})</span>' if shown else "")
            + f'</div><div class="from">{html.escape(stage)}</div></div>'
        )
    return "\n".join(tiles)


def _relative(w: Mapping[str, Any]) -> tuple[float, float, float] | None:
    """A what-if's change and its interval in % of the baseline mean (None without a usable baseline)."""
    base = w.get("mean_baseline")
    diff, low, high = w.get("diff"), w.get("ci_low"), w.get("ci_high")
    if not base or diff is None or low is None or high is None or not math.isfinite(diff + low + high):
        return None
    size = abs(float(base)) / 100.0
    return diff / size, low / size, high / size


def _nice(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above ``value`` (1 for 0): a round end for a chart's axis."""
    if not value > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _width(words: str) -> int:
    """Width of ``words`` in Latin characters: a CJK character (U+2E80 and above) is about two wide."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in words)


def _fit(words: str, room: int = MAX_LABEL - 8) -> str:
    """``words`` cut to ``room`` (in Latin characters) with '…', leaving room for the change ': +12.3%'."""
    if _width(words) <= room:
        return words
    while _width(words) > room - 1:
        words = words[:-1]
    return words + "…"


def whatif_svg(whatifs: Sequence[Mapping[str, Any]]) -> str:
    """A small inline SVG: one row per what-if, dot at its change in % of the baseline mean, whisker its 95% CI."""
    rows = [(w, r) for w in whatifs if (r := _relative(w)) is not None]
    if not rows:
        return ""
    reach = _nice(max(max(abs(r[1]), abs(r[2]), abs(r[0])) for _, r in rows))
    width, left, right, row_h, top = 360, 8, 352, 30, 4
    height = top + row_h * len(rows) + 18

    def x(v: float) -> float:
        return left + (v + reach) / (2 * reach) * (right - left)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(_text("chart_label"))}">',
        f"<title>{html.escape(_text('chart_label'))}</title>",
        f'<line x1="{x(0):.1f}" y1="{top}" x2="{x(0):.1f}" y2="{height - 16}" stroke="#8c8c8c" '
        'stroke-dasharray="3 3"/>',
    ]
    for i, (w, (mid, low, high)) in enumerate(rows):
        y = top + i * row_h
        good = (mid > 0) == units.higher_is_better(w.get("kpi", ""))
        colour = (_BETTER if good else _WORSE) if w.get("significant") else _UNCLEAR
        kpi = i18n.kpi_name(w.get("kpi", ""), units.get_language())
        label = _fit(_text("chart_row", strategy=w.get("strategy", ""), baseline=w.get("baseline", ""), kpi=kpi))
        label += f": {mid:+.1f}%"
        parts += [
            f'<text x="{left}" y="{y + 10}" font-size="10" fill="#333" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{html.escape(label)}</text>',
            f'<line x1="{x(low):.1f}" y1="{y + 20}" x2="{x(high):.1f}" y2="{y + 20}" stroke="{colour}" '
            'stroke-width="2"/>',
            f'<line x1="{x(low):.1f}" y1="{y + 16}" x2="{x(low):.1f}" y2="{y + 24}" stroke="{colour}"/>',
            f'<line x1="{x(high):.1f}" y1="{y + 16}" x2="{x(high):.1f}" y2="{y + 24}" stroke="{colour}"/>',
            f'<circle cx="{x(mid):.1f}" cy="{y + 20}" r="4" fill="{colour}"/>',
        ]
    for v, anchor in ((-reach, "start"), (0.0, "middle"), (reach, "end")):
        parts.append(
            f'<text x="{x(v):.1f}" y="{height - 4}" font-size="9" fill="#667" text-anchor="{anchor}">{v:+.0f}%</text>'
            if v
            else f'<text x="{x(v):.1f}" y="{height - 4}" font-size="9" fill="#667" text-anchor="{anchor}">0</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _status(o: Outcome) -> str:
    """A stage's status in the run's language: ok, FAILED, not run yet."""
    return _text({"ok": "status_ok", "pending": "status_pending"}.get(o.status, "status_failed"))


def _card(o: Outcome) -> str:
    h = o.headline or {}
    status = _status(o)
    title = (
        f'<a href="{html.escape(o.notebook)}.html">{html.escape(o.title)}</a>'
        if o.status != "pending"
        else html.escape(o.title)
    )
    links = (
        f'<div class="links"><a href="{html.escape(o.notebook)}.html">{_text("report_link")}</a> · '
        f'<a href="{html.escape(o.notebook)}.ipynb">{_text("notebook_link")}</a></div>'
        if o.status != "pending"
        else ""
    )
    error = f'<div class="error">{html.escape(o.error)}</div>' if o.error else ""
    whatifs = h.get("whatifs", [])
    items = [
        ("&#9679; " if w.get("significant") else "&#9675; ") + html.escape(w.get("short", w.get("conclusion", "")))
        for w in whatifs
    ] + [f"<small>{html.escape(note)}</small>" for note in h.get("notes", [])]
    listed = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""
    time = _text("seconds", seconds=f"{o.seconds:.1f}") if o.status != "pending" else ""
    return (
        f'<section class="card {html.escape(o.status)}" id="stage-{html.escape(o.notebook)}">'
        f'<h3>{title}</h3><span class="status">{html.escape(status)}</span> <span class="time">{time}</span>'
        f"{error}{whatif_svg(whatifs)}{listed}{links}</section>"
    )


def _provenance(outcomes: Sequence[Outcome], meta: Mapping[str, Any]) -> str:
    done = [o.headline for o in outcomes if o.headline]
    first = done[0] if done else {}
    versions = ", ".join(f"{k} {v}" for k, v in first.get("provenance", {}).items()) or _text("unknown")
    scenarios = sorted(
        {
            _text(
                "scenario_line",
                scenario=f"{h['scenario']} ({h['scenario_path']})",
                seed=h["seed"],
                days=h["days"],
                replications=h["replications"],
            )
            for h in done
        }
    )
    quick = f'<dd class="bad">{_text("quick_mode")}</dd>' if any(h.get("quick") for h in done) else ""
    zip_name = meta.get("zip")
    downloads = (
        f'<dt>{_text("downloads")}</dt><dd><a href="{html.escape(zip_name)}">{html.escape(zip_name)}</a> '
        f"({_text('zip_link')})</dd>"
        if zip_name
        else ""
    )
    scenario = html.escape("; ".join(scenarios) or _text("unknown"))
    return (
        f'<dl class="provenance"><dt>{_text("scenario")}</dt><dd>{scenario}</dd>'
        f"{quick}<dt>{_text('config')}</dt><dd>{html.escape(meta['config'])} · "
        f"{html.escape(meta['parameter_set'])}</dd><dt>{_text('versions')}</dt><dd>{html.escape(versions)}</dd>"
        f"{downloads}</dl>"
    )


def index_html(outcomes: Sequence[Outcome], meta: Mapping[str, Any]) -> str:
    """The index dashboard: run facts, KPI tiles, one card per stage (status, time, chart, links), provenance."""
    failed = [o for o in outcomes if o.status == "failed"]
    pending = any(o.status == "pending" for o in outcomes)
    summary = _text("notebooks_ok", ok=sum(o.status == "ok" for o in outcomes), total=len(outcomes))
    if failed:
        names = ", ".join(o.notebook for o in failed)
        summary += f' · <span class="bad">{html.escape(_text("failed_list", count=len(failed), names=names))}</span>'
    run_line = _text(
        "run_line",
        run=meta["run"],
        parameter_set=meta["parameter_set"],
        started=meta["started"],
        seconds=_text("seconds", seconds=f"{meta['seconds']:.1f}"),
        so_far=_text("so_far" if pending else "in_all"),
    )
    title = f"{_text('index_title')}: {meta['run']}"
    return f"""<!DOCTYPE html>
<html lang="{html.escape(units.get_language())}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{INDEX_STYLE}</style></head><body>
<header><h1>{html.escape(_text("index_title"))}</h1>
<p class="meta">{html.escape(run_line)}</p><p class="meta">{summary}</p></header>
<main>
<h2>{_text("kpis_heading")}</h2>
<div class="tiles">
{_tiles(outcomes)}
</div>
<h2>{_text("stages_heading")}</h2>
<p class="legend">{html.escape(_text("legend"))}</p>
<div class="cards">
{chr(10).join(_card(o) for o in outcomes)}
</div>
<h2>{_text("provenance_heading")}</h2>
{_provenance(outcomes, meta)}
</main></body></html>
"""


def index_markdown(outcomes: Sequence[Outcome]) -> str:
    """The headline table as Markdown: stage, status, time, headline KPIs and the what-ifs in short form."""
    lines = [_text("md_header"), "|---|---|---|---|---|"]
    for o in outcomes:
        h = o.headline or {}
        kpis = "; ".join(f"{k['name']} {k['text']}" for k in h.get("kpis", []))
        whatif = (
            "; ".join(
                w.get("short", w["conclusion"]) + (" *" if w.get("significant") else "") for w in h.get("whatifs", [])
            )
            or o.error
        )
        lines.append(f"| {o.notebook} | {_status(o)} | {o.seconds:.0f} | {kpis} | {whatif} |".replace("\n", " "))
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
