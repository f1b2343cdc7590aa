"""The record of one notebook of a report run: pending until run, its own parameters, and JSON for the index."""

from __future__ import annotations

import json
from dataclasses import asdict

from playbook.report.outcome import Outcome


def test_a_new_outcome_is_pending_with_nothing_recorded():
    o = Outcome("07_after_sales", "After-sales")
    assert (o.status, o.seconds, o.error, o.parameters, o.headline) == ("pending", 0.0, "", {}, None)


def test_each_outcome_has_its_own_parameters():
    a, b = Outcome("a", "A"), Outcome("b", "B")
    a.parameters["seed"] = 3
    assert b.parameters == {}, "a mutable default shared between notebooks would leak parameters"


def test_an_outcome_is_the_json_the_index_stores():
    o = Outcome("10_team", "Team", status="failed", seconds=1.5, error="cell 4: KeyError", parameters={"seed": 1})
    again = Outcome(**json.loads(json.dumps(asdict(o))))
    assert again == o
