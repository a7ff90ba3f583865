"""The audit trail's page (4.2), which client people read too."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from records import filters
from records.models.audit import AuditEvent
from records.selectors.audit import readable_events
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = readable_events(self.actor, context["object_list"])
        context["when_header"] = self.sort_header("occurred_at", gettext_lazy("When"))
        return context
