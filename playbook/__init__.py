"""Analytics for the store playbook: the same functions for a store's own exports and for simulated tables.

Every analysis takes frames in the ``sim.results.tables`` schema and uses the
KPI definitions of ``sim.results.kpis``.  Sub-packages, in the order
the data flows:

* ``text``: words and numbers for a reader - ``i18n`` (the zh/en catalogue) and ``units`` (KPI names,
  units, locale formats); below the rest so that analyses and reports word things alike
* ``data``: ``loaders`` (plain CSV, Shopify export, CDNOW) with bad-row reports, id hashing and input
  checks; ``datasets`` (the CDNOW data set shipped in the ``lifetimes`` wheel)
* ``analysis``: one module per stage - ``selection`` (1), ``pricing`` (4), ``cohorts`` and ``clv`` (6),
  ``staffing`` and ``capacity`` (7, 8, 10), ``funnel``, ``abtest`` and ``alerts`` (9, 11), and
  ``calibrate`` (a scenario estimated from a store's order history: the bridge to ``sim``)
* ``report``: the notebooks' helpers (``notebook``, ``whatif``, ``plots``, ``checklist``) and the batch runner
  behind ``make reports`` (``runner``, ``html``, ``outcome``)

``python -m playbook reports ...`` runs the report batch.  Submodules are
imported on use (``from playbook.analysis import clv``) so that a notebook pays
only for what it needs.  Importing it makes matplotlib's default font one that
draws Chinese (``playbook.report.fonts``).
"""

from playbook.report import fonts as _fonts

_fonts.configure()  # matplotlib draws Chinese (Noto Sans CJK SC) in every notebook, report and saved figure
