"""Property-based: a mutated scenario is either a valid run or one ScenarioError - never anything else.

Hypothesis deletes, retypes, negates and enlarges random fields of the
baseline scenario.  Every outcome must be a ``ScenarioError`` or a run whose
KPIs are finite, except where a KPI is undefined because its denominator is
empty (no tickets -> no response time), which the test checks case by case.
"""

from __future__ import annotations

import copy
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from tests.conftest import SCENARIOS

BASE = sim.load_scenario(SCENARIOS / "baseline.yaml").to_dict()


def _leaves(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, prefix + (key,))
    else:
        yield prefix


LEAVES = sorted(_leaves(BASE))
SECTIONS = sorted(BASE)


def _mutate(data: dict, path: tuple, op: str, factor: float) -> dict:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    key = path[-1]
    value = node[key]
    if op == "delete":
        del node[key]
    elif op == "retype":
        node[key] = "not a number" if not isinstance(value, str) else 12345
    elif op == "negate":
        node[key] = -value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    elif op == "enlarge":
        if isinstance(value, bool):
            node[key] = not value
        elif isinstance(value, int):
            node[key] = int(value * factor) + 1
        elif isinstance(value, float):
            node[key] = value * factor + 0.5
        elif isinstance(value, list):
            node[key] = value * 2
        else:
            node[key] = str(value) * 3
    return data


def _empty_denominator(kpi: str, r: sim.Result) -> bool:
    """True when ``kpi`` is undefined for this run (its denominator is empty)."""
    o, t, d = r.orders, r.tickets, r.daily
    delivered = o["delivered_at"].notna().sum()
    answered = t["first_response_at"].notna().sum()
    return {
        "conversion_rate": d["sessions"].sum() == 0,
        "bounce_rate": d["sessions"].sum() == 0,
        "average_order_value": len(o) == 0,
        "gross_margin": (o["revenue"] - o["refund"]).sum() == 0,
        "cac": len(o) == 0,
        "repeat_purchase_rate": len(o) == 0,
        "ltv": len(o) == 0,
        "ltv_to_cac": d["spend"].sum() == 0,
        "return_rate": delivered == 0,
        "on_time_delivery_rate": delivered == 0,
        "mean_delivery_hours": delivered == 0,
        "mean_fulfilment_hours": o["shipped_at"].notna().sum() == 0,
        "pick_error_rate": o["picked_at"].notna().sum() == 0,
        "stockout_rate": d["views"].sum() == 0,
        "tickets_per_order": len(o) == 0,
        "first_response_mean_hours": answered == 0,
        "first_response_p90_hours": answered == 0,
        "sla_attainment": answered == 0,
        "ai_resolution_share": len(t) == 0,
        "average_rating": len(r.reviews) == 0,
    }.get(kpi, False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.one_of(st.sampled_from(LEAVES), st.sampled_from(SECTIONS).map(lambda s: (s,))),
    op=st.sampled_from(["delete", "retype", "negate", "enlarge"]),
    factor=st.sampled_from([2.0, 10.0, 1e3, 1e6, 1e12]),
)
def test_mutated_scenarios_either_run_or_raise_scenario_error(target, op, factor):
    data = _mutate(BASE, target, op, factor)
    try:
        scenario = sim.Scenario.from_dict(data)
    except sim.ScenarioError as err:
        assert str(err)  # a message, naming the path, is the whole contract of a rejection
        return
    result = sim.simulate(scenario, seed=1, days=3)
    for name, value in result.kpis().items():
        assert math.isfinite(value) or _empty_denominator(name, result), f"{name} = {value} after {op} {target}"
