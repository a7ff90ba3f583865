"""API of clause 9 i): usage records."""

from __future__ import annotations

from agency.api.serializers import TenantModelSerializer
from records import filters
from records.api.common import STAMP_FIELDS, VOID_FIELDS, ExportMixin, RecordViewSet, VoidMixin
from records.models.usage import UsageRecord
from records.services.usage import usage_record_create


class UsageRecordSerializer(TenantModelSerializer):
    class Meta:
        model = UsageRecord
        fields = [
            "id",
            "user",
            "asset",
            "account",
            "client",
            "purpose",
            "started_at",
            "ended_at",
            "note",
            *VOID_FIELDS,
            *STAMP_FIELDS,
        ]
        read_only_fields = ["client"]
        extra_kwargs = {"user": {"required": False, "help_text": "Who used it (default: you)."}}

    def validate(self, attrs):
        if self.instance is None:
            account, asset = attrs.get("account"), attrs.get("asset")
            if account is not None:
                attrs["client"] = account.client
            elif asset is not None:
                attrs["client"] = asset.client
        return super().validate(attrs)


class UsageRecordViewSet(VoidMixin, ExportMixin, RecordViewSet):
    """9 i): who used which asset or account, when, for what."""

    model = UsageRecord
    resource = "usage_record"
    serializer_class = UsageRecordSerializer
    filterset_class = filters.UsageRecordFilterSet
    search_fields = ["note"]
    ordering_fields = ["started_at", "ended_at", "purpose"]
    ordering = ("-started_at", "-id")
    export_dataset = "usage_records"
    updatable_fields = ("purpose", "ended_at", "note")

    create_service = usage_record_create
    derived_fields = ("client",)
