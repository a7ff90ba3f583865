"""API of account operations. Importing this package registers its viewsets on the shared router;
chapter 6 lives in one module per topic (``direction``, ``profile``, ``pinned``, ``inbox``, ``local``,
``promotion``, ``ads``), chapter 7 (advanced operations) in ``advanced``, platform data in (metrics,
file imports) in ``metrics``."""

from accounts_ops.api import (  # noqa: F401
    ads,
    advanced,
    direction,
    inbox,
    local,
    metrics,
    pinned,
    profile,
    promotion,
)
