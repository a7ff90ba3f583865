from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The standard as evidence, over every app: the conformance matrix and a client's conformance
    (from the registry of clause checks, ``agency.conformance``), monthly snapshots, PDF reports,
    their API and command, and the agency overview."""

    name = "reports"
    verbose_name = _("Conformance reports")
