"""Staff pages of 8.1 live sessions: the list, planning and editing a session, and the session page
with its forms. The pages call ``extensions.services.live``; a refused write shows the service's
message on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import ServiceActionView, form_errors_from, report_refusal
from agency.roles import CHANGE, DELETE
from agency.views import TenantDetailView, TenantListView, TenantViewMixin
from extensions.api.live import LiveSessionFilterSet
from extensions.forms.live import LIVE_ACTION_FORMS, LIVE_FORMS_WITH_SESSION, LiveSessionForm
from extensions.models import LiveProduct, LiveSession, LiveTeamAssignment, RunSheetSegment
from extensions.rules import role_labels
from extensions.selectors.live import live_session_detail
from extensions.services.live import (
    EDITABLE_SESSION,
    live_product_add,
    live_product_remove,
    live_result_record,
    live_session_cancel,
    live_session_end,
    live_session_plan,
    live_session_start,
    live_session_update,
    live_team_assign,
    live_team_unassign,
    run_sheet_segment_add,
    run_sheet_segment_remove,
)


class LiveSessionListView(TenantListView):
    model = LiveSession
    resource = "live_session"
    filterset_class = LiveSessionFilterSet
    title = gettext_lazy("Live sessions (8.1)")
    columns = (
        ("theme", gettext_lazy("Theme")),
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
        ("planned_start", gettext_lazy("Planned start")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("planned_start", "status")
    create_url_name = "extensions:live-create"

    def scope(self, queryset):
        return queryset.select_related("client", "account")


class LiveSessionCreateView(ServiceActionView):
    resource = "live_session"
    form_class = LiveSessionForm
    service = live_session_plan
    title = gettext_lazy("Plan a live session")
    invalid_status = 200


class LiveSessionUpdateView(ServiceActionView):
    resource = "live_session"
    action = CHANGE
    form_class = LiveSessionForm
    title = gettext_lazy("Edit live session")
    invalid_status = 200

    def get_object(self):
        return get_object_or_404(LiveSession.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        # the form changed its own copy of the row; the service compares against the stored one
        return live_session_update(actor=self.actor, session=self.get_object(), **data)


class LiveSessionDetailView(TenantDetailView):
    model = LiveSession
    resource = "live_session"
    template_name = "extensions/live_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "account", "result")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(live_session_context(self.actor, self.object))
        return context


def live_session_context(actor, session, bound: dict | None = None) -> dict:
    context = live_session_detail(actor, session)
    can_change = actor.can(CHANGE, "live_session")
    forms_ = {}
    if can_change:
        for name, form_class in LIVE_ACTION_FORMS.items():
            kwargs = {"prefix": name}
            if name in LIVE_FORMS_WITH_SESSION:
                kwargs["session"] = session
            forms_[name] = form_class(**kwargs)
    forms_.update(bound or {})
    context.update(
        action_forms=forms_,
        can_change=can_change,
        can_delete=actor.can(DELETE, "live_session"),
        missing_labels=role_labels(context["missing_roles"]),
        start_blockers=[
            _("nobody is assigned as %(roles)s (clause 8.1)") % {"roles": role_labels(context["missing_roles"])}
        ]
        if context["missing_roles"]
        else [],
        editable=session.status in EDITABLE_SESSION,
    )
    return context


class LiveSessionActionView(TenantViewMixin, View):
    """One form of the session page: start, end, cancel, assign, add a product or a segment,
    record results."""

    resource = "live_session"
    action = CHANGE
    SERVICES = {
        "start": live_session_start,
        "end": live_session_end,
        "cancel": live_session_cancel,
        "team": live_team_assign,
        "product": live_product_add,
        "segment": run_sheet_segment_add,
        "results": live_result_record,
    }

    def post(self, request, pk, name):
        if name not in self.SERVICES:
            raise Http404
        session = get_object_or_404(
            LiveSession.objects.visible_to(self.actor).select_related("client", "account", "result"), pk=pk
        )
        kwargs = {"prefix": name}
        if name in LIVE_FORMS_WITH_SESSION:
            kwargs["session"] = session
        form = LIVE_ACTION_FORMS[name](request.POST, **kwargs)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k in ("reason", "review")}
            try:
                self.SERVICES[name](actor=self.actor, session=session, **data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect("extensions:live-detail", pk=pk)
        session.refresh_from_db()
        context = {"object": session, **live_session_context(self.actor, session, {name: form})}
        return render(request, "extensions/live_detail.html", context, status=400)


class LiveRowRemoveView(TenantViewMixin, View):
    """Take a person off the team, or remove a product or a segment, through the services."""

    resource = "live_session"
    action = CHANGE
    KINDS = {
        "team": (LiveTeamAssignment, lambda actor, row: live_team_unassign(actor=actor, assignment=row)),
        "product": (LiveProduct, lambda actor, row: live_product_remove(actor=actor, product=row)),
        "segment": (RunSheetSegment, lambda actor, row: run_sheet_segment_remove(actor=actor, segment=row)),
    }

    def post(self, request, kind, pk):
        if kind not in self.KINDS:
            raise Http404
        model, remove = self.KINDS[kind]
        row = get_object_or_404(model.objects.visible_to(self.actor).select_related("session"), pk=pk)
        try:
            remove(self.actor, row)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Removed."))
        return redirect("extensions:live-detail", pk=row.session_id)
