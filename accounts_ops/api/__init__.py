"""API of account operations. Importing this package registers its viewsets on the shared router;
chapter 6 (basic operations) lives in ``basic``, chapter 7 (advanced operations) in ``advanced``,
platform data in (metrics, file imports) in ``metrics``."""

from accounts_ops.api import advanced, basic, metrics  # noqa: F401
