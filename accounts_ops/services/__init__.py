"""Writes of account operations (every write with rules), one module per topic: see ``accounts_ops``."""
