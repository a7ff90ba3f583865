"""The API's own tokens (``agency.tokens``): refreshing a personal token, a person's list of their
tokens (and revoking one), and an agency's integration tokens (agency admins: list, make, revoke).

Not tenant rows served by ``TenantViewSet``: tokens are a system table read by person or by agency
(``agency.tokens``). An integration token reaches none of these: it cannot make, list or revoke
tokens, nor refresh itself (an agency admin makes a new one)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import tokens
from agency.api.auth import token_answer
from agency.api.authentication import CachedTokenAuthentication
from agency.api.viewsets import two_step_check
from agency.models import ApiToken
from agency.selectors import agency_choice, cached_actor
from agency.tenancy import activate, tenant_boundary


class ApiTokenSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text="active, expired or revoked")

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "kind",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "status",
        ]
        read_only_fields = fields

    def get_status(self, token) -> str:
        return token_status(token)


def token_status(token: ApiToken, now=None) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


class IntegrationTokenRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the integration is, to recognise it.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=tokens.SCOPES),
        allow_empty=False,
        help_text="Read or write, per area: " + ", ".join(tokens.SCOPES) + ". Write includes read.",
    )
    expires_at = serializers.DateTimeField(help_text="Required; at most INTEGRATION_TOKEN_MAX_DAYS (365) days away.")


NEW_TOKEN = inline_serializer(
    "NewToken",
    {
        "token": serializers.CharField(help_text="The key: shown this once, only its SHA-256 is kept."),
        "id": serializers.IntegerField(),
        "prefix": serializers.CharField(),
        "name": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
    },
)


class _TokenView(APIView):
    """Signed in by a token or a session; two-step sign-in where it is required, as everywhere."""

    permission_classes = [IsAuthenticated]

    def dispatch(self, request, *args, **kwargs):
        with tenant_boundary():
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if request.user.is_authenticated:
            two_step_check(request)
            if self.integration(request) is not None:
                raise PermissionDenied(
                    "An integration token cannot manage tokens; an agency admin does, on the agency's page.",
                    code="integration_token",
                )

    @staticmethod
    def integration(request):
        authenticator = request.successful_authenticator
        token = getattr(authenticator, "token", None)
        return token if token is not None and token.kind == ApiToken.Kind.INTEGRATION else None


class RefreshTokenView(_TokenView):
    """Exchange the token this request is sent with for a new one, with a new expiry; the old token
    stops working at once."""

    authentication_classes = [CachedTokenAuthentication]

    @extend_schema(request=None, responses={200: NEW_TOKEN})
    def post(self, request):
        found = tokens.refresh(request.successful_authenticator.token)
        if found is None:
            return Response(
                {"error": {"status": 401, "code": tokens.REVOKED, "message": tokens.REFUSALS[tokens.REVOKED]}},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        return Response(token_answer(*found))


class PersonalTokenListView(_TokenView):
    """The person's own tokens, newest first (never their keys)."""

    @extend_schema(responses={200: ApiTokenSerializer(many=True)})
    def get(self, request):
        return Response(ApiTokenSerializer(tokens.personal_tokens(request.user), many=True).data)


class PersonalTokenDetailView(_TokenView):
    """Revoke one of the person's own tokens (another's answers 404)."""

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        if tokens.revoke_personal(user=request.user, pk=pk) is None:
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class _AgencyTokenView(_TokenView):
    """The agency's integration tokens: its agency admins only, in the agency the request chooses."""

    actor = None

    def perform_authentication(self, request):
        super().perform_authentication(request)
        self.actor = cached_actor(request.user, *agency_choice(request)) if request.user.is_authenticated else None
        activate(self.actor, channel="api", user_id=request.user.pk)

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.actor is None:
            raise PermissionDenied("Choose an agency: send the X-Agency header with the slug of one of your agencies.")
        if not tokens.may_manage_integrations(self.actor):
            raise PermissionDenied("Only an agency admin manages the agency's integration tokens.")


class IntegrationTokenListView(_AgencyTokenView):
    @extend_schema(responses={200: ApiTokenSerializer(many=True)})
    def get(self, request):
        return Response(ApiTokenSerializer(tokens.integration_tokens(self.actor.agency), many=True).data)

    @extend_schema(request=IntegrationTokenRequestSerializer, responses={201: NEW_TOKEN})
    @transaction.atomic
    def post(self, request):
        serializer = IntegrationTokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = tokens.issue_integration(actor=self.actor, **serializer.validated_data)
        return Response(token_answer(token, key), status=status.HTTP_201_CREATED)


class IntegrationTokenDetailView(_AgencyTokenView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        if tokens.revoke_integration(actor=self.actor, pk=pk) is None:
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
