"""API of account operations. Importing this package registers its viewsets on the shared router, one
module per topic: chapter 6 ``direction`` (6.1), ``profile`` (6.2), ``pinned`` (6.3), ``inbox`` (6.4),
``local`` (6.5), ``promotion`` (6.6), ``ads`` (6.7); platform data in ``metrics`` (daily metrics) and
``imports`` (file imports); chapter 7 ``comments`` (7.1), ``hot_topics`` (7.2), ``audience`` (7.3),
``ip_persona`` (7.4); the one inbox over 6.4 and 7.1 in ``conversations``. What several share is in
``common`` and ``base``."""

# The order registers the routes in the standard's order (the API root lists them so).
# isort: off
from accounts_ops.api import direction, profile, pinned, inbox, local, promotion, ads  # noqa: F401
from accounts_ops.api import metrics, imports  # noqa: F401
from accounts_ops.api import comments, hot_topics, audience, ip_persona  # noqa: F401
from accounts_ops.api import conversations  # noqa: F401

# isort: on
