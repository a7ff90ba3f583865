"""The kinds of notification, who gets each by default on which channel, and the bots' retries.

Not numbers of the standard: each kind names the clause whose event raises it."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    APPROVAL_WAITING = "approval_waiting", _("Approval waiting")  # 5.1 scripts, 5 client review of cuts
    OPINION_ALERT = "opinion_alert", _("Opinion alert raised")  # 7.1
    COMPLAINT_DEADLINE = "complaint_deadline", _("Complaint near its deadline")  # 10.1
    BOOST_DUE = "boost_due", _("Boost due")  # 6.3
    CONNECTION_RECONNECT = "connection_reconnect", _("Platform connection needs reconnecting")
    PUBLICATION_REFUSED = "publication_refused", _("Publication refused by the platform")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")


# Defaults of a person who chose nothing: every kind in the app; the important ones by e-mail too.
DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    Kind.APPROVAL_WAITING: (Channel.IN_APP, Channel.EMAIL),
    Kind.OPINION_ALERT: (Channel.IN_APP, Channel.EMAIL),
    Kind.COMPLAINT_DEADLINE: (Channel.IN_APP, Channel.EMAIL),
    Kind.BOOST_DUE: (Channel.IN_APP,),
    Kind.CONNECTION_RECONNECT: (Channel.IN_APP, Channel.EMAIL),
    Kind.PUBLICATION_REFUSED: (Channel.IN_APP, Channel.EMAIL),
}

# 10.1: a complaint is "near its deadline" within this many hours of its answer or resolution
# deadline (the same window as its section on Today, evaluation.today).
COMPLAINT_NEAR_HOURS = 48

# A failed bot delivery is tried again after these waits (then it stays failed, shown on the page).
WEBHOOK_RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
WEBHOOK_MAX_ATTEMPTS = len(WEBHOOK_RETRY_DELAYS) + 1
WEBHOOK_TIMEOUT_SECONDS = 10
# WeCom takes at most 2048 bytes of text; the others more. Longer text is cut.
WEBHOOK_TEXT_MAX_BYTES = 2000
