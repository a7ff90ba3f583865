"""Clause checks of chapters 6 (6.1-6.7) and 7 (7.1-7.4), one module per topic. Each judges the
period as it stood at its end: rows recorded after the period's end do not count for it.
``agency.conformance`` imports this package; importing it registers every check, in clause order."""

# isort: off
from accounts_ops.conformance import direction, profile, pinned, inbox, local, promotion, ads  # noqa: F401
from accounts_ops.conformance import comments, hot_topics, audience, ip_persona  # noqa: F401

# isort: on
