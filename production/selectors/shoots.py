"""Reads of 5.2: how far the reading of a shoot's clips has got."""

from __future__ import annotations

from agency.tenancy import Actor
from production.models.shoots import Clip, Shoot
from production.selectors.common import probing_status


def shoot_probing(actor: Actor, shoot: Shoot) -> dict:
    """How far the reading of a shoot's clips has got (5.2), as a long job's status: ``status``
    (probing or done), ``progress`` (percent of clips read), ``unread`` and ``total``. One query."""
    return probing_status(Clip.objects.visible_to(actor).filter(shoot=shoot))
