"""Forms of the account-operations pages, one module per topic: see ``accounts_ops``."""
