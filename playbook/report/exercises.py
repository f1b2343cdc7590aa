"""Workshop exercises: ``check("07.cheapest_sla", answer, language=language, ...)`` in a notebook.

Every exercise (id, stage, kind, task, hints, in Chinese and English) lives
in ``exercises.yaml`` beside this module.  A notebook poses it in a Markdown
cell tagged ``exercise``, works it in a code cell tagged ``solution`` (blanked
to ``answer = ...`` in the student copy, see :mod:`playbook.workshop`) and
checks it in a cell tagged ``check``.  The expected answer comes from the
same run as keyword context, never typed in, so it stays right when the
parameters change::

    check("07.closed_share", answer, language="en", expected=(~in_hours).mean())
    # -> "07.closed_share: correct (0.62)."  or a hint

Kinds:

* ``number``: ``expected`` (a float); correct within the exercise's ``abs`` or
  ``rel`` tolerance (a value read off a rounded table is still right).
* ``direction``: ``expected`` 'up', 'down' or 'same' (see :func:`direction`);
  the answer may be 'up', '+', '升', 'higher' ...
* ``choice``: ``expected`` one option (or a list of right ones) and ``options``
  the list shown; the answer is the option itself or its 1-based number.
  Options and expected may instead be given in the YAML (a fact the model
  guarantees, e.g. "tickets wait because the desk is closed").
* ``cheapest``: ``candidates`` {name: (kpi value, cost)} and ``target``; the
  right answer is the cheapest candidate whose value reaches the target
  (``at_most: true`` in the YAML: stays at or below it), or 'none'.

:func:`check` never raises: a participant who has not answered (``...`` or
None) or types something odd gets a hint, not a traceback.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from playbook.text import i18n

CATALOGUE = Path(__file__).with_name("exercises.yaml")
#: Set (to anything but '') by the test suite: an answered exercise judged wrong raises (see ``check``).
TEACHER_CHECKS_ENV = "STORE_PLAYBOOK_TEACHER_CHECKS"
KINDS = ("number", "direction", "choice", "cheapest")
DIRECTIONS = ("up", "down", "same")


@cache
def catalogue() -> dict[str, Any]:
    """The whole ``exercises.yaml``: ``messages`` (the checker's sentences), ``aliases`` and ``exercises``."""
    return dict(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


def exercises() -> dict[str, dict[str, Any]]:
    """Every exercise by id ('07.cheapest_sla'), in stage order."""
    return dict(catalogue()["exercises"])


def _say(key: str, language: str, **values: Any) -> str:
    return str(catalogue()["messages"][key][language]).format(**values)


def direction(wi: Any, kpi: str, strategy: str, against: str | None = None) -> str:
    """'up', 'down' or 'same': how ``strategy`` moves ``kpi`` against ``against`` in a WhatIf, by its paired 95% CI.

    A change whose interval includes zero is 'same': the runs cannot tell it apart.
    """
    r = wi.pair(kpi, strategy, against)
    if not r["significant"]:
        return "same"
    return "up" if r["diff"] > 0 else "down"


def _direction_of(answer: Any) -> str | None:
    text = str(answer).strip().lower()
    for name, words in catalogue()["aliases"].items():
        if text == name or text in [str(w).lower() for w in words]:
            return str(name)
    return None


def _as_number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    try:
        value = float(str(answer).strip().rstrip("%")) / (100 if str(answer).strip().endswith("%") else 1)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _pick(answer: Any, options: Sequence[Any]) -> Any:
    """The option an answer names: the option itself, or its 1-based number ('2', 2)."""
    if answer in list(options):
        return answer
    number = _as_number(answer)
    if number is not None and number == int(number) and 1 <= number <= len(options):
        return options[int(number) - 1]
    text = str(answer).strip().lower()
    return next((o for o in options if str(o).strip().lower() == text), None)


def cheapest(candidates: Mapping[str, tuple[float, float]], target: float, at_most: bool = False) -> str:
    """Name of the cheapest candidate (value, cost) reaching ``target`` (at or below it with ``at_most``), else 'none'.

    The "least labour cost at SLA >= 90%" question: ``{"more agents": (0.93, 5400.0), ...}``.
    """
    meets = {n: c for n, (v, c) in candidates.items() if (v <= target if at_most else v >= target)}
    return min(meets, key=lambda n: meets[n]) if meets else "none"


def _judge(spec: Mapping[str, Any], answer: Any, context: Mapping[str, Any], language: str) -> tuple[bool, str]:
    """(correct, the expected answer as shown) for one exercise; raises on a broken context."""
    kind = spec["kind"]
    if kind == "number":
        value = float(context["expected"])
        got = _as_number(answer)
        tol = max(float(spec.get("abs", 0.0)), float(spec.get("rel", 0.0)) * abs(value))
        return got is not None and abs(got - value) <= tol, f"{value:.4g}"
    if kind == "direction":
        expected = str(context.get("expected", spec.get("expected")))
        return _direction_of(answer) == expected, expected
    if kind == "choice":
        options = list(context["options"]) if "options" in context else [o[language] for o in spec["options"]]
        right = context["expected"] if "expected" in context else options[int(spec["answer"]) - 1]
        rights = list(right) if isinstance(right, list | tuple | set) else [right]
        picked = _pick(answer, options)
        return picked is not None and picked in rights, ", ".join(map(str, rights))
    if kind == "cheapest":
        best = cheapest(context["candidates"], float(context["target"]), bool(spec.get("at_most", False)))
        return _pick(answer, [*context["candidates"], "none"]) == best, best
    raise ValueError(f"{CATALOGUE.name}: {spec.get('id')}.kind = {kind!r}: allowed: {', '.join(KINDS)}")


def _options(spec: Mapping[str, Any], context: Mapping[str, Any], language: str) -> str:
    options = context.get("options", spec.get("options"))
    if spec["kind"] == "cheapest" and "candidates" in context:
        options = [*context["candidates"], "none"]
    if spec["kind"] == "direction":
        options = list(DIRECTIONS)
    if not options:
        return ""
    shown = [o[language] if isinstance(o, Mapping) else o for o in options]
    return _say("options", language, options="; ".join(f"{i}) {o}" for i, o in enumerate(shown, 1)))


def check(exercise_id: str, answer: Any, language: str = i18n.DEFAULT_LANGUAGE, **context: Any) -> bool:
    """Print 'correct' or a hint for ``answer`` to exercise ``exercise_id``; return whether it was right.

    Never raises for a participant: an unanswered exercise (``...`` or None),
    an answer of the wrong type, an unknown id or a broken context each print
    one clear line.  Under the test suite (``TEACHER_CHECKS_ENV`` set, as
    ``notebooks/conftest.py`` does for nbval) an *answered* exercise judged
    wrong raises ``AssertionError``, so a teacher's solution that stops being
    right after a model change fails the build instead of printing a hint.
    """
    lang = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    right, message = _verdict(exercise_id, answer, lang, context)
    print(message)
    if not right and answer is not ... and answer is not None and os.environ.get(TEACHER_CHECKS_ENV):
        raise AssertionError(message)
    return right


def _verdict(exercise_id: str, answer: Any, lang: str, context: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether ``answer`` is right, and the line to print."""
    try:
        spec = exercises().get(exercise_id)
        if spec is None:
            return False, _say("unknown", lang, id=exercise_id)
        spec = {**spec, "id": exercise_id}
        if answer is ... or answer is None:
            return False, _say("unanswered", lang, id=exercise_id, task=spec["task"][lang]) + _options(
                spec, context, lang
            )
        right, expected = _judge(spec, answer, context, lang)
        if right:
            return True, _say("correct", lang, id=exercise_id, expected=expected)
        return False, _say("wrong", lang, id=exercise_id, answer=answer, hint=spec["hint"][lang]) + _options(
            spec, context, lang
        )
    except Exception as error:  # a participant's odd answer must never stop the notebook
        return False, _say("broken", lang, id=exercise_id, error=f"{type(error).__name__}: {error}")
