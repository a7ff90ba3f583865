"""Staff pages for clients, accounts, videos and requirements, and the client area."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency import panels
from agency.conformance import results as conformance_of
from agency.conformance_shown import conformance_shown_to
from agency.http import file_response
from agency.pages import ServiceActionView, form_errors_from
from agency.roles import ADD, CHANGE, DECIDE, FULFIL, VIEW
from agency.views import (
    TenantCreateView,
    TenantDetailView,
    TenantListView,
    TenantUpdateView,
    TenantViewMixin,
    period_from_request,
)
from clients import services
from clients.api import ClientFilterSet, ClientRequirementFilterSet, PlatformAccountFilterSet, VideoFilterSet
from clients.figures import figure_source
from clients.forms import (
    REQUIREMENT_ACTION_FORMS,
    ClientForm,
    PlatformAccountForm,
    RequirementRaiseForm,
    VideoForm,
)
from clients.models import Client, ClientRequirement, PlatformAccount, Video
from clients.selectors import client_summary


class ClientListView(TenantListView):
    model = Client
    resource = "client"
    filterset_class = ClientFilterSet
    title = gettext_lazy("Clients")
    columns = (
        ("name", gettext_lazy("Name")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("city", gettext_lazy("City")),
        ("get_status_display", gettext_lazy("Status")),
        ("contract_end", gettext_lazy("Contract end")),
    )
    ordering_fields = ("name", "status", "contract_end")
    create_url_name = "clients:client-create"


class ClientDetailView(TenantDetailView):
    model = Client
    resource = "client"
    template_name = "clients/client_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = period_from_request(self.request, self.actor)
        context.update(client_summary(self.actor, self.object))
        context.update(
            period=period,
            conformance=conformance_shown_to(self.actor, conformance_of(self.object, period)),
            can_change=self.actor.can(CHANGE, "client"),
        )
        context.update(client_metrics(self.request, self.actor, self.object, context["accounts"]))
        context.update(panels.context_for(panels.CLIENT, self.actor, self.object))
        return context


def client_metrics(request, actor, client: Client, accounts: list[PlatformAccount]) -> dict:
    """The client's figures over time (its accounts together) and each account's key figures with
    their trend, from the platform's daily metrics (chapter 7, registered in ``clients.figures``):
    the client page and the client area's dashboard bring the chapters together."""
    return figure_source().page_figures(request, actor, client, accounts)


class ClientFormPage:
    model = Client
    resource = "client"
    form_class = ClientForm

    def get_success_url(self):
        return reverse("clients:client-detail", args=[self.object.pk])


class ClientCreateView(ClientFormPage, TenantCreateView):
    title = gettext_lazy("New client")


class ClientUpdateView(ClientFormPage, TenantUpdateView):
    title = gettext_lazy("Edit client")


class AccountListView(TenantListView):
    model = PlatformAccount
    resource = "platform_account"
    filterset_class = PlatformAccountFilterSet
    title = gettext_lazy("Platform accounts")
    columns = (
        ("handle", gettext_lazy("Handle")),
        ("get_platform_display", gettext_lazy("Platform")),
        ("client", gettext_lazy("Client")),
        ("nickname", gettext_lazy("Nickname")),
        ("followers", gettext_lazy("Followers")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("handle", "followers", "platform")
    create_url_name = "clients:account-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class AccountFormPage:
    model = PlatformAccount
    resource = "platform_account"
    form_class = PlatformAccountForm
    success_url = reverse_lazy("clients:account-list")


class AccountCreateView(AccountFormPage, TenantCreateView):
    title = gettext_lazy("New platform account")


class AccountUpdateView(AccountFormPage, TenantUpdateView):
    title = gettext_lazy("Edit platform account")


class VideoListView(TenantListView):
    model = Video
    resource = "video"
    filterset_class = VideoFilterSet
    title = gettext_lazy("Videos")
    columns = (
        ("title", gettext_lazy("Title")),
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
        ("published_at", gettext_lazy("Published at")),
        ("get_origin_display", gettext_lazy("Origin")),
    )
    ordering_fields = ("published_at", "title")
    create_url_name = "clients:video-create"

    def scope(self, queryset):
        return queryset.select_related("client", "account")


class VideoCreateView(TenantCreateView):
    model = Video
    resource = "video"
    form_class = VideoForm
    title = gettext_lazy("New video")
    success_url = reverse_lazy("clients:video-list")


class RequirementListView(TenantListView):
    model = ClientRequirement
    resource = "requirement"
    filterset_class = ClientRequirementFilterSet
    title = gettext_lazy("Client requirements (4.1)")
    columns = (
        ("title", gettext_lazy("Title")),
        ("client", gettext_lazy("Client")),
        ("get_status_display", gettext_lazy("Status")),
        ("raised_at", gettext_lazy("Raised at")),
        ("due_date", gettext_lazy("Due date")),
    )
    ordering_fields = ("raised_at", "due_date", "status")
    create_url_name = "clients:requirement-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class RequirementCreateView(ServiceActionView):
    """Raise a requirement (staff on the client's behalf, or the client's approver)."""

    resource = "requirement"
    allow_both = True
    form_class = RequirementRaiseForm
    service = services.requirement_raise
    title = gettext_lazy("Raise a requirement")
    success_message = gettext_lazy("Requirement recorded.")
    invalid_status = 200

    def success_url(self, requirement):
        if self.actor.is_client_person:
            return reverse("client-area:dashboard")
        return reverse("clients:requirement-detail", args=[requirement.pk])


class RequirementDetailView(TenantDetailView):
    model = ClientRequirement
    resource = "requirement"
    template_name = "clients/requirement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_forms"] = {
            name: form_class(prefix=name)
            for name, form_class in REQUIREMENT_ACTION_FORMS.items()
            if self.actor.can(FULFIL if name == "fulfil" else DECIDE, "requirement")
        }
        return context


class RequirementEvidenceView(TenantViewMixin, View):
    """A fulfilled requirement's evidence file, to people who may see the requirement."""

    resource = "requirement"
    allow_both = True

    def get(self, request, pk):
        requirement = get_object_or_404(ClientRequirement.objects.visible_to(self.actor), pk=pk)
        if not requirement.evidence_file:
            raise Http404
        return file_response(request, requirement.evidence_file)


class RequirementActionView(TenantViewMixin, View):
    """Accept, decline or fulfil a requirement: the services decide what is allowed."""

    resource = "requirement"
    SERVICES = {
        "accept": (DECIDE, services.requirement_accept),
        "decline": (DECIDE, services.requirement_decline),
        "fulfil": (FULFIL, services.requirement_fulfil),
    }

    def post(self, request, pk, name):
        # As every page: a row outside the person's scope is 404, a row in it without the right 403.
        requirement = get_object_or_404(ClientRequirement.objects.visible_to(self.actor), pk=pk)
        if name not in self.SERVICES:
            raise Http404
        action, service = self.SERVICES[name]
        if not self.actor.can(action, self.resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = REQUIREMENT_ACTION_FORMS[name](request.POST, request.FILES, prefix=name)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k in ("note", "reason")}
            try:
                service(actor=self.actor, requirement=requirement, **data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Requirement updated."))
                return redirect("clients:requirement-detail", pk=pk)
        forms_ = {n: (form if n == name else cls(prefix=n)) for n, cls in REQUIREMENT_ACTION_FORMS.items()}
        return render(
            request,
            "clients/requirement_detail.html",
            {
                "object": requirement,
                "action_forms": forms_,
            },
            status=400,
        )


class ClientAreaDashboardView(TenantViewMixin, View):
    """The client person's own dashboard: their client's accounts, videos, requirements and how
    the agency meets the standard for them. Nothing of other clients is reachable from here."""

    client_area = True
    resource = "client"
    action = VIEW

    def get(self, request):
        client = get_object_or_404(Client.objects.visible_to(self.actor), pk=self.actor.client_id)
        period = period_from_request(request, self.actor)
        context = {
            "client": client,
            "period": period,
            "conformance": conformance_shown_to(self.actor, conformance_of(client, period)),
            "can_raise": self.actor.can(ADD, "requirement"),
        }
        context.update(client_summary(self.actor, client))
        context.update(client_metrics(request, self.actor, client, context["accounts"]))
        context.update(audience_charts(self.actor, context["accounts"]))
        return render(request, "client_area/dashboard.html", context)


def audience_charts(actor, accounts: list[PlatformAccount]) -> dict:
    """The audience persona (7.3) of the client's largest account with a report: its latest report
    and the gender, age and city charts of it (chapter 7, registered in ``clients.figures``)."""
    return figure_source().audience(actor, accounts)
