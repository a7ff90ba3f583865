from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")
    # The topics every layer of this app is split by (docs/architecture.md), with the clause each serves.
    topics = {
        "clients": "the agency's clients, their people and platform accounts",
        "requirements": "4.1 client requirements",
    }
