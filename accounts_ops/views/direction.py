"""Staff pages of clause 6.1, the account's content and direction. Thin: forms collect, services
decide."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts_ops.api.direction import AccountDirectionFilterSet
from accounts_ops.forms.direction import DirectionForm
from accounts_ops.models.direction import AccountDirection
from accounts_ops.services.direction import direction_record
from accounts_ops.views.common import _account_page
from agency.pages import ServiceActionView
from agency.views import TenantListView


class DirectionListView(TenantListView):
    model = AccountDirection
    resource = "account_direction"
    filterset_class = AccountDirectionFilterSet
    title = gettext_lazy("Account directions (6.1)")
    columns = (
        ("account", gettext_lazy("Account")),
        ("version", gettext_lazy("Version")),
        ("effective_from", gettext_lazy("Effective from")),
        ("positioning", gettext_lazy("Positioning")),
        ("is_current", gettext_lazy("Current")),
    )
    ordering_fields = ("effective_from", "version")
    create_url_name = "accounts_ops:direction-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class DirectionCreateView(ServiceActionView):
    resource = "account_direction"
    form_class = DirectionForm
    title = gettext_lazy("New version of an account's direction (6.1)")
    service = direction_record

    def success_url(self, result):
        return _account_page(result.account_id)
