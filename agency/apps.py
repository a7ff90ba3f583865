from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("Agencies and tenancy")

    def ready(self) -> None:
        from agency import conformance

        conformance.autodiscover()
