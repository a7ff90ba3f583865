"""Staff pages of account operations, one module per topic: see ``accounts_ops``."""
