"""Staff pages of 7.4, the IP persona. Thin: forms collect, services decide."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts_ops.api.ip_persona import IpPersonaFilterSet
from accounts_ops.forms.ip_persona import IpPersonaForm
from accounts_ops.models.ip_persona import IpPersona
from accounts_ops.services.ip_persona import ip_persona_record
from agency.pages import ServiceActionView
from agency.views import TenantListView


class IpPersonaListView(TenantListView):
    model = IpPersona
    resource = "ip_persona"
    filterset_class = IpPersonaFilterSet
    template_name = "accounts_ops/ip_persona_list.html"
    title = gettext_lazy("IP personas (7.4)")
    ordering_fields = ("version", "effective_from")
    create_url_name = "accounts_ops:persona-ip-create"

    def scope(self, queryset):
        if "is_current" not in self.request.GET and "account" not in self.request.GET:
            queryset = queryset.filter(is_current=True)
        return queryset.select_related("account").order_by("account_id", "-version")


class IpPersonaCreateView(ServiceActionView):
    resource = "ip_persona"
    form_class = IpPersonaForm
    title = gettext_lazy("New version of an IP persona (7.4)")
    service = ip_persona_record

    def success_url(self, result):
        return result.get_absolute_url()
