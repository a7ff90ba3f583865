"""API of account operations. Importing this package registers its viewsets on the shared router,
one module per topic: chapter 6 (basic operations) in ``basic``, chapter 7 in ``comments`` (7.1),
``hot_topics`` (7.2), ``audience`` (7.3) and ``ip_persona`` (7.4), platform data in ``metrics``
(daily metrics) and ``imports`` (file imports); the bulk endpoints' shared pieces in ``common``."""

# The order registers the routes as before (the API root lists them in this order).
# isort: off
from accounts_ops.api import basic  # noqa: F401
from accounts_ops.api import metrics, imports  # noqa: F401
from accounts_ops.api import comments, hot_topics, audience, ip_persona  # noqa: F401

# isort: on
