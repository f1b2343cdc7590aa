"""One module per stage's analysis; each reads the ``sim.results.tables`` schema, simulated or real.

* ``selection`` (stage 1), ``pricing`` (4), ``cohorts`` and ``clv`` (6), ``staffing`` and ``capacity``
  (7, 8, 10), ``funnel``, ``abtest`` and ``alerts`` (9, 11), ``calibrate`` (a scenario from order history)
"""
