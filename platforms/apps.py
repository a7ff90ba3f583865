from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = _("Platform connections")
    # The topics every layer of this app is split by (docs/architecture.md), with what each serves.
    topics = {
        "connections": "connecting accounts (OAuth) and their tokens",
        "syncs": "reading platform data into the chapter apps",
        "deliveries": "sending replies and comment actions to the platform",
        "publishing": "publishing planned videos (5)",
        "calls": "calling a platform's API: errors, limits, retries",
    }
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The delivery handlers register themselves, and the chapter apps' rows that ask for a
        # delivery (a queued reply, a comment action) are connected to it, when these are imported.
        from agency import panels
        from platforms import (
            checks,  # noqa: F401  (the system checks of the connectors)
            selectors,
        )

        # The connection panel on an account's page, the accounts to reconnect on a client's page.
        panels.register(panels.ACCOUNT, selectors.connection_panel)
        panels.register(panels.CLIENT, selectors.client_panel)
