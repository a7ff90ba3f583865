"""Staff pages of 8.2: the influencer registry, store-visit campaigns, and booking influencers and
moving their bookings on. The pages call ``extensions.services.visits``; a refused write shows the
service's message on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import form_errors_from
from agency.roles import ADD, CHANGE
from agency.views import TenantCreateView, TenantDetailView, TenantListView, TenantUpdateView, TenantViewMixin
from extensions.api.visits import InfluencerFilterSet, StoreVisitCampaignFilterSet
from extensions.forms.visits import BOOKING_ACTION_FORMS, BookingForm, InfluencerForm, StoreVisitCampaignForm
from extensions.models import BookingStatus, Influencer, StoreVisitBooking, StoreVisitCampaign
from extensions.rules import follower_range, follower_rule_refusal
from extensions.services.visits import (
    store_visit_advance,
    store_visit_book,
    store_visit_cancel,
    store_visit_record_results,
)


class InfluencerListView(TenantListView):
    model = Influencer
    resource = "influencer"
    filterset_class = InfluencerFilterSet
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
        today = self.actor.agency.today()
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
    filterset_class = StoreVisitCampaignFilterSet
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
                store_visit_book(actor=self.actor, campaign=campaign, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
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
        "advance": store_visit_advance,
        "results": store_visit_record_results,
        "cancel": store_visit_cancel,
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
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Booking updated."))
                return redirect(booking.campaign.get_absolute_url())
        campaign = booking.campaign
        context = {"object": campaign, **campaign_context(self.actor, campaign, bound=(booking.pk, name, form))}
        return render(request, "extensions/campaign_detail.html", context, status=400)
