"""The effect-size register: each coefficient's default inside its published range, with sources; bad entries named."""

from __future__ import annotations

import pytest

import sim
from sim.errors import ScenarioError
from sim.scenario import effects
from sim.scenario.definition import Funnel
from sim.scenario.effects import EFFECTS, E, load_register, register_table

ENTRY = "{default: 0.5, low: 0.3, high: 0.7, unit: share, what: x, sources: [a], strength: weak}"


def _register(tmp_path, text: str) -> dict:
    path = tmp_path / "effects.yaml"
    path.write_text(text, encoding="utf-8")
    return load_register(path)


def test_schema_defaults_come_from_the_register():
    scenario = sim.Scenario()
    for key, e in EFFECTS.items():
        if "*" in key:
            continue
        assert scenario.get(key) == e.default, key
    assert "Portent" in Funnel.model_fields["conversion_gain_per_100ms"].json_schema_extra["source"]


def test_the_register_renders_as_a_table():
    table = register_table()
    assert list(table.index) == list(EFFECTS)
    assert (table["low"] <= table["high"]).all() and table["sources"].str.len().min() > 10


def test_a_default_outside_its_range_is_rejected(tmp_path):
    bad = tmp_path / "effects.yaml"
    bad.write_text(
        "reviews.extreme_share: {default: 0.9, low: 0.3, high: 0.7, unit: share, what: x,"
        " sources: [a], strength: weak}\n"
    )
    with pytest.raises(ScenarioError, match=r"reviews\.extreme_share\.default = 0\.9: allowed: .* 0\.3 to 0\.7"):
        load_register(bad)
    assert effects.REGISTER_PATH.name == "effects.yaml"


def test_every_entry_has_sources_a_strength_and_a_default_in_range_unless_off():
    assert len(EFFECTS) >= 10
    for key, e in EFFECTS.items():
        assert e.sources and e.strength in effects.STRENGTHS, key
        assert e.low <= e.high and (e.off or e.low <= e.default <= e.high), key
        assert e.source.startswith(f"{e.strength}: range {e.low:g} to {e.high:g} {e.unit}; "), key


@pytest.mark.parametrize(
    "text, message",
    [
        ("funnel.x: {default: 1}\n", r"effects\.yaml: funnel\.x: needs the keys default, low, high, unit, what"),
        ("funnel.x: 0.5\n", r"funnel\.x: needs the keys"),
        (
            "funnel.x: {default: 0.5, low: 0.3, high: 0.7, unit: s, what: x, sources: [a], strength: huge}\n",
            r"funnel\.x\.strength = 'huge': allowed: strong, medium, weak",
        ),
        (
            "funnel.x: {default: 0.5, low: 0.7, high: 0.3, unit: s, what: x, sources: [a], strength: weak}\n",
            r"funnel\.x\.default = 0\.5: allowed: the published range 0\.7 to 0\.3",
        ),
    ],
)
def test_a_bad_entry_is_named(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        _register(tmp_path, text)


def test_an_effect_off_by_default_may_sit_outside_its_range_and_says_so(tmp_path):
    entry = (
        "{default: 0, low: 0.1, high: 0.3, unit: share, what: lift, sources: [a], strength: weak, default_is_off: true}"
    )
    register = _register(tmp_path, f"crm.x: {entry}\n")
    assert register["crm.x"].off and register["crm.x"].default == 0.0
    assert register_table(register).loc["crm.x", "what"] == "lift (off by default)"


def test_a_whatif_is_read_with_its_lever_metric_and_range(tmp_path):
    entry = (
        ENTRY[:-1]
        + ", whatif: {set: {page.load_time_s: 1.0}, metric: net_revenue, relative: true, low: 0.01, high: 0.25}}"
    )
    w = _register(tmp_path, f"funnel.x: {entry}\n")["funnel.x"].whatif
    assert w is not None and w.overrides == {"page.load_time_s": 1.0} and w.metric == "net_revenue"
    assert w.relative and (w.low, w.high) == (0.01, 0.25)


def test_a_field_declared_with_e_takes_default_and_source_from_the_register():
    key = "funnel.conversion_gain_per_100ms"
    field = E(key, "add-to-cart gain per 0.1 s")
    assert field.default == EFFECTS[key].default
    assert field.json_schema_extra["source"] == EFFECTS[key].source
