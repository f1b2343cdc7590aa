"""One-line error text (sim.scenario.messages): a typed value is shown short, in bounded time, on one line."""

from __future__ import annotations

from sim.scenario.messages import MAX_MESSAGE, one_line, shorten


def test_shorten_shows_a_few_items_of_a_huge_or_deep_value():
    assert shorten(list(range(10_000))) == "[0, 1, 2, 3, ...]"
    assert len(shorten("x" * 100_000)) <= 45
    assert shorten({"a": {"b": {"c": 1}}}) == "{'a': {...}}"


def test_shorten_of_a_value_whose_repr_fails_names_its_type():
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    assert shorten(Broken()).startswith("<Broken")


def test_one_line_collapses_lines_and_cuts_at_the_limit():
    assert one_line("a\n  b\t\tc") == "a b c"
    long = one_line("word " * 200)
    assert len(long) == MAX_MESSAGE and long.endswith("...") and "\n" not in long
    assert one_line("abcdefghij", limit=8) == "abcde..."
