from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Telling people when something waits for them (issue 22): in-app (the bell), e-mail, a daily
    digest and the agency's group bots (WeCom, Feishu, DingTalk). Raised from the chapter apps'
    events by receivers connected here, and from what falls due by an hourly task; delivered by the
    worker through the outbox."""

    name = "notifications"
    verbose_name = _("Notifications")
    # The topics every layer of this app is split by (docs/architecture.md), with what each serves.
    topics = {
        "notifications": "a person's notifications: raised from events, in-app, e-mail, preferences, digest",
        "webhooks": "the agency's group-bot webhooks (WeCom, Feishu, DingTalk) and their deliveries",
    }

    def ready(self) -> None:
        # The receivers of the chapter apps' events (post_save on their models, by label).
        from notifications import receivers

        receivers.connect()
