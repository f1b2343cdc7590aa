"""The workshop exercises' catalogue and checker: both languages everywhere, right answers pass, nothing raises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playbook.report import exercises
from playbook.text import i18n

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"
#: A context each kind needs, so an odd answer meets a working checker, not a broken context.
CONTEXT: dict[str, dict[str, Any]] = {
    "number": {"expected": 0.25},
    "direction": {"expected": "down"},
    "choice": {"options": ["A", "B", "C"], "expected": "B"},
    "cheapest": {"candidates": {"a": (0.8, 1.0), "b": (0.95, 3.0), "c": (0.92, 2.0)}, "target": 0.9},
}


@pytest.fixture(autouse=True)
def participant(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker as a participant meets it: notebooks/conftest.py turns on teacher checks for nbval."""
    monkeypatch.delenv(exercises.TEACHER_CHECKS_ENV, raising=False)


def test_teacher_checks_raise_on_a_wrong_answer_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(exercises.TEACHER_CHECKS_ENV, "1")
    assert exercises.check("04.elasticity", -2.0, language="en", expected=-2.01)
    assert not exercises.check("04.elasticity", ..., language="en", expected=-2.01)  # unanswered: student copy
    with pytest.raises(AssertionError, match="04.elasticity"):
        exercises.check("04.elasticity", -5.0, language="en", expected=-2.01)


@pytest.mark.parametrize("exercise_id", list(exercises.exercises()))
def test_every_exercise_has_both_languages_a_kind_and_a_notebook(exercise_id: str) -> None:
    spec = exercises.exercises()[exercise_id]
    assert spec["kind"] in exercises.KINDS
    assert exercise_id.startswith(spec["stage"][:2] + ".")
    assert (NOTEBOOKS / f"{spec['stage']}.ipynb").exists()
    for field in ("task", "hint"):
        assert set(spec[field]) == set(i18n.LANGUAGES), f"{exercise_id}.{field}"
        assert all(str(spec[field][lang]).strip() for lang in i18n.LANGUAGES)
    for option in spec.get("options", []):
        assert set(option) == set(i18n.LANGUAGES)
    if "options" in spec:
        assert 1 <= spec["answer"] <= len(spec["options"])


def test_messages_have_both_languages_with_the_same_placeholders() -> None:
    for key, texts in exercises.catalogue()["messages"].items():
        assert set(texts) == set(i18n.LANGUAGES), key
        assert i18n.placeholders(texts["zh"]) == i18n.placeholders(texts["en"]), key


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_unanswered_prints_the_task_and_is_not_correct(language: str, capsys: pytest.CaptureFixture[str]) -> None:
    for answer in (..., None):
        assert exercises.check("07.closed_share", answer, language=language, expected=0.5) is False
        out = capsys.readouterr().out
        assert exercises.exercises()["07.closed_share"]["task"][language] in out


def test_number_within_the_tolerance_is_correct_and_outside_it_is_not() -> None:
    # 07.closed_share: abs tolerance 0.01; a percentage and a rounded table value both pass
    assert exercises.check("07.closed_share", 0.566, language="en", expected=0.5667)
    assert exercises.check("07.closed_share", "56.7%", language="en", expected=0.5667)
    assert not exercises.check("07.closed_share", 0.6, language="en", expected=0.5667)
    # 09.sample_size: 1% relative tolerance
    assert exercises.check("09.sample_size", 10_050, language="en", expected=10_000)
    assert not exercises.check("09.sample_size", 10_200, language="en", expected=10_000)


def test_direction_accepts_words_in_both_languages() -> None:
    for word in ("down", "-", "下降", "降", "Lower "):
        assert exercises.check("02.slow_bounce", word, language="zh", expected="down"), word
    assert not exercises.check("02.slow_bounce", "up", language="zh", expected="down")
    assert not exercises.check("02.slow_bounce", "same", language="zh", expected="down")


def test_choice_by_name_or_number_and_from_the_catalogue() -> None:
    ctx = {"options": ["x", "y", "z"], "expected": "y"}
    assert exercises.check("11.costliest", "y", language="en", **ctx)
    assert exercises.check("11.costliest", 2, language="en", **ctx)
    assert not exercises.check("11.costliest", 3, language="en", **ctx)
    right = exercises.exercises()["07.why_wait"]["answer"]
    assert exercises.check("07.why_wait", right, language="zh")
    assert not exercises.check("07.why_wait", right % 3 + 1, language="zh")


def test_cheapest_meeting_the_target() -> None:
    ctx = CONTEXT["cheapest"]
    assert exercises.cheapest(ctx["candidates"], 0.9) == "c"  # b and c reach 0.9; c costs less
    assert exercises.cheapest(ctx["candidates"], 0.99) == "none"
    assert exercises.cheapest(ctx["candidates"], 0.9, at_most=True) == "a"
    assert exercises.check("07.cheapest_sla", "c", language="en", **ctx)
    assert exercises.check("07.cheapest_sla", 3, language="en", **ctx)
    assert not exercises.check("07.cheapest_sla", "b", language="en", **ctx)
    assert exercises.check("07.cheapest_sla", "none", language="en", candidates=ctx["candidates"], target=0.99)


ODD = st.one_of(
    st.none(),
    st.just(...),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(object()),
)


@settings(max_examples=200, deadline=None)
@given(
    exercise_id=st.sampled_from([*exercises.exercises(), "99.nope"]),
    answer=ODD,
    language=st.sampled_from([*i18n.LANGUAGES, "fr"]),
    with_context=st.booleans(),
)
def test_check_never_raises(exercise_id: str, answer: Any, language: str, with_context: bool) -> None:
    spec = exercises.exercises().get(exercise_id, {"kind": "number"})
    context = CONTEXT[spec["kind"]] if with_context else {}
    assert exercises.check(exercise_id, answer, language=language, **context) in (True, False)
