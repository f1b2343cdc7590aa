"""Analytics for the store playbook: the same functions for a store's own exports and for simulated tables.

Every analysis takes frames in the ``sim.tables`` schema (see ``playbook.io``
for the loaders of real exports) and uses the KPI definitions of
``sim.kpis``.  One module per guide stage:

* ``io``: loaders (plain CSV, Shopify export, CDNOW) with bad-row reports, id hashing, input checks
* ``datasets``: the CDNOW data set shipped in the ``lifetimes`` wheel
* ``selection``: product selection scoring matrix and its weight sensitivity (stage 1)
* ``pricing``: price elasticity, margin-maximising price, promotion lift (stage 4)
* ``cohorts``: acquisition cohorts, retention, RFM, historical LTV, CAC payback (stage 6)
* ``clv``: BG/NBD, Pareto/NBD and Gamma-Gamma customer-base models (stage 6)
* ``staffing``: Erlang C waiting, SLA attainment and agents needed (stages 7 and 10)
* ``funnel``: step conversion and drop-off with Wilson intervals (stage 9)
* ``abtest``: sample size, conversion and revenue read-outs, guardrails, peeking (stage 9)
* ``alerts``: KPI summaries by day, week or month and early-warning rules (stages 9 and 11)
* ``calibrate``: a scenario estimated from a store's order history (the bridge to ``sim``)
* ``reports``: the papermill batch runner behind ``make reports``, with ``whatif``, ``plots`` and
  ``notebook`` as the notebooks' shared helpers

Submodules are imported on use (``from playbook import clv``) so that a
notebook pays only for what it needs.
"""
