"""What the chapter 8 services share: times as the agency reads them, and the refusal of a moment
in the future."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.tenancy import Actor


def local_time_text(moment: dt.datetime, actor: Actor) -> str:
    return timezone.localtime(moment, actor.agency.tz).strftime("%Y-%m-%d %H:%M")


def refuse_future(moment: dt.datetime, field: str, actor: Actor) -> None:
    if moment > timezone.now():
        raise ValidationError({field: _("%(when)s is in the future.") % {"when": local_time_text(moment, actor)}})
