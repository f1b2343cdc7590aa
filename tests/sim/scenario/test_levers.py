"""The lever sections of the schema (stages 1-12): defaults that change nothing, ranges named by path."""

from __future__ import annotations

import pytest

import sim
from sim.scenario.levers import ABTest, Campaign, Market, Promotion, Segment, Warranty, default_markets


def test_the_defaults_pull_no_lever():
    s = sim.Scenario()
    assert s.pricing.promotions == {} and s.selection.candidates == [] and not s.warranty.offered
    assert not s.crm.membership.offered and s.crm.campaigns == {} and not s.ab_test.enabled
    assert s.risk.traffic_shocks == {} and s.risk.supplier_delays == {} and s.risk.carrier_disruptions == {}
    assert list(s.markets) == ["home"] and default_markets() == {"home": Market()}


def test_lever_defaults_carry_their_sources():
    """Effect sizes from the literature keep their source next to the number (data/reference/)."""
    for section, name in ((Warranty, "conversion_multiplier"), (Warranty, "attach_rate")):
        assert section.model_fields[name].json_schema_extra.get("source"), f"{section.__name__}.{name}"


def test_sections_build_with_their_own_defaults():
    assert Segment().share == 1.0 and Promotion().depth >= 0 and Campaign().response_rate >= 0


@pytest.mark.parametrize(
    "override, path",
    [
        ({"pricing.promotions": {"x": {"depth": 1.5}}}, "pricing.promotions.x.depth"),
        (
            {"customers.segments": {"a": {"share": 0.5, "churn_multiplier": 11}}},
            "customers.segments.a.churn_multiplier",
        ),
        ({"warranty.attach_rate": 1.2}, "warranty.attach_rate"),
        ({"crm.campaigns": {"x": {"response_rate": -0.1}}}, "crm.campaigns.x.response_rate"),
    ],
)
def test_out_of_range_values_name_their_dotted_path(override, path):
    with pytest.raises(sim.ScenarioError, match=path.replace(".", r"\.")):
        sim.Scenario().with_overrides(override)


def test_an_ab_test_needs_two_names():
    with pytest.raises(ValueError, match="name_a and name_b must differ"):
        ABTest(name_a="X", name_b="X")
