"""KPI names, units and number formats for notebooks, plots and reports.

Every KPI of ``sim.results.kpis`` carries a unit ('share', 'money', 'hours', ...) and
a docstring that opens with its name ("Mean first-response time = ...").  This
module turns those into axis labels and into the numbers a reader sees, so a
share is printed as a percentage and a change in a share in percentage
points, money carries its currency and hours an 'h', the same way in every
notebook, plot and index page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from sim.results import measures
from sim.results.kpis import KPI_BY_NAME

#: How a unit is written after a number; shares are printed as % (and differences in pp).
_SUFFIX = {
    "hours": " h",
    "stars": " stars",
    "ratio": "x",
    "tickets/order": " tickets/order",
    "days": " days",
    "units": " units",
}


#: Metrics derived in the playbook from KPIs (see ``WhatIf.derive``): name -> (unit, name, higher is better, formula).
_DERIVED: dict[str, tuple[str, str, bool, str]] = {}


def _measure_docs() -> None:
    """Register the simulation-only measures of ``sim.results.measures``: unit and direction from ``MEASURES``, name and
    formula from each function's docstring."""
    for kpi, (measure_unit, higher_is_better) in measures.MEASURES.items():
        func = getattr(measures, kpi, None)
        doc = (func.__doc__ or "").strip().split("\n\n", 1)[0].replace("\n", " ") if func else ""
        head, sep, formula = doc.partition(" = ")
        name, formula = (head.strip(), formula) if sep else (kpi.replace("_", " ").capitalize(), doc)
        register(kpi, measure_unit, name, formula.strip().rstrip("."), higher_is_better)


def register(kpi: str, unit: str, name: str, definition: str, higher_is_better: bool = True) -> None:
    """Declare a derived metric's unit, name, formula and direction, so it is formatted like a KPI."""
    _DERIVED[kpi] = (unit, name, higher_is_better, definition)


_measure_docs()


def unit(kpi: str) -> str:
    """The KPI's unit from ``sim.results.kpis`` ('share', 'money', 'hours', ...); '' for names it does not define."""
    if kpi in _DERIVED:
        return _DERIVED[kpi][0]
    found = KPI_BY_NAME.get(kpi)
    return found.unit if found else ""


def higher_is_better(kpi: str) -> bool:
    """True when a rise of the KPI is good news (``sim.results.kpis``; True for names it does not define)."""
    if kpi in _DERIVED:
        return _DERIVED[kpi][2]
    found = KPI_BY_NAME.get(kpi)
    return found.higher_is_better if found else True


def name(kpi: str) -> str:
    """Human name of a KPI: its docstring up to ' = ' ("Mean first-response time"), else the name spelled out."""
    if kpi in _DERIVED:
        return _DERIVED[kpi][1]
    found = KPI_BY_NAME.get(kpi)
    doc = (found.func.__doc__ or "") if found else ""
    head = doc.strip().split(" = ", 1)[0].strip()
    if found and head and "\n" not in head and len(head) <= 60:
        return head[0].upper() + head[1:]
    return kpi.replace("_", " ").capitalize()


def phrase(kpi: str) -> str:
    """The name for use inside a sentence: first letter lowered unless the first word is an acronym ('AI share')."""
    text = name(kpi)
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first[:2].isupper() else text[0].lower() + text[1:]


def label(kpi: str, currency: str = "EUR") -> str:
    """Axis label with the unit in brackets, e.g. 'Mean first-response time (hours)', 'Net revenue (EUR)'."""
    u = unit(kpi)
    shown = {"money": currency, "share": "%", "": ""}.get(u, u)
    return f"{name(kpi)} ({shown})" if shown else name(kpi)


def scale(kpi: str) -> float:
    """Factor from the KPI's stored value to the plotted one (100 for shares, shown in %)."""
    return 100.0 if unit(kpi) == "share" else 1.0


def _digits(value: float) -> int:
    """Decimals that keep about three significant figures for small numbers and none for large ones."""
    size = abs(value)
    return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.1 or size == 0 else 3


def _render(value: float, kpi: str, currency: str, share_unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    u = unit(kpi)
    if u == "share":
        return f"{value * 100:.{_digits(value * 100)}f}{share_unit}"
    if u == "money":
        return f"{currency} {value:,.{_digits(value)}f}"
    return f"{value:,.{_digits(value)}f}{_SUFFIX.get(u, '')}"


def fmt(value: float, kpi: str, currency: str = "EUR") -> str:
    """A KPI value as a reader should see it: '1.76%', 'EUR 30,323', '7.2 h', '4.27 stars'."""
    return _render(value, kpi, currency, "%")


def fmt_diff(value: float, kpi: str, currency: str = "EUR", signed: bool = True) -> str:
    """A change in a KPI: '+0.21 pp' for shares (percentage points), '-5.1 h', '+EUR 1,204' (no sign: its size)."""
    text = _render(abs(value) if value is not None else None, kpi, currency, " pp")
    if text == "n/a" or not signed:
        return text
    return ("+" if value > 0 else "-" if value < 0 else "±") + text


def definition(kpi: str) -> str:
    """The KPI's formula as its docstring states it ("orders / sessions"); '' when it has none."""
    if kpi in _DERIVED:
        return _DERIVED[kpi][3]
    found = KPI_BY_NAME.get(kpi)
    doc = (found.func.__doc__ or "").strip() if found else ""
    first = doc.split("\n\n", 1)[0].replace("\n", " ")
    return first.split(" = ", 1)[1].strip().rstrip(".") if " = " in first else ""


def kpi_table(values: Mapping[str, float], currency: str = "EUR") -> pd.DataFrame:
    """KPIs as a reader's table: name, formatted value, unit and definition, one row per KPI."""
    return pd.DataFrame(
        [
            {"KPI": name(k), "value": fmt(v, k, currency), "unit": unit(k), "definition": definition(k)}
            for k, v in values.items()
        ]
    ).set_index("KPI")
