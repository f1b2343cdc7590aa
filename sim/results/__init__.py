"""What a run produced: tidy tables (``tables`` is the one orders schema shared with real exports),
``Result`` (``result``), the KPIs that also measure a real store (``kpis``) and the simulation-only
measures such as labour and operating profit (``measures``)."""
