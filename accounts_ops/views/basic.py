"""Staff pages of chapter 6, basic account operations. Thin: forms collect, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops import autoreply, forms, services
from accounts_ops.api.basic import (
    AccountDirectionFilterSet,
    AdCampaignFilterSet,
    BoostTaskFilterSet,
    GroupBuyDealFilterSet,
    InboxMessageFilterSet,
    LocalLifeEnablementFilterSet,
    OutboxReplyFilterSet,
    PinnedVideoFilterSet,
    PoiLinkFilterSet,
    ProfileChangeFilterSet,
    PromotionTaskFilterSet,
    ReplyRuleFilterSet,
)
from accounts_ops.models import (
    PINNED_SLOTS_MAX,
    PINNED_SLOTS_MIN,
    AccountDirection,
    AdCampaign,
    AutoReplySettings,
    BoostTask,
    BoostTaskStatus,
    GroupBuyDeal,
    InboxMessage,
    LocalLifeEnablement,
    OutboxReply,
    PinnedVideo,
    PoiLink,
    ProfileChange,
    ProfileField,
    PromotionTask,
    ReplyRule,
    campaign_roi,
)
from accounts_ops.selectors import account_operations, basic_operations_dashboard, with_money
from agency import panels
from agency.conformance import CHECKS
from agency.http import file_response
from agency.roles import ADD, CHANGE, DECIDE
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantListView, TenantViewMixin
from clients.models import PlatformAccount


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field if field in form.fields else None
            for error in errors:
                form.add_error(name, error if name else f"{field}: {error}" if field != "__all__" else error)
    else:
        form.add_error(None, exc.messages)


# --- the landing page and one account's page ---------------------------------------------------


class DashboardView(TenantViewMixin, View):
    """Chapter 6: what needs doing today (boosts due, accounts without pinned videos, profile
    changes to decide, messages waiting, first-response times, campaigns), and the clauses."""

    resource = "pinned_video"

    def get(self, request):
        clauses = [
            {"clause": clause, "implemented": clause.id in CHECKS} for clause in CLAUSES if clause.chapter == "6"
        ]
        context = basic_operations_dashboard(self.actor)
        context.update(
            chapter_title=CHAPTERS["6"],
            clauses=clauses,
            title=CHAPTERS["6"],
            pin_min=PINNED_SLOTS_MIN,
            pin_max=PINNED_SLOTS_MAX,
        )
        return render(request, "accounts_ops/index.html", context)


class AccountOperationsView(TenantViewMixin, View):
    """One account's basic operations: direction, profile and history, pins and boosts, reply
    rules and recent messages, campaigns."""

    resource = "platform_account"

    def get(self, request, pk):
        account = get_object_or_404(PlatformAccount.objects.visible_to(self.actor).select_related("client"), pk=pk)
        context = account_operations(self.actor, account)
        settings = AutoReplySettings.objects.filter(account=account).first()
        profile = context["profile"]
        context.update(
            account=account,
            settings=settings,
            profile_rows=[(label, profile[value]) for value, label in ProfileField.choices],
            pin_min=PINNED_SLOTS_MIN,
            pin_max=PINNED_SLOTS_MAX,
            can_pin_more=len(context["pins"]) < PINNED_SLOTS_MAX,
            title=str(account),
            can=_permissions(self.actor),
            try_form=forms.TryMessageForm(actor=self.actor, initial={"account": account.pk}),
        )
        from accounts_ops.views.metrics import metrics_context

        context.update(metrics_context(request, self.actor, account=account))
        context.update(panels.context_for(panels.ACCOUNT, self.actor, account))
        return render(request, "accounts_ops/account.html", context)


def _permissions(actor) -> dict[str, bool]:
    return {
        "direction": actor.can(ADD, "account_direction"),
        "profile": actor.can(ADD, "profile_change"),
        "pin": actor.can(ADD, "pinned_video"),
        "boost": actor.can(ADD, "boost"),
        "rules": actor.can(ADD, "auto_reply"),
        "campaign": actor.can(ADD, "ad_campaign"),
        "promotion": actor.can(ADD, "promotion"),
    }


# --- a form page that hands its input to a service ---------------------------------------------


class ServiceFormView(TenantViewMixin, View):
    """GET shows the form (initial values from the query string); POST calls ``perform`` with the
    cleaned data and redirects, or shows the service's refusal on the form (400)."""

    template_name = "agency/form.html"
    form_class = None
    action = ADD
    title = ""
    success_message = gettext_lazy("Saved.")
    prefill = ("account", "client", "pinned_video", "video", "campaign")

    def get_object(self):
        return None

    def form(self, data=None, files=None):
        obj = self.object
        initial = {name: self.request.GET[name] for name in self.prefill if name in self.request.GET}
        return self.form_class(data, files, actor=self.actor, instance=obj, initial=initial)

    def perform(self, data: dict):  # pragma: no cover - every page defines it
        raise NotImplementedError

    def success_url(self, result) -> str:
        return reverse("accounts_ops:index")

    def render(self, form, status=200):
        base = "client_area/base.html" if self.actor.is_client_person else "base.html"
        context = {"form": form, "title": self.title, "object": self.object, "base_template": base}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        self.object = self.get_object()
        return self.render(self.form())

    def post(self, request, **kwargs):
        self.object = self.get_object()
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url(result))
        return self.render(form, status=400)


def _account_page(account_id) -> str:
    return reverse("accounts_ops:account", args=[account_id])


# --- 6.1 -------------------------------------------------------------------------------------


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


class DirectionCreateView(ServiceFormView):
    resource = "account_direction"
    form_class = forms.DirectionForm
    title = gettext_lazy("New version of an account's direction (6.1)")

    def perform(self, data):
        return services.direction_record(actor=self.actor, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


# --- 6.2 -------------------------------------------------------------------------------------


class ProfileListView(TenantListView):
    model = ProfileChange
    resource = "profile_change"
    filterset_class = ProfileChangeFilterSet
    title = gettext_lazy("Profile changes (6.2)")
    columns = (
        ("get_field_display", gettext_lazy("Part")),
        ("account", gettext_lazy("Account")),
        ("after_text", gettext_lazy("After")),
        ("get_status_display", gettext_lazy("Status")),
        ("requested_at", gettext_lazy("Asked at")),
        ("applied_on", gettext_lazy("Applied on")),
    )
    ordering_fields = ("requested_at", "applied_on", "status")
    create_url_name = "accounts_ops:profile-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class ProfileCreateView(ServiceFormView):
    resource = "profile_change"
    form_class = forms.ProfileChangeForm
    title = gettext_lazy("Ask for a profile change (6.2)")
    allow_both = True

    def perform(self, data):
        return services.profile_change_request(actor=self.actor, **data)

    def success_url(self, result):
        return result.get_absolute_url()


class ProfileBaselineView(ServiceFormView):
    resource = "profile_change"
    form_class = forms.ProfileBaselineForm
    title = gettext_lazy("Record the profile as found (6.2)")

    def perform(self, data):
        return services.profile_record_baseline(actor=self.actor, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class ProfileDetailView(TenantViewMixin, View):
    resource = "profile_change"
    allow_both = True
    ACTIONS = {"approve": DECIDE, "reject": DECIDE, "apply": CHANGE}

    def page(self, change, forms_=None, status=200):
        forms_ = forms_ or {}
        action_forms = {
            "approve": forms_.get("approve") or forms.DecisionForm(prefix="approve"),
            "reject": forms_.get("reject") or forms.DecisionForm(prefix="reject"),
            "apply": forms_.get("apply")
            or forms.ApplyForm(
                prefix="apply", initial={"applied_on": timezone.localdate(timezone=self.actor.agency.tz)}
            ),
        }
        allowed = {name: self.actor.can(action, self.resource) for name, action in self.ACTIONS.items()}
        return render(
            self.request,
            "accounts_ops/profile_detail.html",
            {"object": change, "action_forms": action_forms, "allowed": allowed, "title": str(change)},
            status=status,
        )

    def change(self, pk):
        return get_object_or_404(ProfileChange.objects.visible_to(self.actor).select_related("account"), pk=pk)

    def get(self, request, pk):
        return self.page(self.change(pk))

    def post(self, request, pk):
        change = self.change(pk)
        name = request.POST.get("action", "")
        if name not in self.ACTIONS or not self.actor.can(self.ACTIONS[name], self.resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = (forms.ApplyForm if name == "apply" else forms.DecisionForm)(request.POST, prefix=name)
        if form.is_valid():
            try:
                if name == "apply":
                    services.profile_change_apply(actor=self.actor, change=change, **form.cleaned_data)
                else:
                    services.profile_change_decide(
                        actor=self.actor, change=change, approve=name == "approve", note=form.cleaned_data["note"]
                    )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Profile change updated."))
                return redirect(change.get_absolute_url())
        return self.page(change, {name: form}, status=400)


class ProfileImageView(TenantViewMixin, View):
    """The image before or after a profile change, to people who may see the change."""

    resource = "profile_change"
    allow_both = True
    SIDES = {"before": "before_image", "after": "after_image"}

    def get(self, request, pk, side):
        if side not in self.SIDES:
            raise Http404
        change = get_object_or_404(ProfileChange.objects.visible_to(self.actor), pk=pk)
        stored = getattr(change, self.SIDES[side])
        if not stored:
            raise Http404
        return file_response(request, stored)


# --- 6.3 -------------------------------------------------------------------------------------


class PinnedListView(TenantListView):
    model = PinnedVideo
    resource = "pinned_video"
    filterset_class = PinnedVideoFilterSet
    title = gettext_lazy("Pinned videos (6.3)")
    columns = (
        ("account", gettext_lazy("Account")),
        ("slot", gettext_lazy("Slot")),
        ("video", gettext_lazy("Video")),
        ("pinned_on", gettext_lazy("Pinned on")),
        ("unpinned_on", gettext_lazy("Unpinned on")),
        ("boost_interval_days", gettext_lazy("Boost every (days)")),
        ("boost_budget", gettext_lazy("Budget per boost (yuan)")),
    )
    ordering_fields = ("pinned_on", "slot")
    create_url_name = "accounts_ops:pin-create"

    def scope(self, queryset):
        return queryset.select_related("account", "video")


class PinCreateView(ServiceFormView):
    resource = "pinned_video"
    form_class = forms.PinForm
    title = gettext_lazy("Pin a video (6.3)")

    def perform(self, data):
        return services.pinned_video_pin(actor=self.actor, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class PlanUpdateView(ServiceFormView):
    resource = "pinned_video"
    action = CHANGE
    form_class = forms.PlanForm
    title = gettext_lazy("Change the boost plan (6.3)")

    def get_object(self):
        return get_object_or_404(PinnedVideo.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return services.pinned_video_update_plan(actor=self.actor, pinned=self.object, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class UnpinView(TenantViewMixin, View):
    resource = "pinned_video"
    action = CHANGE

    def post(self, request, pk):
        pinned = get_object_or_404(PinnedVideo.objects.visible_to(self.actor), pk=pk)
        form = forms.UnpinForm(request.POST)
        try:
            data = form.cleaned_data if form.is_valid() else {}
            result = services.pinned_video_unpin(actor=self.actor, pinned=pinned, **data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Video unpinned."))
            if result.account_flagged:
                messages.error(request, _("This account has no pinned video now; clause 6.3 asks for 1 to 3."))
        return redirect(_account_page(pinned.account_id))


class BoostTaskListView(TenantListView):
    model = BoostTask
    resource = "boost"
    filterset_class = BoostTaskFilterSet
    title = gettext_lazy("Boost tasks (6.3)")
    columns = (
        ("due_on", gettext_lazy("Due on")),
        ("account", gettext_lazy("Account")),
        ("pinned_video", gettext_lazy("Pinned video")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("due_on",)
    create_url_name = "accounts_ops:boost-create"

    def scope(self, queryset):
        if "status" not in self.request.GET:
            queryset = queryset.filter(status=BoostTaskStatus.OPEN)
        return queryset.select_related("account", "pinned_video__video")


class BoostCreateView(ServiceFormView):
    resource = "boost"
    form_class = forms.BoostRecordForm
    title = gettext_lazy("Record a boost (6.3)")

    def perform(self, data):
        return services.boost_record(
            actor=self.actor, **{k: v for k, v in data.items() if v not in (None, "") or k == "spend"}
        )

    def success_url(self, result):
        return _account_page(result.account_id)


# --- 6.4 -------------------------------------------------------------------------------------


class RuleListView(TenantListView):
    model = ReplyRule
    resource = "auto_reply"
    filterset_class = ReplyRuleFilterSet
    title = gettext_lazy("Reply rules (6.4)")
    columns = (
        ("name", gettext_lazy("Name")),
        ("account", gettext_lazy("Account")),
        ("get_trigger_display", gettext_lazy("Trigger")),
        ("priority", gettext_lazy("Priority")),
        ("is_active", gettext_lazy("Active")),
    )
    ordering_fields = ("priority", "name")
    create_url_name = "accounts_ops:rule-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class RuleCreateView(ServiceFormView):
    resource = "auto_reply"
    form_class = forms.ReplyRuleForm
    title = gettext_lazy("New reply rule (6.4)")

    def perform(self, data):
        return services.reply_rule_create(actor=self.actor, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class RuleUpdateView(ServiceFormView):
    resource = "auto_reply"
    action = CHANGE
    form_class = forms.ReplyRuleEditForm
    title = gettext_lazy("Edit reply rule (6.4)")

    def get_object(self):
        return get_object_or_404(ReplyRule.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return services.reply_rule_update(actor=self.actor, rule=self.object, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class SettingsUpdateView(ServiceFormView):
    resource = "auto_reply"
    action = CHANGE
    form_class = forms.AutoReplySettingsForm
    title = gettext_lazy("Business hours and reply values (6.4)")

    def get_object(self):
        self.account = get_object_or_404(PlatformAccount.objects.visible_to(self.actor), pk=self.kwargs["account"])
        return AutoReplySettings.objects.filter(account=self.account).first()

    def perform(self, data):
        return services.autoreply_settings_save(actor=self.actor, account=self.account, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class TryMessageView(TenantViewMixin, View):
    """Which rule would answer this message, and with what reply. Stores nothing."""

    resource = "auto_reply"
    allow_both = True

    def get(self, request):
        form = forms.TryMessageForm(request.GET or None, actor=self.actor)
        result = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            account = data["account"]
            settings = AutoReplySettings.objects.filter(account=account).first()
            at = data.get("at") or timezone.now()
            tz = self.actor.agency.tz
            decision = autoreply.decide(
                account_id=account.pk,
                text=data["text"],
                first_contact=data["first_contact"],
                at=at,
                tz=tz,
                settings=settings,
                nickname=data["sender_nickname"],
            )
            rule = ReplyRule.objects.filter(pk=decision.rule_id).first() if decision.fired else None
            result = {
                "decision": decision,
                "rule": rule,
                "outside": settings is not None
                and not autoreply.within_business_hours(
                    at, tz=tz, opens_at=settings.opens_at, closes_at=settings.closes_at, days=settings.business_days
                ),
                "rules_considered": len(autoreply.compiled_rules_for(account.pk)),
                "at": timezone.localtime(at, tz),
            }
        return render(
            request, "accounts_ops/try.html", {"form": form, "result": result, "title": _("Try a message (6.4)")}
        )


class InboxListView(TenantListView):
    model = InboxMessage
    resource = "inbox"
    filterset_class = InboxMessageFilterSet
    title = gettext_lazy("Inbox (6.4)")
    columns = (
        ("received_at", gettext_lazy("Received at")),
        ("account", gettext_lazy("Account")),
        ("sender_nickname", gettext_lazy("From")),
        ("text", gettext_lazy("Message")),
        ("get_status_display", gettext_lazy("Status")),
        ("matched_rule", gettext_lazy("Rule that fired")),
        ("first_response_seconds", gettext_lazy("First response (s)")),
    )
    ordering_fields = ("received_at",)

    def scope(self, queryset):
        return queryset.select_related("account", "matched_rule").order_by("-received_at", "-id")


class InboxDetailView(TenantViewMixin, View):
    resource = "inbox"
    allow_both = True

    def message(self, pk):
        return get_object_or_404(
            InboxMessage.objects.visible_to(self.actor).select_related("account", "matched_rule"), pk=pk
        )

    def page(self, message, form=None, status=200):
        return render(
            self.request,
            "accounts_ops/inbox_detail.html",
            {
                "object": message,
                "replies": list(OutboxReply.objects.visible_to(self.actor).filter(message=message).order_by("id")),
                "form": form or forms.ReplyForm(),
                "can_reply": self.actor.can(ADD, "inbox"),
                "can_close": self.actor.can(CHANGE, "inbox"),
                "title": str(message),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.message(pk))

    def post(self, request, pk):
        message = self.message(pk)
        if request.POST.get("action") == "close":
            if not self.actor.can(CHANGE, "inbox"):
                raise PermissionDenied(_("Your role does not allow this."))
            try:
                services.inbox_close(actor=self.actor, message=message)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect(message.get_absolute_url())
        if not self.actor.can(ADD, "inbox"):
            raise PermissionDenied(_("Your role does not allow this."))
        form = forms.ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.inbox_reply(actor=self.actor, message=message, text=form.cleaned_data["text"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Reply queued for sending."))
                return redirect(message.get_absolute_url())
        return self.page(message, form, status=400)


class OutboxListView(TenantListView):
    model = OutboxReply
    resource = "inbox"
    filterset_class = OutboxReplyFilterSet
    title = gettext_lazy("Outbox (6.4)")
    columns = (
        ("created_at", gettext_lazy("Queued at")),
        ("account", gettext_lazy("Account")),
        ("text", gettext_lazy("Reply")),
        ("get_source_display", gettext_lazy("Source")),
        ("get_status_display", gettext_lazy("Status")),
        ("sent_at", gettext_lazy("Sent at")),
    )
    ordering_fields = ("created_at", "sent_at")

    def scope(self, queryset):
        return queryset.select_related("account")


# --- 6.5 -------------------------------------------------------------------------------------


class DealListView(TenantListView):
    model = GroupBuyDeal
    resource = "local_life"
    filterset_class = GroupBuyDealFilterSet
    title = gettext_lazy("Group-buy deals (6.5)")
    columns = (
        ("title", gettext_lazy("Title")),
        ("account", gettext_lazy("Account")),
        ("price", gettext_lazy("Price (yuan)")),
        ("list_price", gettext_lazy("List price (yuan)")),
        ("valid_until", gettext_lazy("Valid until")),
        ("stock", gettext_lazy("Stock")),
        ("get_platform_status_display", gettext_lazy("Platform status")),
    )
    ordering_fields = ("valid_from", "valid_until", "price")
    create_url_name = "accounts_ops:deal-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class DealCreateView(ServiceFormView):
    resource = "local_life"
    form_class = forms.DealForm
    title = gettext_lazy("New group-buy deal (6.5)")

    def perform(self, data):
        return services.deal_save(actor=self.actor, **data)

    def success_url(self, result):
        return reverse("accounts_ops:deal-list")


class DealUpdateView(DealCreateView):
    action = CHANGE
    form_class = forms.DealEditForm
    title = gettext_lazy("Edit group-buy deal (6.5)")

    def get_object(self):
        return get_object_or_404(GroupBuyDeal.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return services.deal_save(actor=self.actor, deal=self.object, **data)


class PoiListView(TenantListView):
    model = PoiLink
    resource = "local_life"
    filterset_class = PoiLinkFilterSet
    title = gettext_lazy("POI links (6.5)")
    columns = (
        ("store_name", gettext_lazy("Store")),
        ("address", gettext_lazy("Address")),
        ("account", gettext_lazy("Account")),
        ("platform_poi_id", gettext_lazy("Platform POI id")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("store_name", "status")
    create_url_name = "accounts_ops:poi-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class PoiCreateView(ServiceFormView):
    resource = "local_life"
    form_class = forms.PoiForm
    title = gettext_lazy("New POI link (6.5)")

    def perform(self, data):
        return services.poi_save(actor=self.actor, **data)

    def success_url(self, result):
        return reverse("accounts_ops:poi-list")


class PoiUpdateView(PoiCreateView):
    action = CHANGE
    title = gettext_lazy("Edit POI link (6.5)")

    def get_object(self):
        return get_object_or_404(PoiLink.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return services.poi_save(actor=self.actor, poi=self.object, **data)


class EnablementListView(TenantListView):
    model = LocalLifeEnablement
    resource = "local_life"
    filterset_class = LocalLifeEnablementFilterSet
    title = gettext_lazy("Group-buy enablement checklists (6.5)")
    columns = (
        ("client", gettext_lazy("Client")),
        ("qualification_submitted_on", gettext_lazy("Qualification submitted")),
        ("poi_claimed_on", gettext_lazy("POI claimed")),
        ("first_deal_live_on", gettext_lazy("First deal live")),
    )
    create_url_name = "accounts_ops:enablement-edit"

    def scope(self, queryset):
        return queryset.select_related("client")


class EnablementEditView(ServiceFormView):
    resource = "local_life"
    form_class = forms.EnablementForm
    title = gettext_lazy("Qualification for group-buy (6.5)")

    def perform(self, data):
        return services.enablement_record_qualification(
            actor=self.actor,
            client=data["client"],
            submitted_on=data.get("qualification_submitted_on"),
            note=data.get("qualification_note", ""),
        )

    def success_url(self, result):
        return reverse("accounts_ops:enablement-list")


# --- 6.6 -------------------------------------------------------------------------------------


class PromotionListView(TenantListView):
    model = PromotionTask
    resource = "promotion"
    filterset_class = PromotionTaskFilterSet
    title = gettext_lazy("Promotion tasks (6.6)")
    columns = (
        ("target", gettext_lazy("Target")),
        ("account", gettext_lazy("Account")),
        ("get_channel_display", gettext_lazy("Channel")),
        ("planned_on", gettext_lazy("Planned on")),
        ("done_on", gettext_lazy("Done on")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("planned_on", "done_on")
    create_url_name = "accounts_ops:promotion-create"

    def scope(self, queryset):
        return queryset.select_related("account")


class PromotionCreateView(ServiceFormView):
    resource = "promotion"
    form_class = forms.PromotionForm
    title = gettext_lazy("Plan a promotion (6.6)")

    def perform(self, data):
        return services.promotion_plan(actor=self.actor, **data)

    def success_url(self, result):
        return reverse("accounts_ops:promotion-list")


class PromotionCompleteView(ServiceFormView):
    resource = "promotion"
    action = CHANGE
    form_class = None
    title = gettext_lazy("Record a done promotion (6.6)")

    def get_object(self):
        return get_object_or_404(PromotionTask.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def form(self, data=None, files=None):
        return forms.PromotionCompleteForm(data, initial={"done_on": timezone.localdate(timezone=self.actor.agency.tz)})

    def perform(self, data):
        return services.promotion_complete(actor=self.actor, task=self.object, **data)

    def success_url(self, result):
        return reverse("accounts_ops:promotion-list")


# --- 6.7 -------------------------------------------------------------------------------------


class CampaignListView(TenantListView):
    model = AdCampaign
    resource = "ad_campaign"
    filterset_class = AdCampaignFilterSet
    title = gettext_lazy("Ad campaigns (6.7)")
    columns = (
        ("name", gettext_lazy("Name")),
        ("account", gettext_lazy("Account")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("budget", gettext_lazy("Budget (yuan)")),
        ("spent", gettext_lazy("Spent (yuan)")),
        ("starts_on", gettext_lazy("Starts on")),
        ("ends_on", gettext_lazy("Ends on")),
        ("get_status_display", gettext_lazy("Status")),
    )
    ordering_fields = ("starts_on", "ends_on", "budget")
    create_url_name = "accounts_ops:campaign-create"

    def scope(self, queryset):
        return with_money(queryset.select_related("account"))


class CampaignCreateView(ServiceFormView):
    resource = "ad_campaign"
    form_class = forms.CampaignForm
    title = gettext_lazy("New ad campaign (6.7)")

    def perform(self, data):
        return services.campaign_create(actor=self.actor, **data)

    def success_url(self, result):
        return result.get_absolute_url()


class CampaignDetailView(TenantViewMixin, View):
    """A campaign with its spend, approvals and KPIs; forms to record spend, approve overspend
    (agency admin) and record results."""

    resource = "ad_campaign"
    allow_both = True
    FORMS = {"spend": forms.SpendForm, "approval": forms.ApprovalForm, "results": forms.ResultsForm}
    ACTIONS = {
        "spend": ("ad_campaign", ADD),
        "approval": ("ad_budget_approval", ADD),
        "results": ("ad_campaign", CHANGE),
    }

    def campaign(self, pk):
        return get_object_or_404(
            with_money(AdCampaign.objects.visible_to(self.actor)).select_related("account", "client"), pk=pk
        )

    def page(self, campaign, bound=None, status=200):
        today = timezone.localdate(timezone=self.actor.agency.tz)
        action_forms = {}
        for name, form_class in self.FORMS.items():
            resource, action = self.ACTIONS[name]
            if not self.actor.can(action, resource):
                continue
            if bound is not None and bound[0] == name:
                action_forms[name] = bound[1]
            elif name == "results":
                action_forms[name] = form_class(actor=self.actor, instance=campaign, prefix=name)
            else:
                action_forms[name] = form_class(actor=self.actor, prefix=name, initial={"spent_on": today})
        return render(
            self.request,
            "accounts_ops/campaign_detail.html",
            {
                "object": campaign,
                "roi": campaign_roi(sales=campaign.sales, spend=campaign.spent),
                "limit": campaign.budget + campaign.approved_extra,
                "spends": list(campaign.spends.order_by("-spent_on", "-id")),
                "approvals": list(campaign.approvals.select_related("approved_by").order_by("-approved_at")),
                "action_forms": action_forms,
                "title": campaign.name,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.campaign(pk))

    def post(self, request, pk):
        campaign = self.campaign(pk)
        name = request.POST.get("action", "")
        if name not in self.FORMS:
            raise PermissionDenied(_("Unknown action."))
        resource, action = self.ACTIONS[name]
        if not self.actor.can(action, resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = self.FORMS[name](request.POST, actor=self.actor, prefix=name)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if name == "spend":
                    services.ad_spend_record(actor=self.actor, campaign=campaign, **data)
                elif name == "approval":
                    services.ad_budget_approve(actor=self.actor, campaign=campaign, **data)
                else:
                    services.campaign_record_results(actor=self.actor, campaign=campaign, **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(campaign.get_absolute_url())
        return self.page(campaign, (name, form), status=400)
