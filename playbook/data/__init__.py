"""Real data into the project's tables: store exports (``loaders``) and the CDNOW data set (``datasets``)."""
