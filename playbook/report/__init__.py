"""What a reader sees: the notebooks' helpers (``notebook``, ``whatif``, ``plots``, ``checklist``) and the
batch runner behind ``make reports`` (``runner``, with ``html`` and ``outcome``)."""
