"""The audit trail's page (4.2), which client people read too."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from records import filters
from records.models.audit import AuditEvent
from records.views.common import RecordListView


class AuditListView(RecordListView):
    model = AuditEvent
    resource = "audit_event"
    filterset_class = filters.AuditEventFilterSet
    dataset = "audit_events"
    title = gettext_lazy("Audit trail (4.2)")
    template_name = "records/audit_list.html"
    select = ("user",)
    ordering_fields = ("occurred_at",)
    paginate_by = 50
