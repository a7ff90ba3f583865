from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The standard as evidence, over every app: the conformance matrix and a client's conformance
    (from the registry of clause checks, ``agency.conformance``), monthly snapshots, PDF reports,
    their API and command, and the agency overview."""

    name = "reports"
    verbose_name = _("Conformance reports")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        import agency.conformance
        from reports import evidence
        from reports.selectors import conformance_results

        connection_created.connect(evidence.install, dispatch_uid="reports-evidence-writes")
        pre_migrate.connect(evidence.pause, dispatch_uid="reports-evidence-pause")
        post_migrate.connect(evidence.resume, dispatch_uid="reports-evidence-resume")
        agency.conformance.results_source = lambda client, period: conformance_results(client, period)[0]
