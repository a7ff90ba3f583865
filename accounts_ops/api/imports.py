"""API of file imports of platform data (data imports): a file uploaded, then imported by the queue.
Bulk requests sent with ``Prefer: respond-async`` are kept and listed here too."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser

from accounts_ops.api.common import READ_AND_BULK, DataImportSerializer, OpsViewSet
from accounts_ops.models.imports import DataImport, ImportKind
from accounts_ops.services.imports import KINDS, data_import_request
from agency.api.filters import TenantFilterSet
from agency.api.openapi import not_offered
from agency.api.parsers import MultiPartParser
from agency.api.routers import register
from agency.api.serializers import ScopedSerializer
from agency.api.viewsets import service_action
from agency.roles import ADD
from clients.models import PlatformAccount


class UploadSerializer(ScopedSerializer):
    kind = serializers.ChoiceField(choices=[kind for kind in ImportKind.choices if kind[0] in KINDS])
    file = serializers.FileField()
    account = serializers.PrimaryKeyRelatedField(
        queryset=PlatformAccount.objects.none(),
        required=False,
        allow_null=True,
        help_text="For a file of one account's data (a creator-centre export).",
    )


class DataImportFilterSet(TenantFilterSet):
    class Meta:
        model = DataImport
        fields = ["kind", "status", "account"]


class DataImportViewSet(OpsViewSet):
    """Files of platform data (CSV or XLSX; UTF-8, UTF-8 with BOM or GBK). ``upload`` stores the
    file and queues its import; poll the import for ``progress``, then read ``rows_accepted``
    (``rows_created`` and ``rows_updated`` of them), ``rows_rejected`` and ``row_errors`` (row
    number, field, message). Accepted rows are committed, rejected rows listed. Bulk requests sent
    with ``Prefer: respond-async`` are listed here too (``file_format`` ``json``)."""

    model = DataImport
    resource = "data_import"
    serializer_class = DataImportSerializer
    filterset_class = DataImportFilterSet
    http_method_names = READ_AND_BULK
    search_fields = ["original_name"]
    ordering_fields = ["created_at", "status"]
    ordering = ("-id",)

    create = not_offered("Upload files to the upload/ endpoint.")

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={202: DataImportSerializer})
    @service_action(
        data_import_request,
        body=UploadSerializer,
        detail=False,
        status_code=status.HTTP_202_ACCEPTED,
        required_action=ADD,
        parser_classes=[MultiPartParser, FormParser],
    )
    def upload(self, request):
        pass


register("data-imports", DataImportViewSet)
