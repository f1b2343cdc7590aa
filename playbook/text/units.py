"""KPI names, units and number formats for notebooks, plots and reports, in English or Chinese (Babel).

Every KPI of ``sim.results.kpis`` carries a unit ('share', 'money', 'hours', ...) and
a docstring that opens with its name ("Mean first-response time = ...").  This
module turns those into axis labels and into the numbers a reader sees, the
same way in every notebook, plot and index page, formatted by Babel for the
report's locale (``en`` or ``zh_CN``):

* money by its currency: ``€12,345.00``, ``¥12,345.00`` (a CNY store in zh_CN), changes ``+€1,204.00``;
* shares as percentages (``1.76%``) and changes in shares in percentage points (``+0.21 pp``, ``+0.21 个百分点``);
* counts (orders, sessions, customers) as whole numbers (``826``), dates as the locale writes them
  (``Mar 5, 2026``, ``2026年3月5日``);
* units in words for tables (``euros``, ``hours``, ``人民币``, ``小时``), never the internal 'money'.

The language is per call (``language="zh"``) or for the whole kernel
(:func:`set_language`, which a notebook's ``language`` parameter can set).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_name, get_currency_symbol

from sim.results import measures
from sim.results.kpis import KPI_BY_NAME

#: The report languages and the Babel locale each formats numbers, money and dates with.
LOCALES = {"en": "en", "zh": "zh_CN"}
#: Units counted in whole things: printed as integers.
COUNTS = frozenset({"orders", "sessions", "customers", "units"})
#: Per language, each unit's (text after a number, words for a table's unit column).  Money is Babel's;
#: 'pp' is the unit of a change in a share.  A unit not listed is printed as it is named.
UNIT_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "share": ("%", "percent"),
        "pp": (" pp", "percentage points"),
        "hours": (" h", "hours"),
        "days": (" days", "days"),
        "stars": (" stars", "stars"),
        "ratio": ("x", "times"),
        "tickets/order": (" tickets/order", "tickets per order"),
        "units": (" units", "units"),
        "orders": ("", "orders"),
        "sessions": ("", "sessions"),
        "customers": ("", "customers"),
    },
    "zh": {
        "share": ("%", "百分比"),
        "pp": (" 个百分点", "个百分点"),
        "hours": (" 小时", "小时"),
        "days": (" 天", "天"),
        "stars": (" 星", "星"),
        "ratio": (" 倍", "倍"),
        "tickets/order": (" 张工单/单", "张工单/单"),
        "units": (" 件", "件"),
        "orders": (" 单", "单"),
        "sessions": (" 次", "次访问"),
        "customers": (" 位", "位顾客"),
    },
}
_language = "en"


def set_language(language: str) -> None:
    """Make ``language`` ('en' or 'zh') the default of every format in this kernel (ValueError otherwise)."""
    global _language
    _language = _checked(language)


def get_language() -> str:
    """The default language of the formats ('en' unless :func:`set_language` changed it)."""
    return _language


def _checked(language: str | None) -> str:
    chosen = _language if language is None else language
    if chosen not in LOCALES:
        raise ValueError(f"language = {chosen!r}: allowed: {', '.join(LOCALES)}")
    return chosen


def locale(language: str | None = None) -> str:
    """The Babel locale of ``language`` (default: the current language): 'en' or 'zh_CN'."""
    return LOCALES[_checked(language)]


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


def _text(kpi: str, language: str | None) -> tuple[str, str]:
    u = unit(kpi)
    return UNIT_TEXT[_checked(language)].get(u, ("", u))


def unit_words(kpi: str, currency: str = "EUR", language: str | None = None) -> str:
    """The KPI's unit as a reader says it: 'euros', 'percent', 'hours', 'orders'; '人民币', '小时' in Chinese."""
    if unit(kpi) == "money":
        return get_currency_name(currency, count=2, locale=locale(language))
    return _text(kpi, language)[1]


def unit_symbol(kpi: str, currency: str = "EUR", language: str | None = None) -> str:
    """The short unit for a table header: '€', '¥', '%', 'h', 'stars'; the words for counts ('orders')."""
    if unit(kpi) == "money":
        return get_currency_symbol(currency, locale=locale(language))
    after, words = _text(kpi, language)
    return after.strip() or words


def diff_unit(kpi: str, currency: str = "EUR", language: str | None = None) -> str:
    """The short unit of a change in the KPI: 'pp' (percentage points) for shares, else :func:`unit_symbol`."""
    if unit(kpi) == "share":
        return UNIT_TEXT[_checked(language)]["pp"][0].strip()
    return unit_symbol(kpi, currency, language)


def scale(kpi: str) -> float:
    """Factor from the KPI's stored value to the plotted one (100 for shares, shown in %)."""
    return 100.0 if unit(kpi) == "share" else 1.0


def _digits(value: float) -> int:
    """Decimals that keep about three significant figures for small numbers and none for large ones."""
    size = abs(value)
    return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.1 or size == 0 else 3


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(
    value: float | None, kpi: str, language: str | None = None, *, whole: bool | None = None, like: float | None = None
) -> str:
    """The bare number of a KPI in its shown scale, without unit: '1.76' for a 1.76% share, '44,647' for money.

    About three significant figures, none after the point from 100 on;
    counts are whole numbers unless ``whole`` is False (a mean change of
    0.5 orders is worth showing).  ``like``: use the decimals that value
    would get (an interval's bounds shown like its mean: '-9.94 [-12.94 - -6.94]').
    'n/a' for a missing value.
    """
    if value is None or _missing(value):
        return "n/a"
    shown = float(value) * scale(kpi)
    whole = unit(kpi) in COUNTS if whole is None else whole
    digits = 0 if whole else _digits(shown if like is None or _missing(like) else float(like) * scale(kpi))
    return format_decimal(shown, "#,##0" + ("." + "0" * digits if digits else ""), locale=locale(language))


def _render(value: float, kpi: str, currency: str, language: str | None, diff: bool) -> str:
    u = unit(kpi)
    if u == "money":
        return format_currency(value, currency, locale=locale(language))
    text = number(value, kpi, language, whole=False if diff else None)
    return text + UNIT_TEXT[_checked(language)].get("pp" if diff and u == "share" else u, ("", ""))[0]


def fmt(value: float | None, kpi: str, currency: str = "EUR", language: str | None = None) -> str:
    """A KPI value as a reader should see it: '1.76%', '€30,322.70', '¥12,345.00', '7.18 h', '826' (orders)."""
    if value is None or _missing(value):
        return "n/a"
    return _render(value, kpi, currency, language, diff=False)


def fmt_diff(
    value: float | None, kpi: str, currency: str = "EUR", signed: bool = True, language: str | None = None
) -> str:
    """A change in a KPI: '+0.21 pp' for shares (percentage points), '-5.1 h', '+€1,204.00' (no sign: its size)."""
    if value is None or _missing(value):
        return "n/a"
    text = _render(abs(float(value)), kpi, currency, language, diff=True)
    if not signed:
        return text
    return ("+" if value > 0 else "-" if value < 0 else "±") + text


def fmt_count(value: float, language: str | None = None) -> str:
    """A count as a whole number with the locale's grouping: '12,346'."""
    return format_decimal(round(value), "#,##0", locale=locale(language))


def fmt_date(value: dt.date | dt.datetime | str | pd.Timestamp, language: str | None = None) -> str:
    """A date as the locale writes it: 'Mar 5, 2026' (en), '2026年3月5日' (zh)."""
    return format_date(pd.Timestamp(value).date(), format="medium", locale=locale(language))


def definition(kpi: str) -> str:
    """The KPI's formula as its docstring states it ("orders / sessions"); '' when it has none."""
    if kpi in _DERIVED:
        return _DERIVED[kpi][3]
    found = KPI_BY_NAME.get(kpi)
    doc = (found.func.__doc__ or "").strip() if found else ""
    first = doc.split("\n\n", 1)[0].replace("\n", " ")
    return first.split(" = ", 1)[1].strip().rstrip(".") if " = " in first else ""


def kpi_table(values: Mapping[str, float], currency: str = "EUR", language: str | None = None) -> pd.DataFrame:
    """KPIs as a reader's table: name, formatted value, unit in words and definition, one row per KPI."""
    return pd.DataFrame(
        [
            {
                "KPI": name(k),
                "value": fmt(v, k, currency, language),
                "unit": unit_words(k, currency, language),
                "definition": definition(k),
            }
            for k, v in values.items()
        ]
    ).set_index("KPI")
