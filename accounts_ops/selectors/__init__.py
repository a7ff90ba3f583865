"""Reads of account operations that are more than a filter, one module per topic: see ``accounts_ops``."""
