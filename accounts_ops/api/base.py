"""Shared pieces of the account-operations API: rows about one account take their client from the
account; action bodies re-scope their choices to the actor; writes go to services."""

from __future__ import annotations

from django.db.models import ProtectedError
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.relations import PrimaryKeyRelatedField

from agency.api.serializers import FixedAfterCreate, TenantModelSerializer
from agency.api.viewsets import TenantViewSet
from agency.people import choices_for
from agency.tenancy import current_actor


class AccountRowSerializer(FixedAfterCreate, TenantModelSerializer):
    """For rows about one platform account: ``client`` is the account's, never the body's; the
    account is fixed once the row exists."""

    fixed_after_create = ("account",)

    client = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The account's client.")

    def get_validators(self):
        # The model's own constraints run in ``validate`` (full_clean), with their conditions;
        # DRF's generated unique-together checks would make optional fields required.
        return []

    def validate(self, attrs):
        account = attrs.get("account")
        if account is not None:
            attrs["client"] = account.client
        elif self.instance is None and "account" in self.fields and not self.fields["account"].read_only:
            raise ValidationError({"account": ["This field is required."]})
        return super().validate(attrs)


class ScopedSerializer(serializers.Serializer):
    """A plain body (for an action) whose row choices are only the actor's rows."""

    def get_fields(self):
        fields = super().get_fields()
        actor = self.context.get("actor") or current_actor()
        for field in fields.values():
            if isinstance(field, PrimaryKeyRelatedField) and not field.read_only:
                model = field.queryset.model
                field.queryset = choices_for(model, actor) if actor is not None else model._default_manager.none()
        return fields


class OpsViewSet(TenantViewSet):
    """A tenant viewset whose writes call services; a row still referenced elsewhere is refused
    with 400 instead of being deleted."""

    def initial(self, request, *args, **kwargs):
        # A method the endpoint does not offer is 405 for everyone, before any role is asked.
        if request.method.lower() not in self.http_method_names:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def service_kwargs(self, serializer) -> dict:
        data = dict(serializer.validated_data)
        data.pop("client", None)
        return data

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as exc:
            names = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
            raise ValidationError(
                {"non_field_errors": [f"Still used by {', '.join(map(str, names))}; it cannot be deleted."]}
            )

    def serve(self, serializer, instance):
        serializer.instance = instance
        return instance
