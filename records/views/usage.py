"""Pages of clause 9 i): usage records."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from agency.pages import ServiceActionView
from records import filters, forms
from records.models.usage import UsageRecord
from records.services.usage import usage_record_create
from records.views.common import RecordListView


class UsageListView(RecordListView):
    model = UsageRecord
    resource = "usage_record"
    filterset_class = filters.UsageRecordFilterSet
    dataset = "usage_records"
    title = gettext_lazy("Usage records (9 i)")
    select = ("user", "asset", "account", "client")
    columns = (
        ("started_at", pgettext_lazy("start of a time span", "From")),
        ("ended_at", gettext_lazy("Until")),
        ("user", gettext_lazy("Used by")),
        ("get_purpose_display", gettext_lazy("Purpose")),
        ("asset", gettext_lazy("Asset")),
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
    )
    ordering_fields = ("started_at", "purpose")
    create_url_name = "records:usage-create"


class UsageCreateView(ServiceActionView):
    resource = "usage_record"
    form_class = forms.UsageRecordForm
    title = gettext_lazy("Record a use (9 i)")
    service = usage_record_create
    success_url_name = "records:usage-list"
