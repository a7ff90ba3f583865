"""API of the audit trail (4.2): read-only, exportable."""

from __future__ import annotations

from agency.api.serializers import TenantModelSerializer
from records import filters
from records.api.common import ExportMixin, RecordViewSet
from records.models.audit import AuditEvent


class AuditEventSerializer(TenantModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "model_label",
            "table_name",
            "object_pk",
            "action",
            "changes",
            "user",
            "channel",
            "client",
            "transaction_id",
        ]
        read_only_fields = fields


class AuditEventViewSet(ExportMixin, RecordViewSet):
    """4.2: the append-only audit trail — every create, change and delete of tenant data, with who,
    when, the fields from what to what, and the channel. Client people see their own client's."""

    model = AuditEvent
    resource = "audit_event"
    serializer_class = AuditEventSerializer
    filterset_class = filters.AuditEventFilterSet
    http_method_names = ["get", "head", "options"]
    search_fields = ["model_label", "object_pk"]
    ordering_fields = ["occurred_at", "id"]
    ordering = ("-occurred_at", "-id")
    export_dataset = "audit_events"
