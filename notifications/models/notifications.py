"""A person's notifications and the channels they chose per kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.models import AllAgenciesManager, TenantManager, TenantModel, TenantQuerySet
from notifications.rules import DEFAULT_CHANNELS, Channel, Kind


class PersonalQuerySet(TenantQuerySet):
    def visible_to(self, actor):
        """A person's own rows only: nobody, whatever their role, sees another person's."""
        return super().visible_to(actor).filter(recipient_id=actor.user.pk)


class Notification(TenantModel):
    """One event told to one person: raised once per event and person (``key`` names the event),
    shown in the app when they chose it, e-mailed when they chose that. Its text is said in the
    reader's language when shown (``message`` and ``params``), not stored in one language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("event"), max_length=120, editable=False)
    message = models.CharField(max_length=40, editable=False)  # which text of notifications.services.notifications
    params = models.JSONField(default=dict, blank=True, editable=False)
    url = models.CharField(_("link"), max_length=300, blank=True, editable=False)
    in_app = models.BooleanField(default=True, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True, editable=False)
    email_error = models.CharField(max_length=300, blank=True, editable=False)

    objects = TenantManager.from_queryset(PersonalQuerySet)()
    dangerously_all_agencies = AllAgenciesManager.from_queryset(PersonalQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["agency", "recipient", "kind", "key"], name="notification_once_per_event")
        ]
        indexes = [
            models.Index(fields=["agency", "recipient", "read_at"], name="notification_agency_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.key}"


class NotificationPreference(TenantModel):
    """What one person chose in one agency: the channels of each kind (``channels``: kind → list
    of channels; a kind missing takes ``rules.DEFAULT_CHANNELS``) and the daily digest."""

    # A person's own settings: no page or endpoint of another person serves them.
    api_exposed = False

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    channels = models.JSONField(default=dict, blank=True)
    digest = models.BooleanField(_("daily digest by e-mail"), default=False)
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["agency", "user"], name="notification_preference_one")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.agency_id}"

    def channels_of(self, kind: str) -> tuple[str, ...]:
        chosen = (self.channels or {}).get(kind)
        if chosen is None:
            return tuple(DEFAULT_CHANNELS.get(kind, (Channel.IN_APP,)))
        return tuple(c for c in chosen if c in Channel.values)
