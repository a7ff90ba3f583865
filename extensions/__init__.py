"""Extension services (chapter 8)."""
