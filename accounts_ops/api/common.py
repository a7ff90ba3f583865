"""What the API modules of account operations share: rows about one account take their client from the
account; action bodies re-scope their choices to the actor; writes go to services. Also the method lists
of append-only and read-only endpoints, the route of a Douyin-shaped webhook, the body that reports a
failed delivery, and, for platform data in, the bulk endpoints (their body, their answer,
``Prefer: respond-async``) and the data import a bulk request may be kept as.

The bulk endpoints take thousands of rows per request and are all or nothing: a request with a
bad row writes nothing and its error names each bad row and field (``rows[3].plays``). Rows
use the platform's field names (Douyin's ``total_fans``, ``new_play``, ``digg``...) or ours;
the mapping is ``accounts_ops.platform_fields``. Each endpoint's body and rows are declared once, in
``accounts_ops.api.imports_rows``: the schema states them, and the request is read through them (each
value of its field's JSON type, form and limits), then checked by the service row by row against
the world (without a serializer call per row: a request of 10,000 rows must stay fast).

A bulk request with the header ``Prefer: respond-async`` (RFC 7240) is checked the same way, then
answered ``202 Accepted`` with the data import that keeps it (``Location``); the ingest queue
stores its rows, and the import tells how many were created, updated or unchanged. Without the
header the rows are stored before the answer, which carries those counts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import ProtectedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts_ops.api.imports_rows import refuse_rows
from accounts_ops.bulk import collector_paused
from accounts_ops.models.imports import DataImport
from accounts_ops.services.imports import KINDS as INGESTS
from accounts_ops.services.imports import bulk_request_accept
from agency.api.openapi import error_response, not_offered
from agency.api.serializers import FixedAfterCreate, TenantModelSerializer
from agency.api.viewsets import ServiceViewSet
from agency.tenancy import require_agency


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


class OpsViewSet(ServiceViewSet):
    """A tenant viewset whose writes call services; a row still referenced elsewhere is refused
    with 400 instead of being deleted."""

    derived_fields = ("client",)  # a row's client is its account's (``AccountRowSerializer``)

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as exc:
            names = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
            raise ValidationError(
                {"non_field_errors": [f"Still used by {', '.join(map(str, names))}; it cannot be deleted."]}
            )


NO_PUT = ["get", "post", "patch", "delete", "head", "options"]
APPEND_ONLY = ["get", "post", "head", "options"]
READ_ONLY = ["get", "head", "options"]


def douyin_webhook_route(result_serializer):
    """The route of a Douyin-shaped webhook for one account: no session or token, authenticated
    by the ``X-Douyin-Signature`` of its raw body (checked by the handler), documented once."""

    def decorate(func):
        func = action(
            detail=False,
            methods=["post"],
            url_path=r"webhooks/douyin/(?P<account_id>[0-9]+)",
            authentication_classes=[],
            permission_classes=[AllowAny],
        )(func)
        return extend_schema(
            request=OpenApiTypes.OBJECT,
            responses={
                200: result_serializer,
                400: error_response(400, "The event could not be read; `fields` names what."),
                401: error_response(401, "The signature does not match."),
                413: error_response(413),
            },
            parameters=[
                OpenApiParameter("account_id", int, OpenApiParameter.PATH),
                OpenApiParameter(
                    "X-Douyin-Signature",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="HMAC-SHA256 of the raw body with the account's webhook secret, hex.",
                ),
            ],
            auth=[],
        )(func)

    return decorate


class FailedSerializer(serializers.Serializer):
    error = serializers.CharField()


READ_AND_BULK = ["get", "post", "head", "options"]


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows identical to what was stored: nothing was written.")


class DataImportSerializer(TenantModelSerializer):
    class Meta:
        model = DataImport
        fields = [
            "id",
            "kind",
            "account",
            "original_name",
            "file_format",
            "encoding",
            "status",
            "progress",
            "rows_total",
            "rows_accepted",
            "rows_rejected",
            "rows_created",
            "rows_updated",
            "row_errors",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


def bulk_body(request, serializer_class, actor, check) -> dict:
    """A bulk request read through its serializer (``accounts_ops.api.imports_rows``): its rows, checked
    for what the schema states of them, and the account (or platform) of rows that name none,
    found in scope. A request whose rows break the schema is refused naming those values and what
    ``check`` (the service's check of the rows: ``check(rows, agency=..., actor=...,
    default_account=...)``) finds in its rows besides."""
    body = serializer_class(data=request.data, context={"actor": actor, "request": request})
    body.is_valid(raise_exception=True)
    data = body.validated_data
    if body.row_problems:
        with collector_paused():
            checked = check(
                data["rows"],
                agency=require_agency(),
                actor=actor,
                default_account=data.get("account"),
                **({"default_platform": data.get("platform") or ""} if "platform" in data else {}),
            )
        refuse_rows(body.row_problems, checked)
    return data


def ingest_counts(result) -> Response:
    """A bulk request's answer: what it created, updated and left unchanged."""
    return Response(
        IngestResultSerializer(result.as_dict()).data,
        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
    )


RESPOND_ASYNC = "respond-async"


def prefers_async(request) -> bool:
    """The request's ``Prefer`` header (RFC 7240) asks for ``respond-async``."""
    preferences = request.headers.get("Prefer", "")
    return any(part.split(";")[0].split("=")[0].strip().lower() == RESPOND_ASYNC for part in preferences.split(","))


def json_body(request) -> bytes | None:
    """The request's JSON body as sent, read before the parser reads the stream; ``None`` for
    another content type, a length that is not a number (the parser then reads no body), or a
    body past Django's in-memory limit (the rows are then written out again)."""
    if request.content_type.split(";")[0].strip().lower() != "application/json":
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return None
    try:
        return request.body
    except RequestDataTooBig:
        return None


class BulkViewSetMixin:
    """``POST bulk/``: ``{"account": optional id, "rows": [...]}`` → the service's counts; with
    ``Prefer: respond-async``, ``202 Accepted`` and the data import that keeps the rows."""

    create = not_offered("Send rows to the bulk/ endpoint.")

    def run_bulk(self, request, serializer_class, ingest, kind: str):
        later = prefers_async(request)
        body = json_body(request) if later else None
        data = bulk_body(request, serializer_class, self.actor, INGESTS[kind].check)
        rows, account = data["rows"], data.get("account")
        if later:
            job = bulk_request_accept(actor=self.actor, kind=kind, rows=rows, account=account, body=body)
            job.refresh_from_db()
            return Response(
                DataImportSerializer(job, context=self.get_serializer_context()).data,
                status=status.HTTP_202_ACCEPTED,
                headers={
                    "Location": reverse("dataimport-detail", args=[job.pk], request=request),
                    "Preference-Applied": RESPOND_ASYNC,
                },
            )
        return ingest_counts(ingest(actor=self.actor, rows=rows, account=account))
