"""Account operations (chapters 6-7)."""
