"""The SOP checklist of stage 10 as a reader sees it: stage, owner, metric, value, target and status.

``playbook.analysis.capacity.targets`` compares each stage's KPI with its
target; this module words and formats that table in the report's language.
Say the after-sales lead signed up for an SLA attainment of at least 90% and
the store reaches 50%: the row reads ``7 售后与服务体验 | 客服主管 |
响应时效达标率（SLA） | 50.0% | >= 90.0% | misses`` in a Chinese report (the
status stays a code to filter on; ``i18n.columns`` shows it as 未达标).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from playbook.analysis import capacity
from playbook.text import i18n, units


def table(
    path: str | Path, values: Mapping[str, float], currency: str = "EUR", language: str | None = None
) -> pd.DataFrame:
    """The checklist of ``path`` with ``values`` for display: stage, owner, metric, value, target, status.

    Stage, owner, metric and numbers are in ``language`` (default: the kernel's,
    ``units.get_language()``; Chinese from the file's ``stage_zh`` and
    ``owner_zh``, English where the file has none).
    """
    lang = language or units.get_language()
    rows = []
    for row in capacity.targets(path, values).to_dict("records"):
        kpi = row["kpi"]
        bounds = [
            f"{sign} {units.fmt(row[side], kpi, currency, lang)}" if not pd.isna(row[side]) else ""
            for sign, side in ((">=", "min"), ("<=", "max"))
        ]
        rows.append(
            {
                "stage": _translated(row, "stage", lang),
                "owner": _translated(row, "owner", lang),
                "metric": i18n.kpi_name(kpi, lang),
                "value": units.fmt(row["value"], kpi, currency, lang),
                "target": i18n.t("sop.both", lang, low=bounds[0], high=bounds[1]) if all(bounds) else "".join(bounds),
                "status": row["status"],
            }
        )
    return pd.DataFrame(rows)


def _translated(row: Mapping[str, object], field: str, language: str) -> str:
    """``row[field + '_' + language]`` when the file gave one, else ``row[field]`` (English)."""
    text = row.get(f"{field}_{language}")
    return str(row[field]) if text is None or pd.isna(text) else str(text)
