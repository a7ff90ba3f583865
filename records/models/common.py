"""The base of every clause-9 record: dated, attributed, and voided with a reason instead of deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from agency.models import TenantModel


class RecordNotDeletable(RuntimeError):
    """Clause 9 records are kept: void them with a reason (``records.services.common.record_void``)."""


class VoidableRecord(TenantModel):
    """Clause 9 ("nothing is deleted silently"): a record that turns out wrong is voided, with who,
    when and why; it stays in lists (marked), exports and the audit trail."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("voided by"),
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def delete(self, *args, **kwargs):
        raise RecordNotDeletable(f"{type(self).__name__} {self.pk} is a clause 9 record: void it with a reason.")


def void_constraint(prefix: str) -> models.CheckConstraint:
    """A voided record names its reason; a live one has none."""
    return on_field(
        "void_reason",
        models.CheckConstraint(
            condition=Q(voided_at__isnull=True, void_reason="") | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
            name=f"{prefix}_void_has_reason",
            violation_error_code="void_has_reason",
            violation_error_message=_("A voided record names its reason; a live one has none."),
        ),
    )
