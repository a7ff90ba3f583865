"""Connectors to the platforms: connections (OAuth tokens, encrypted), syncs that pull platform
data through the chapter apps' ingest services, deliveries (replies, comment actions,
publications) sent through the outbox, one adapter per platform, and a local simulator of the
platforms' documented APIs (``platforms.simulator``, never imported by production code)."""
