"""The field helper and the section base: units and ranges recorded, unknown keys and NaN refused."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from sim.scenario.fields import PROB, F, Section


class Desk(Section):
    agents: int = F(2, "people", "agents on shift", ge=0, le=50)
    share: float = F(0.5, "share", "AI share", source="data/reference/effects.yaml", **PROB)
    days: list[int] = F(None, "weekday", "open days", default_factory=lambda: [0, 1])


def test_the_field_records_unit_range_and_source():
    info = Desk.model_fields["share"]
    assert info.json_schema_extra == {"unit": "share", "source": "data/reference/effects.yaml"}
    assert Desk.model_fields["agents"].json_schema_extra == {"unit": "people"}
    assert Desk().days == [0, 1] and Desk().agents == 2


@pytest.mark.parametrize(
    "bad, word",
    [
        ({"agents": 51}, "less than or equal to 50"),
        ({"share": 1.5}, "less than or equal to 1"),
        ({"share": math.nan}, "finite number"),
        ({"agents": "2"}, "valid integer"),  # strict: no string coercion
        ({"agnets": 2}, "Extra inputs are not permitted"),
    ],
)
def test_the_section_refuses_bad_values(bad, word):
    with pytest.raises(ValidationError, match=word):
        Desk(**bad)


def test_a_section_is_frozen():
    with pytest.raises(ValidationError, match="frozen"):
        Desk().agents = 3
