"""The strict YAML reader: what YAML 1.1 would silently misread is refused at its line, with the field."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.errors import ScenarioError
from sim.scenario.messages import MAX_MESSAGE, one_line, shorten
from sim.scenario.yaml_strict import MAX_NODES, load_yaml


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "s.yaml")
    message = str(info.value)
    assert "\n" not in message and len(message) <= MAX_MESSAGE
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "service:\n  agents: 3\nservice:\n  sla_hours: 8\n",
            "s.yaml: line 3 (service): duplicate key 'service' (first on line 1)",
        ),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", "line 4 (a.b): duplicate key 'b' (first on line 2)"),
        ("time:\n  start_date: 2026-02-30\n", "line 2 (time.start_date): '2026-02-30' is not a date"),
        ("time:\n  start_date: 2026-13-01\n", "'2026-13-01' is not a date (month must be in 1..12)"),
        ("service:\n  agents: !!int 3.5\n", "line 2 (service.agents): '3.5' is not an integer"),
        ("x: !!float abc\n", "'abc' is not a number"),
        ("service:\n  sla_hours: 8:30\n", "YAML 1.1 reads 8:30 as a base-60 number"),
        ("shift:\n  start_hour: 7:30:00\n", "base-60"),
        ("warehouse:\n  pickers: 017\n", "YAML 1.1 reads 017 as an octal number (15)"),
        ("c: 1e-9\n", "YAML 1.1 reads 1e-9 as text, not a number; write it with a decimal point (1.0e-9)"),
        ("c: 5E3\n", "(5.0e3)"),
        ("service:\n  enabled: off\n", "YAML 1.1 reads off as False; write true or false"),
        ("a: [1, 2\n", "not valid YAML"),
        ("a: 1\nb: \x00\n", "not valid YAML (unacceptable character #x0000"),
        ("a: *nowhere\n", "found undefined alias"),
        ("a: !!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
        ("a: &x [1, *x]\n", "(a[1]): an alias refers to a node that contains it (recursive)"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "brackets nested deeper than 50 levels"),
    ],
)
def test_misreadings_and_syntax_errors_are_one_line_with_line_and_field(text: str, expected: str) -> None:
    assert expected in _error(text)


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]  # 10**9 values
    assert f"past {MAX_NODES:,} values (an alias bomb?)" in _error("\n".join(lines))


def test_what_was_meant_still_reads() -> None:
    text = (
        "a: 1.5\nb: '8:30'\nc: \"1e-9\"\nd: 2026-01-05\ne: 17\nf: 0\ng: true\nh: 1.0e-9\n"
        "base: &base {x: 1}\nderived:\n  <<: *base\n  y: 2\n"
    )
    assert load_yaml(text, "s.yaml") == {
        "a": 1.5,
        "b": "8:30",
        "c": "1e-9",
        "d": dt.date(2026, 1, 5),
        "e": 17,
        "f": 0,
        "g": True,
        "h": 1e-9,
        "base": {"x": 1},
        "derived": {"x": 1, "y": 2},
    }
    assert load_yaml("", "s.yaml") is None


def test_values_in_messages_are_shortened_in_bounded_time() -> None:
    nested: list = [1] * 10
    for _ in range(30):  # 10**31 leaves if expanded
        nested = [nested] * 10
    assert len(shorten(nested)) < 120
    assert len(shorten("x" * 100_000)) < 60
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("y" * 1000)) == MAX_MESSAGE and one_line("y" * 1000).endswith("...")
