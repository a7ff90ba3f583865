"""Staff pages of chapter 8 (live sessions, influencers and store visits, adverse events and
valuations) and the client area's view of its own live results, visits and valuations. The
pages call ``extensions.services``; a refused write shows the service's message on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.conformance import CHECKS
from agency.roles import ADD, CHANGE, DELETE, VIEW
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantCreateView, TenantDetailView, TenantListView, TenantUpdateView, TenantViewMixin
from extensions import filters, services
from extensions.forms import (
    BOOKING_ACTION_FORMS,
    LIVE_ACTION_FORMS,
    LIVE_FORMS_WITH_SESSION,
    AdverseEventForm,
    BookingForm,
    InfluencerForm,
    LiveSessionForm,
    StoreVisitCampaignForm,
    ValuationForm,
    add_service_errors,
)
from extensions.models import (
    AccountValuation,
    AdverseEvent,
    BookingStatus,
    Influencer,
    LiveProduct,
    LiveSession,
    LiveSessionStatus,
    LiveTeamAssignment,
    RunSheetSegment,
    StoreVisitBooking,
    StoreVisitCampaign,
)
from extensions.rules import follower_range, follower_rule_refusal, role_labels
from extensions.selectors import client_extensions, extensions_overview, live_session_detail, valuation_verify
from extensions.valuation import METHOD_DESCRIPTION, render_step


class ExtensionsIndexView(TenantViewMixin, View):
    """Chapter 8's landing page: its clauses and what needs attention. Client people go to their
    own view of live results, visits and valuations."""

    allow_both = True

    def get(self, request):
        if self.actor.is_client_person:
            return redirect("extensions:client-area")
        clauses = [
            {"clause": clause, "implemented": clause.id in CHECKS} for clause in CLAUSES if clause.chapter == "8"
        ]
        context = {"chapter_title": CHAPTERS["8"], "clauses": clauses, "title": CHAPTERS["8"]}
        context.update(extensions_overview(self.actor))
        return render(request, "extensions/index.html", context)


def _service_form_page(view, request, form, service, success, title, status_on_error=200, **service_kwargs):
    """Validate ``form``, call ``service`` with its data and redirect to ``success(result)``; on a
    refusal, show the form again with the service's message on the field it names."""
    if form.is_valid():
        data = form.service_kwargs() if hasattr(form, "service_kwargs") else dict(form.cleaned_data)
        try:
            result = service(actor=view.actor, **service_kwargs, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(success(result))
    return render(request, "agency/form.html", {"form": form, "title": title}, status=status_on_error)


# --- 8.1 live sessions ---------------------------------------------------------------------------


class LiveSessionListView(TenantListView):
    model = LiveSession
    resource = "live_session"
    filterset_class = filters.LiveSessionFilterSet
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


class LiveSessionCreateView(TenantViewMixin, View):
    resource = "live_session"
    action = ADD
    title = gettext_lazy("Plan a live session")

    def get(self, request):
        form = LiveSessionForm(actor=self.actor, initial={"account": request.GET.get("account")})
        return render(request, "agency/form.html", {"form": form, "title": self.title})

    def post(self, request):
        form = LiveSessionForm(request.POST, actor=self.actor)
        return _service_form_page(
            self, request, form, services.live_session_plan, lambda s: s.get_absolute_url(), self.title
        )


class LiveSessionUpdateView(TenantViewMixin, View):
    resource = "live_session"
    action = CHANGE
    title = gettext_lazy("Edit live session")

    def get_session(self, pk):
        return get_object_or_404(LiveSession.objects.visible_to(self.actor), pk=pk)

    def get(self, request, pk):
        form = LiveSessionForm(instance=self.get_session(pk), actor=self.actor)
        return render(request, "agency/form.html", {"form": form, "title": self.title})

    def post(self, request, pk):
        session = self.get_session(pk)
        form = LiveSessionForm(request.POST, instance=LiveSession.objects.get(pk=pk), actor=self.actor)
        return _service_form_page(
            self,
            request,
            form,
            services.live_session_update,
            lambda s: s.get_absolute_url(),
            self.title,
            session=session,
        )


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
        editable=session.status in services.EDITABLE_SESSION,
    )
    return context


class LiveSessionActionView(TenantViewMixin, View):
    """One form of the session page: start, end, cancel, assign, add a product or a segment,
    record results."""

    resource = "live_session"
    action = CHANGE
    SERVICES = {
        "start": services.live_session_start,
        "end": services.live_session_end,
        "cancel": services.live_session_cancel,
        "team": services.live_team_assign,
        "product": services.live_product_add,
        "segment": services.run_sheet_segment_add,
        "results": services.live_result_record,
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
                add_service_errors(form, exc)
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
        "team": (LiveTeamAssignment, lambda actor, row: services.live_team_unassign(actor=actor, assignment=row)),
        "product": (LiveProduct, lambda actor, row: services.live_product_remove(actor=actor, product=row)),
        "segment": (RunSheetSegment, lambda actor, row: services.run_sheet_segment_remove(actor=actor, segment=row)),
    }

    def post(self, request, kind, pk):
        if kind not in self.KINDS:
            raise Http404
        model, remove = self.KINDS[kind]
        row = get_object_or_404(model.objects.visible_to(self.actor).select_related("session"), pk=pk)
        try:
            remove(self.actor, row)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Removed."))
        return redirect("extensions:live-detail", pk=row.session_id)


# --- 8.2 influencers and store visits -----------------------------------------------------------


class InfluencerListView(TenantListView):
    model = Influencer
    resource = "influencer"
    filterset_class = filters.InfluencerFilterSet
    title = gettext_lazy("Influencers (8.2)")
    columns = (
        ("handle", gettext_lazy("Handle")),
        ("get_platform_display", gettext_lazy("Platform")),
        ("followers", gettext_lazy("Followers")),
        ("followers_read_on", gettext_lazy("Read on")),
        ("category", gettext_lazy("Category")),
        ("city", gettext_lazy("City")),
    )
    ordering_fields = ("handle", "followers", "followers_read_on", "city")
    create_url_name = "extensions:influencer-create"


class InfluencerFormPage:
    model = Influencer
    resource = "influencer"
    form_class = InfluencerForm

    def get_success_url(self):
        return self.object.get_absolute_url()


class InfluencerCreateView(InfluencerFormPage, TenantCreateView):
    title = gettext_lazy("New influencer")


class InfluencerUpdateView(InfluencerFormPage, TenantUpdateView):
    title = gettext_lazy("Edit influencer")


class InfluencerDetailView(TenantDetailView):
    model = Influencer
    resource = "influencer"
    template_name = "extensions/influencer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate(timezone=self.actor.agency.tz)
        context.update(
            bookings=list(
                StoreVisitBooking.objects.visible_to(self.actor)
                .filter(influencer=self.object)
                .select_related("campaign", "client")
                .order_by("-booked_at")
            ),
            refusal=follower_rule_refusal(self.object, self.actor.agency, today),
            follower_range=follower_range(self.actor.agency),
            can_change=self.actor.can(CHANGE, "influencer"),
        )
        return context


class CampaignListView(TenantListView):
    model = StoreVisitCampaign
    resource = "store_visit"
    filterset_class = filters.StoreVisitCampaignFilterSet
    title = gettext_lazy("Store-visit campaigns (8.2)")
    columns = (
        ("title", gettext_lazy("Title")),
        ("client", gettext_lazy("Client")),
        ("store_name", gettext_lazy("Store")),
        ("visit_date", gettext_lazy("Visit date")),
    )
    ordering_fields = ("visit_date", "title")
    create_url_name = "extensions:campaign-create"

    def scope(self, queryset):
        return queryset.select_related("client")


class CampaignFormPage:
    model = StoreVisitCampaign
    resource = "store_visit"
    form_class = StoreVisitCampaignForm

    def get_success_url(self):
        return self.object.get_absolute_url()


class CampaignCreateView(CampaignFormPage, TenantCreateView):
    title = gettext_lazy("New store-visit campaign")


class CampaignUpdateView(CampaignFormPage, TenantUpdateView):
    title = gettext_lazy("Edit store-visit campaign")


class CampaignDetailView(TenantDetailView):
    model = StoreVisitCampaign
    resource = "store_visit"
    template_name = "extensions/campaign_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "account")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(campaign_context(self.actor, self.object))
        return context


def campaign_context(actor, campaign, book_form=None, bound: tuple | None = None) -> dict:
    """The campaign page: its bookings, each with its own next-step, results and cancel forms
    (``bound``: (booking id, form name, the submitted form) to show again with its errors)."""
    can_change = actor.can(CHANGE, "store_visit")
    bookings = list(StoreVisitBooking.objects.visible_to(actor).filter(campaign=campaign).select_related("influencer"))
    for booking in bookings:
        booking.action_forms = {}
        if can_change:
            booking.action_forms = {
                name: form_class(prefix=name, auto_id=f"id_b{booking.pk}_%s")
                for name, form_class in BOOKING_ACTION_FORMS.items()
            }
        if bound is not None and bound[0] == booking.pk:
            booking.action_forms[bound[1]] = bound[2]
    if book_form is None and actor.can(ADD, "store_visit"):
        book_form = BookingForm(actor=actor, prefix="book")
    return {
        "bookings": bookings,
        "book_form": book_form,
        "can_change": can_change,
        "follower_range": follower_range(actor.agency),
        "open_statuses": [BookingStatus.INVITED, BookingStatus.CONFIRMED],
    }


class CampaignBookView(TenantViewMixin, View):
    """Invite an influencer to the campaign: refused outside the agency's follower range (8.2)."""

    resource = "store_visit"
    action = ADD

    def post(self, request, pk):
        campaign = get_object_or_404(StoreVisitCampaign.objects.visible_to(self.actor), pk=pk)
        form = BookingForm(request.POST, actor=self.actor, prefix="book")
        if form.is_valid():
            try:
                services.store_visit_book(actor=self.actor, campaign=campaign, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Influencer invited."))
                return redirect(campaign.get_absolute_url())
        context = {"object": campaign, **campaign_context(self.actor, campaign, book_form=form)}
        return render(request, "extensions/campaign_detail.html", context, status=400)


class BookingActionView(TenantViewMixin, View):
    """Advance a booking, record its video's results, or cancel it."""

    resource = "store_visit"
    action = CHANGE
    SERVICES = {
        "advance": services.store_visit_advance,
        "results": services.store_visit_record_results,
        "cancel": services.store_visit_cancel,
    }

    def post(self, request, pk, name):
        if name not in self.SERVICES:
            raise Http404
        booking = get_object_or_404(StoreVisitBooking.objects.visible_to(self.actor).select_related("campaign"), pk=pk)
        form = BOOKING_ACTION_FORMS[name](request.POST, prefix=name, auto_id=f"id_b{booking.pk}_%s")
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "reason"}
            try:
                self.SERVICES[name](actor=self.actor, booking=booking, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Booking updated."))
                return redirect(booking.campaign.get_absolute_url())
        campaign = booking.campaign
        context = {"object": campaign, **campaign_context(self.actor, campaign, bound=(booking.pk, name, form))}
        return render(request, "extensions/campaign_detail.html", context, status=400)


# --- 8.3 adverse events and valuations -------------------------------------------------------------


class AdverseEventListView(TenantListView):
    model = AdverseEvent
    resource = "adverse_event"
    filterset_class = filters.AdverseEventFilterSet
    title = gettext_lazy("Adverse events (8.3)")
    columns = (
        ("occurred_on", gettext_lazy("Occurred on")),
        ("account", gettext_lazy("Account")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("get_severity_display", gettext_lazy("Severity")),
        ("description", gettext_lazy("What happened")),
        ("resolved_on", gettext_lazy("Resolved on")),
    )
    ordering_fields = ("occurred_on", "severity")
    create_url_name = "extensions:adverse-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class AdverseEventCreateView(TenantViewMixin, View):
    resource = "adverse_event"
    action = ADD
    title = gettext_lazy("Record an adverse event")

    def get(self, request):
        form = AdverseEventForm(actor=self.actor, initial={"account": request.GET.get("account")})
        return render(request, "agency/form.html", {"form": form, "title": self.title})

    def post(self, request):
        form = AdverseEventForm(request.POST, actor=self.actor)
        return _service_form_page(
            self,
            request,
            form,
            services.adverse_event_record,
            lambda event: reverse("extensions:adverse-list"),
            self.title,
        )


class ValuationListView(TenantListView):
    model = AccountValuation
    resource = "valuation"
    filterset_class = filters.AccountValuationFilterSet
    title = gettext_lazy("Account valuations (8.3)")
    columns = (
        ("account", gettext_lazy("Account")),
        ("client", gettext_lazy("Client")),
        ("valued_on", gettext_lazy("Valued on")),
        ("value_low", gettext_lazy("From (yuan)")),
        ("value_high", gettext_lazy("Up to (yuan)")),
        ("method", gettext_lazy("Method")),
    )
    ordering_fields = ("valued_on", "value_point")
    create_url_name = "extensions:valuation-create"

    def scope(self, queryset):
        return queryset.select_related("client", "account")


class ValuationCreateView(TenantViewMixin, View):
    resource = "valuation"
    action = ADD
    title = gettext_lazy("Value an account")

    def get(self, request):
        form = ValuationForm(actor=self.actor, initial={"account": request.GET.get("account")})
        return render(request, "agency/form.html", {"form": form, "title": self.title})

    def post(self, request):
        form = ValuationForm(request.POST, actor=self.actor)
        return _service_form_page(
            self, request, form, services.account_valuation_create, lambda v: v.get_absolute_url(), self.title
        )


def valuation_context(valuation) -> dict:
    return {
        "factors": list(valuation.factors.order_by("position")),
        "explanation": [render_step(step) for step in valuation.steps],
        "method_description": METHOD_DESCRIPTION,
        "verification": valuation_verify(valuation),
    }


class ValuationDetailView(TenantDetailView):
    model = AccountValuation
    resource = "valuation"
    template_name = "extensions/valuation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "account", "recomputed_from")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(valuation_context(self.object), can_recompute=self.actor.can(ADD, "valuation"))
        return context


class ValuationRecomputeView(TenantViewMixin, View):
    resource = "valuation"
    action = ADD

    def post(self, request, pk):
        valuation = get_object_or_404(AccountValuation.objects.visible_to(self.actor), pk=pk)
        try:
            again = services.account_valuation_recompute(actor=self.actor, valuation=valuation)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(valuation.get_absolute_url())
        messages.success(request, _("Valued again as a new record."))
        return redirect(again.get_absolute_url())


# --- client area -------------------------------------------------------------------------------


class ClientExtensionsView(TenantViewMixin, View):
    """A client person's live sessions with their results, store visits and valuations."""

    client_area = True
    resource = "live_session"
    action = VIEW

    def get(self, request):
        context = client_extensions(self.actor)
        context.update(
            can_see_visits=self.actor.can(VIEW, "store_visit"),
            can_see_valuations=self.actor.can(VIEW, "valuation"),
            live_status=LiveSessionStatus,
        )
        return render(request, "extensions/client_area.html", context)


class ClientValuationView(TenantViewMixin, View):
    client_area = True
    resource = "valuation"
    action = VIEW

    def get(self, request, pk):
        valuation = get_object_or_404(AccountValuation.objects.visible_to(self.actor).select_related("account"), pk=pk)
        return render(
            request, "extensions/client_valuation.html", {"object": valuation, **valuation_context(valuation)}
        )
