"""API of account operations. Importing this package registers its viewsets on the shared router;
chapter 6 (basic operations) lives in ``basic``."""

from accounts_ops.api import basic  # noqa: F401
