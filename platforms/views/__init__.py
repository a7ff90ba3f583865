"""Pages of the platform connectors, one module per topic (``connections``)."""
