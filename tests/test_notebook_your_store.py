"""``notebooks/13_your_store``: runs under papermill on both bundled exports, reads them right, leaks nobody.

Real runs (papermill, a real kernel, the real samples) in quick mode
(``STORE_PLAYBOOK_QUICK=1``: what-ifs of 30 days, 3 replications; the twin
still runs over the export's whole horizon).  The kernel imports this tree
(``PYTHONPATH``), as nbval does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import papermill
import pytest

from playbook.data.loaders import load_shopify_csv, load_taobao_csv
from playbook.data.taobao import PERSONAL_COLUMNS as TAOBAO_PERSONAL
from playbook.report.notebook import QUICK_ENV
from tests.playbook.analysis.test_calibrate_command import personal_data

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
NOTEBOOK = ROOT / "notebooks" / "13_your_store.ipynb"
SHOPIFY_PERSONAL = ("Email", "Billing Name", "Shipping Name", "Billing Address1", "Shipping Address1", "Phone")
EXPORTS = {
    "shopify": SAMPLES / "shopify_orders_export.csv",
    "taobao": SAMPLES / "taobao_orders_export.csv",
}


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[nbformat.NotebookNode, dict]]:
    """Notebook 13 run on each bundled export (English), with its headline record."""
    folder = tmp_path_factory.mktemp("your_store")
    old = {k: os.environ.get(k) for k in (QUICK_ENV, "PYTHONPATH")}
    os.environ[QUICK_ENV] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), old["PYTHONPATH"] or ""])
    out = {}
    try:
        for fmt, export in EXPORTS.items():
            headline = folder / f"{fmt}.json"
            papermill.execute_notebook(
                str(NOTEBOOK),
                str(folder / f"{fmt}.ipynb"),
                parameters={
                    "export": str(export),
                    "export_format": fmt,
                    "language": "en",
                    "workers": 1,
                    "headline_file": str(headline),
                },  # fmt: skip
                kernel_name="python3",
                progress_bar=False,
                cwd=str(ROOT),
            )
            out[fmt] = (nbformat.read(folder / f"{fmt}.ipynb", as_version=4), json.loads(headline.read_text()))
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return out


def test_the_shopify_sample_is_read_measured_and_its_twin_within_the_tolerances(executed):
    """The headline's KPIs are the export's own; all three verdicts say "within".

    Measured with 10 replications: order rate +1.8% (se 1.2%), AOV -0.1% (se
    0.25%), repeat share -0.3 points (se 0.2).  Here 3 runs: the se grow by
    sqrt(10/3), to about 2.2%, 0.45% and 0.4 points, so a correct twin crosses
    a bound (10%, 5%, 5 points) only 3.7 or more se away from its measured
    gap: a chance of about 2 in 10,000 (order rate), far less for the others.
    """
    _, headline = executed["shopify"]
    orders = load_shopify_csv(EXPORTS["shopify"], tz="America/New_York", currency="USD")
    kpis = {k["kpi"]: k["value"] for k in headline["kpis"]}
    assert kpis["orders"] == len(orders) == 2700
    assert kpis["average_order_value"] == pytest.approx(orders["revenue"].mean())
    assert headline["notes"][0].count("within the tolerance") == 3 and "OUTSIDE" not in headline["notes"][0]
    assert headline["quick"] and len(headline["whatifs"]) == 2


def test_the_taobao_sample_runs_in_cny(executed):
    nb, headline = executed["taobao"]
    kpis = {k["kpi"]: k["value"] for k in headline["kpis"]}
    assert kpis["orders"] == len(load_taobao_csv(EXPORTS["taobao"]))
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "time zone Asia/Shanghai, money in CNY" in printed


def _shown(nb: nbformat.NotebookNode) -> str:
    """Everything the executed notebook shows: printed text, tables, errors, image alt texts (not the PNG bytes)."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") + "".join(output.get("traceback", [])))
            parts += [str(v) for k, v in output.get("data", {}).items() if not k.startswith("image/")]
    return "\n".join(parts).lower()


def test_no_personal_data_in_the_notebooks_outputs(executed):
    """None of the samples' e-mails (or their local parts), names, street addresses or phones in any output."""
    secrets = personal_data(EXPORTS["shopify"], SHOPIFY_PERSONAL) | personal_data(EXPORTS["taobao"], TAOBAO_PERSONAL)
    assert len(secrets) > 3000  # the scan looks for something
    for fmt, (nb, headline) in executed.items():
        text = _shown(nb) + json.dumps(headline, ensure_ascii=False).lower()
        assert len(text) > 5000, fmt  # the outputs are there to scan
        assert not {s for s in secrets if s in text}, fmt
