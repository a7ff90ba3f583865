"""Clause 4.2 (no concealment) and clause 9 ("nothing is deleted silently"): the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agency.models import Agency, TenantModel


class AuditTrailIsAppendOnly(RuntimeError):
    """An audit event is never changed or removed (and PostgreSQL refuses it too)."""


class AuditAction(models.TextChoices):
    INSERT = "insert", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")


class AuditEvent(TenantModel):
    """4.2: one create, change or delete of a tenant row — who, when, which row, which fields from
    what to what, and through which channel (ui, api, task, admin, command, system).

    Written by the database (``records.audit``), so bulk and raw writes are covered too on
    PostgreSQL; append-only there (UPDATE, DELETE and TRUNCATE raise). The agency, client and user
    columns are plain ids without foreign-key constraints: the trail outlives what it describes.
    ``changes`` maps each column to ``[old, new]`` (``old`` is null for a create, ``new`` for a
    delete). Client people see the events about their own client's rows.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", editable=False
    )
    created_at = None
    updated_at = None
    created_by = None
    updated_by = None

    occurred_at = models.DateTimeField(_("when"))
    table_name = models.CharField(_("table"), max_length=100)
    model_label = models.CharField(_("record type"), max_length=100)
    object_pk = models.CharField(_("record id"), max_length=64)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    changes = models.JSONField(_("changes"), default=dict)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    channel = models.CharField(_("channel"), max_length=16, default="system")
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    transaction_id = models.BigIntegerField(_("transaction"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["agency", "occurred_at"], name="audit_agency_occurred"),
            models.Index(fields=["agency", "model_label", "object_pk"], name="audit_agency_object"),
            models.Index(fields=["agency", "client", "occurred_at"], name="audit_agency_client_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.model_label}#{self.object_pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("An audit event is never changed.")
        with self._own_agency_context():
            models.Model.save(self, *args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("An audit event is never deleted.")

    @property
    def changed_fields(self) -> list[str]:
        return sorted(self.changes or {})

    def change_rows(self) -> list[tuple[str, object, object]]:
        return [(name, pair[0], pair[1]) for name, pair in sorted((self.changes or {}).items())]
