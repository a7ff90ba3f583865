"""Reads of 5.3: how far the reading of a project's cuts has got."""

from __future__ import annotations

from agency.tenancy import Actor
from production.models.post import Cut
from production.selectors.common import probing_status


def cut_probing(actor: Actor, project) -> dict:
    """The same for the reading of a project's cuts (5.3): a cut is sent to review once read."""
    return probing_status(Cut.objects.visible_to(actor).filter(project=project))
