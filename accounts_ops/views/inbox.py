"""Staff pages of clause 6.4, private-message auto-replies: settings, rules, the inbox and the
outbox. Thin: forms collect, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts_ops import autoreply
from accounts_ops.api.inbox import InboxMessageFilterSet, OutboxReplyFilterSet, ReplyRuleFilterSet
from accounts_ops.forms.inbox import AutoReplySettingsForm, ReplyForm, ReplyRuleEditForm, ReplyRuleForm, TryMessageForm
from accounts_ops.models.inbox import AutoReplySettings, InboxMessage, OutboxReply, ReplyRule
from accounts_ops.services.inbox import (
    autoreply_settings_save,
    inbox_close,
    inbox_reply,
    reply_rule_create,
    reply_rule_update,
)
from accounts_ops.views.common import _account_page
from agency.pages import ServiceActionView, form_errors_from, report_refusal
from agency.roles import ADD, CHANGE
from agency.views import TenantListView, TenantViewMixin
from clients.models import PlatformAccount


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


class RuleCreateView(ServiceActionView):
    resource = "auto_reply"
    form_class = ReplyRuleForm
    title = gettext_lazy("New reply rule (6.4)")
    service = reply_rule_create

    def success_url(self, result):
        return _account_page(result.account_id)


class RuleUpdateView(ServiceActionView):
    resource = "auto_reply"
    action = CHANGE
    form_class = ReplyRuleEditForm
    title = gettext_lazy("Edit reply rule (6.4)")

    def get_object(self):
        return get_object_or_404(ReplyRule.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return reply_rule_update(actor=self.actor, rule=self.object, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class SettingsUpdateView(ServiceActionView):
    resource = "auto_reply"
    action = CHANGE
    form_class = AutoReplySettingsForm
    title = gettext_lazy("Business hours and reply values (6.4)")

    def get_object(self):
        self.account = get_object_or_404(PlatformAccount.objects.visible_to(self.actor), pk=self.kwargs["account"])
        return AutoReplySettings.objects.filter(account=self.account).first()

    def perform(self, data):
        return autoreply_settings_save(actor=self.actor, account=self.account, **data)

    def success_url(self, result):
        return _account_page(result.account_id)


class TryMessageView(TenantViewMixin, View):
    """Which rule would answer this message, and with what reply. Stores nothing."""

    resource = "auto_reply"
    allow_both = True

    def get(self, request):
        form = TryMessageForm(request.GET or None, actor=self.actor)
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
                "form": form or ReplyForm(),
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
                inbox_close(actor=self.actor, message=message)
            except ValidationError as exc:
                report_refusal(request, exc)
            return redirect(message.get_absolute_url())
        if not self.actor.can(ADD, "inbox"):
            raise PermissionDenied(_("Your role does not allow this."))
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                inbox_reply(actor=self.actor, message=message, text=form.cleaned_data["text"])
            except ValidationError as exc:
                form_errors_from(exc, form)
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
