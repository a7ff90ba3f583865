"""The writes of notifications, by topic: ``notifications`` (raising, reading, e-mail, digest,
preferences) and ``webhooks`` (the group bots)."""
