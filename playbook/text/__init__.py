"""Words and numbers for a reader, below the analyses that use them: ``i18n`` (one catalogue of Chinese and
English strings, ``messages.yaml``) and ``units`` (KPI names, units and Babel number formats).

They depend on nothing in ``playbook`` (``units`` reads the KPI definitions of ``sim.results``), so an analysis
can word its read-out (``abtest``'s warnings) and a report can format its tables with the same catalogue."""
