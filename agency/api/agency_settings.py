"""The agency's own settings (``GET``/``PATCH /api/v1/agency/settings/``): every member of the agency
reads them, its admin changes them (``agency.services.agency_settings_change``). Not a tenant row
served by ``TenantViewSet``: the agency itself, the one the request acts in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import services
from agency.api.viewsets import two_step_check
from agency.conformance_shown import clauses_shown_to_clients
from agency.models import Agency
from agency.selectors import agency_choice, cached_actor
from agency.tenancy import activate, tenant_boundary


class AgencySettingsSerializer(serializers.ModelSerializer):
    client_conformance_clauses = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='The clauses (ids such as "5.1") whose conformance results the agency\'s client people see; '
        "staff see every clause. All of them until the agency chooses.",
    )

    class Meta:
        model = Agency
        fields = ["name", "slug", "require_two_step_for_staff", "client_conformance_clauses"]
        read_only_fields = ["name", "slug"]
        extra_kwargs = {
            "require_two_step_for_staff": {
                "help_text": "Every staff person of the agency must sign in with two steps (its admins always must)."
            }
        }

    def to_representation(self, agency):
        data = super().to_representation(agency)
        data["client_conformance_clauses"] = clauses_shown_to_clients(agency)
        return data


class AgencySettingsView(APIView):
    """The settings of the agency the request acts in (``X-Agency`` with several)."""

    permission_classes = [IsAuthenticated]
    actor = None

    def dispatch(self, request, *args, **kwargs):
        with tenant_boundary():
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if request.user.is_authenticated:
            two_step_check(request)
            self.actor = cached_actor(request.user, *agency_choice(request))
            activate(self.actor, channel="api", user_id=request.user.pk)

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.actor is None:
            raise PermissionDenied("Choose an agency: send the X-Agency header with the slug of one of your agencies.")
        if self.actor.is_client_person:
            raise PermissionDenied("The agency's settings are for its staff.")

    @extend_schema(responses={200: AgencySettingsSerializer})
    def get(self, request):
        return Response(AgencySettingsSerializer(self.actor.agency).data)

    @extend_schema(request=AgencySettingsSerializer, responses={200: AgencySettingsSerializer})
    def patch(self, request):
        serializer = AgencySettingsSerializer(self.actor.agency, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            agency = services.agency_settings_change(
                actor=self.actor,
                require_two_step_for_staff=serializer.validated_data.get("require_two_step_for_staff"),
                client_conformance_clauses=serializer.validated_data.get("client_conformance_clauses"),
            )
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused))
        return Response(AgencySettingsSerializer(agency).data)
