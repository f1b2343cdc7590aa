"""The playbook in two languages: one catalogue of strings, the ``language`` of a notebook or report run.

Every sentence the playbook's code prints or draws (what-if conclusions,
table headings, plot titles and axes, the report index, the notebooks'
computed lines) lives once in ``messages.yaml`` beside this module, with a
Chinese and an English text under one key::

    whatif:
      best:
        en: "Best on {what}: {conclusion}"
        zh: "{what}最好的策略：{conclusion}"

``t("whatif.best", "zh", what="转化率", conclusion=...)`` fills it in; the
report pages and the index (``page.*``) and the runner's terminal lines
(``run.*``) speak the run's language, the one ``units.get_language()`` names
(:func:`shown`).  A test
checks that every key has both languages with the same placeholders, so the
two never drift apart.  A notebook's narrative is kept in paired Markdown
cells tagged ``lang-en`` and ``lang-zh``; the report runner keeps the cells
of the run's language (:func:`keep_language`).  Chinese is the playbook's
first language (the guide's), so notebooks and reports default to it; the
Python API (``WhatIf``, ``plots``) keeps English unless asked.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from playbook.text import units

LANGUAGES = ("zh", "en")
#: The language of notebooks and reports when none is given: the guide's.
DEFAULT_LANGUAGE = "zh"
#: The language of the Python API's sentences (``WhatIf``, ``plots``) when none is given.
API_LANGUAGE = "en"
CATALOGUE = Path(__file__).with_name("messages.yaml")
#: Cell tag of a Markdown cell written in one language: ``lang-zh``, ``lang-en``.
TAG = "lang-{}"


def check_language(language: str) -> str:
    """``language`` if it is one the playbook speaks, else ValueError naming the allowed ones."""
    if language not in LANGUAGES:
        raise ValueError(f"language = {language!r}: allowed: {', '.join(map(repr, LANGUAGES))}")
    return language


def _flatten(node: Mapping[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        if not isinstance(key, str):  # YAML reads a bare on/off/yes/no as a boolean
            raise ValueError(f"{CATALOGUE.name}: {path}: a key must be a string; quote it")
        if not isinstance(value, Mapping):
            raise ValueError(f"{CATALOGUE.name}: {path}: expected a mapping of languages or of keys")
        if set(value) & set(LANGUAGES):
            out[path] = {str(lang): str(text) for lang, text in value.items()}
        else:
            out.update(_flatten(value, path + "."))
    return out


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message: dotted key -> {language: text}, read once from ``messages.yaml``."""
    return _flatten(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


def placeholders(text: str) -> set[str]:
    """The names a message fills in: ``"{n} runs of {days} days"`` -> {'n', 'days'}."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def has(key: str) -> bool:
    """True when the catalogue holds ``key``."""
    return key in catalogue()


def t(key: str, language: str, **values: Any) -> str:
    """The message ``key`` in ``language`` with ``values`` filled in (KeyError naming the key when unknown)."""
    entry = catalogue().get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in {CATALOGUE.name}")
    return entry[check_language(language)].format(**values)


def shown(key: str, **values: Any) -> str:
    """``t`` in the kernel's language (``units.get_language()``, which the runner and ``nb.setup`` set)."""
    return t(key, units.get_language(), **values)


def translator(language: str, section: str = "") -> Callable[..., str]:
    """``t`` bound to one language and catalogue section: ``tr = translator("zh", "s07"); tr("desk_now", ...)``."""
    check_language(language)
    prefix = f"{section}." if section else ""
    return lambda key, **values: t(prefix + key, language, **values)


def kpi_name(kpi: str, language: str) -> str:
    """A KPI's name: English from its docstring (``units.name``), Chinese from the catalogue (``kpi.<name>``)."""
    if check_language(language) == "zh" and has(f"kpi.{kpi}"):
        return t(f"kpi.{kpi}", language)
    return units.name(kpi)


def kpi_phrase(kpi: str, language: str) -> str:
    """The KPI's name inside a sentence ('mean first-response time'; Chinese has no capitals to lower)."""
    return units.phrase(kpi) if language == "en" else kpi_name(kpi, language)


def kpi_label(kpi: str, currency: str, language: str) -> str:
    """Axis label with the unit: 'Net revenue (EUR)', '平均首次响应时长（小时）', '净销售额（¥）'."""
    if language == "en":
        return units.label(kpi, currency)
    shown = units.unit_symbol(kpi, currency, language)
    return f"{kpi_name(kpi, language)}（{shown}）" if shown else kpi_name(kpi, language)


def word(group: str, name: str, language: str) -> str:
    """A column, funnel step or channel name in ``language`` (``group.name`` in the catalogue), else as it is."""
    key = f"{group}.{name}"
    return t(key, language) if has(key) else name


def keep_language(nb: Any, language: str) -> int:
    """Drop the cells of ``nb`` (an nbformat notebook) tagged for another language; return how many went."""
    others = {TAG.format(lang) for lang in LANGUAGES if lang != check_language(language)}
    kept = [c for c in nb.cells if not others & set(c.get("metadata", {}).get("tags", []))]
    dropped = len(nb.cells) - len(kept)
    nb.cells = kept
    return dropped


def kpi_table(values: Mapping[str, float], currency: str, language: str) -> pd.DataFrame:
    """``units.kpi_table`` with Chinese headings, KPI names and formulas: name, value, unit and formula per KPI."""
    if check_language(language) == "en":
        return units.kpi_table(values, currency, language)
    tr = translator(language, "table")
    return pd.DataFrame(
        [
            {
                tr("kpi"): kpi_name(k, language),
                tr("value"): units.fmt(v, k, currency, language),
                tr("unit"): units.unit_words(k, currency, language),
                tr("definition"): t(f"definition.{k}", language) if has(f"definition.{k}") else units.definition(k),
            }
            for k, v in values.items()
        ]
    ).set_index(tr("kpi"))


#: Columns whose values are words of a catalogue section: an event trail's ``kind``, the SOP checklist's ``status``.
VALUE_WORDS = {"kind": "event", "status": "sop"}


def _column(name: str, language: str) -> str:
    """A table column in ``language``: its catalogue word, else the KPI of that name, else as it is."""
    if has(f"column.{name}"):
        return t(f"column.{name}", language)
    return kpi_name(name, language) if has(f"kpi.{name}") else name


def columns(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``frame`` with the columns (and index name) the catalogue knows renamed to ``language``; English as it is.

    The values of a column in ``VALUE_WORDS`` are shown in ``language`` too
    (``order_placed`` -> 下单, ``misses`` -> 未达标); the data keeps its own names.
    """
    if check_language(language) == "en":
        return frame
    renamed = frame.assign(
        **{
            c: frame[c].astype(object).map(lambda v, s=s: word(s, v, language) if isinstance(v, str) else v)
            for c, s in VALUE_WORDS.items()
            if c in frame.columns
        }
    )
    renamed = renamed.rename(columns=lambda c: _column(str(c), language))
    renamed = renamed.rename(index=lambda r: word("label", r, language) if isinstance(r, str) else r)
    if frame.index.name:
        renamed.index.name = _column(str(frame.index.name), language)
    return renamed


def weekdays(days: list[int], language: str) -> str:
    """Shift days (0 = Monday) for a sentence: '周一至周六', '每天'; in English the list as the scenario writes it."""
    if check_language(language) == "en":
        return str(list(days))
    days = sorted(days)
    if len(days) == 7:
        return t("day.every", language)
    names = [t(f"day.d{d}", language) for d in days]
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return t("day.range", language, first=names[0], last=names[-1])
    return "、".join(names)
