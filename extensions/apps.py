from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtensionsConfig(AppConfig):
    name = "extensions"
    verbose_name = _("Extension services (chapter 8)")
    # The topics every layer of this app is split by (docs/architecture.md), with the clause each serves.
    topics = {
        "live": "8.1 live sessions and their teams",
        "visits": "8.2 influencers and store visits",
        "valuation": "8.3 account valuation",
    }
