"""The scenario: a store as data, read from YAML and validated once, at the edge.

* ``fields``: the field helper that gives every lever its unit, range, default and source
* ``levers``: the stage levers' sub-models (selection, page, pricing, channels, CRM, risk, ...)
* ``definition``: the ``Scenario`` model, ``load_scenario`` and ``with_overrides``
* ``schema``: every field as a row (``python -m sim schema``)
"""

from sim.scenario.definition import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario"]
