"""A platform account connected through the platform's OAuth: who connected it, what it may do,
and its tokens (encrypted, in a row of their own that no page, answer, export or audit diff reads)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.models import TenantModel
from clients.models import Client, Platform, PlatformAccount


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    RECONNECT = "reconnect", _("Reconnect needed")
    DISCONNECTED = "disconnected", _("Disconnected")


class Connection(TenantModel):
    """One platform account's authorisation. At most one live connection per account; a
    disconnected one stays as the history of who connected what, when."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="connections", verbose_name=_("platform account")
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, editable=False)
    open_id = models.CharField(_("platform user id"), max_length=128, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED, editable=False
    )
    scopes = models.JSONField(_("granted scopes"), default=list, blank=True, editable=False)
    missing_scopes = models.JSONField(_("missing scopes"), default=list, blank=True, editable=False)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    connected_at = models.DateTimeField(_("connected at"), editable=False)
    expires_at = models.DateTimeField(_("access expires at"), editable=False)
    refresh_expires_at = models.DateTimeField(_("authorisation expires at"), null=True, blank=True, editable=False)
    refreshed_at = models.DateTimeField(_("last refreshed at"), null=True, blank=True, editable=False)
    disconnected_at = models.DateTimeField(_("disconnected at"), null=True, blank=True, editable=False)
    problem = models.CharField(_("problem"), max_length=500, blank=True, editable=False)
    # Sync bookkeeping: the platform's cursors (per stream), the last full day synced, and the time
    # before which the platform asked us not to call (its rate-limit window).
    cursors = models.JSONField(_("sync cursors"), default=dict, blank=True, editable=False)
    synced_through = models.DateField(_("synced through"), null=True, blank=True, editable=False)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True, editable=False)
    not_before = models.DateTimeField(_("paused until"), null=True, blank=True, editable=False)

    # Indexes for lookups that cross agencies on purpose, each with its reason (the architecture
    # test lets only these start with another column than agency).
    cross_agency_indexes = {
        "connection_platform_open_id": "A platform event names its account by open_id only (platforms.webhooks).",
    }

    class Meta:
        ordering = ["-connected_at", "-id"]
        verbose_name = _("platform connection")
        verbose_name_plural = _("platform connections")
        constraints = [
            on_field(
                "account",
                models.UniqueConstraint(
                    fields=["account"],
                    condition=~Q(status="disconnected"),
                    name="one_live_connection_per_account",
                    violation_error_code="one_live_connection_per_account",
                    violation_error_message=_("This account is already connected."),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "expires_at"], name="connection_agency_status"),
            models.Index(fields=["platform", "open_id"], name="connection_platform_open_id"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.get_status_display()}"

    @property
    def is_live(self) -> bool:
        return self.status != ConnectionStatus.DISCONNECTED


class ConnectionSecret(TenantModel):
    """A connection's tokens, encrypted with ``platforms.crypto`` (MultiFernet, keys from the
    environment). Kept apart from ``Connection`` so that nothing that shows or exports a
    connection ever holds them: the audit trail leaves this table out, the agency export skips it,
    and no serializer, form or admin names it."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="secret", editable=False)
    access_token = models.TextField(editable=False)
    refresh_token = models.TextField(editable=False)

    audit_trail = False
    tenant_client_path = None  # agency-internal: no client person reads it
    # Never served by the API, never in an agency's archive: the tokens belong to this
    # installation's platform app (an imported connection asks to be authorised again).
    api_exposed = False
    agency_export = False

    class Meta:
        verbose_name = _("connection secret")
        verbose_name_plural = _("connection secrets")

    def __str__(self) -> str:
        return f"secret of connection {self.connection_id}"


class AuthorisationRequest(TenantModel):
    """One start of the OAuth flow: the ``state`` sent to the platform is bound to the person who
    asked (or the client person a link was sent to), the agency and the account. A callback is
    accepted once, before ``expires_at``, from that person."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform account")
    )
    state_hash = models.CharField(max_length=64, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
        help_text=_("Who may complete it; nobody else's callback is accepted."),
    )
    link_hash = models.CharField(max_length=64, blank=True, editable=False)  # a link sent to a client person
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)

    tenant_client_path = None  # agency-internal
    # Never served by the API nor exported: a state is used once, by the platform's callback to
    # this installation.
    api_exposed = False
    agency_export = False

    class Meta:
        ordering = ["-id"]
        verbose_name = _("authorisation request")
        verbose_name_plural = _("authorisation requests")

    def __str__(self) -> str:
        return f"authorisation of account {self.account_id}"
