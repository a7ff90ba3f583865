"""What the chapter 8 API topics share: rows that hang off a parent take their client from it and
keep their parent, and a cancel payload."""

from __future__ import annotations

from rest_framework import serializers

from agency.api.serializers import TenantModelSerializer


class ChildSerializer(TenantModelSerializer):
    """A row of a parent (``parent_field``: the field naming it): the client comes from the parent,
    and the parent is fixed once the row exists. (Not ``parent``: DRF sets that on every field.)"""

    parent_field = ""
    client = serializers.PrimaryKeyRelatedField(read_only=True, help_text="Taken from the parent row.")

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and self.parent_field in fields:
            fields[self.parent_field].read_only = True
        return fields

    def validate(self, attrs):
        parent = attrs.get(self.parent_field)
        if parent is not None:
            attrs["client"] = parent.client
        return super().validate(attrs)


class ExtensionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField()
