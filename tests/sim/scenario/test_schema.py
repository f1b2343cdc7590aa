"""`python -m sim schema`: one row per leaf field, with its unit, range, default and source."""

from __future__ import annotations

import functools

import sim
from sim.scenario.schema import markdown, rows


def test_every_leaf_field_has_a_row_with_unit_and_description():
    table = {r["path"]: r for r in rows()}
    sla = table["service.sla_hours"]
    assert sla["unit"] == "hours" and sla["range"] == "(0, 720]" and sla["default"] == "12.0"
    assert table["warranty.attach_rate"]["range"] == "[0.0, 1.0]" and table["warranty.attach_rate"]["source"]
    # keyed sections get a <name> placeholder
    assert "catalogue.skus.<name>.price" in table and "traffic.channels.<name>.sessions_per_day" in table
    assert all(r["unit"] and r["description"] for r in table.values()), "every field declares unit and meaning"


def _differing_defaults(depth: int | None) -> list[str]:
    s, out = sim.Scenario(), []
    for r in rows():
        parts = r["path"].split(".")
        derived = r["default"] == "None"  # e.g. delivery.reference_fee: computed from the options when unset
        if "<name>" not in r["path"] and r["default"] and not derived and (depth is None or len(parts) <= depth):
            value = functools.reduce(getattr, parts, s)
            if repr(value) != r["default"]:
                out.append(f"{r['path']}: schema says {r['default']}, Scenario() holds {value!r}")
    return out


def test_each_section_field_shows_the_default_scenarios_value():
    """Each row's default is what a default Scenario holds at that path (section.field paths)."""
    assert _differing_defaults(2) == []


def test_nested_fields_show_the_default_scenarios_value():
    """A nested section's rows show the default its parent sets (warehouse.shift.end_hour 17.0, not Shift's 18.0)."""
    assert _differing_defaults(None) == []
    table = {r["path"]: r for r in rows()}
    assert table["warehouse.shift.end_hour"]["default"] == repr(sim.Scenario().warehouse.shift.end_hour)


def test_markdown_has_a_line_per_field():
    lines = markdown().splitlines()
    assert lines[0].startswith("| field | unit |") and len(lines) == 2 + len(list(rows()))
    assert any(line.startswith("| `service.sla_hours` | hours | (0, 720] | 12.0 |") for line in lines)
