"""The pages of notifications: the list (staff and client people), the preferences, and the
agency's group bots (agency admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from agency.roles import ADD, CHANGE, DELETE
from agency.views import TenantViewMixin
from notifications.forms import PreferencesForm, WebhookForm
from notifications.models import Webhook
from notifications.rules import Kind
from notifications.selectors import notifications_of, webhooks_with_failures
from notifications.services.notifications import (
    mark_all_read,
    mark_read,
    notification_text,
    preferences_of,
    preferences_save,
)
from notifications.services.webhooks import webhook_save

PAGE_SIZE = 50


def base_template(actor) -> str:
    return "client_area/base.html" if actor.is_client_person else "base.html"


def kinds_for(actor) -> list[str]:
    """The kinds a person can receive: client people only approvals; staff every other kind."""
    if actor.is_client_person:
        return [Kind.APPROVAL_WAITING.value]
    return [k for k in Kind.values if k != Kind.APPROVAL_WAITING]


class NotificationListView(TenantViewMixin, View):
    """The person's notifications, newest first, unread ones marked; mark one or all read."""

    resource = "notification"
    allow_both = True

    def get(self, request):
        queryset = notifications_of(self.actor).order_by("-created_at", "-id")
        only_unread = request.GET.get("show") == "unread"
        if only_unread:
            queryset = queryset.filter(read_at__isnull=True)
        rows = [(n, notification_text(n)) for n in queryset[:PAGE_SIZE]]
        context = {
            "title": _("Notifications"),
            "rows": rows,
            "only_unread": only_unread,
            "unread": notifications_of(self.actor).filter(read_at__isnull=True).count(),
            "base_template": base_template(self.actor),
        }
        return render(request, "notifications/list.html", context)

    def post(self, request):
        if request.POST.get("all"):
            count = mark_all_read(actor=self.actor)
            messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
            return redirect("notifications:list")
        notification = self.posted_row(notifications_of(self.actor), "notification")
        mark_read(actor=self.actor, notification=notification)
        if request.POST.get("open") and notification.url.startswith("/"):
            return redirect(notification.url)
        return redirect("notifications:list")


class PreferencesView(TenantViewMixin, View):
    """The person's channels per kind and the daily digest."""

    resource = "notification"
    allow_both = True

    def form(self, data=None):
        return PreferencesForm(
            data, preferences=preferences_of(self.actor.user, self.actor.agency), kinds=kinds_for(self.actor)
        )

    def page(self, form, status=200):
        context = {
            "title": _("Notification settings"),
            "form": form,
            "has_email": bool(self.actor.user.email),
            "base_template": base_template(self.actor),
        }
        return render(self.request, "notifications/preferences.html", context, status=status)

    def get(self, request):
        return self.page(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        preferences_save(actor=self.actor, channels=form.channels(), digest=form.cleaned_data["digest"])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")


class WebhookListView(TenantViewMixin, View):
    """The agency's group bots: their address (never in full), the kinds each takes, the last
    success and failure, and the messages that failed or wait to be tried again."""

    resource = "notification_webhook"

    def get(self, request):
        webhooks, failing = webhooks_with_failures(self.actor)
        context = {"title": _("Group bots"), "webhooks": webhooks, "failing": failing, "kinds": dict(Kind.choices)}
        return render(request, "notifications/webhooks.html", context)

    def post(self, request):
        if not self.actor.can(DELETE, self.resource):
            return redirect("notifications:webhooks")
        webhook = self.posted_row(Webhook.objects.visible_to(self.actor), "delete")
        webhook.delete()
        messages.success(request, _("The bot is removed."))
        return redirect("notifications:webhooks")


class WebhookFormView(TenantViewMixin, View):
    """Add a group bot, or change one (its address and secret are only ever replaced)."""

    resource = "notification_webhook"
    action = CHANGE

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("pk") is None:
            self.action = ADD
        return super().dispatch(request, *args, **kwargs)

    def instance(self, pk):
        if pk is None:
            return Webhook(agency=self.actor.agency)
        return get_object_or_404(Webhook.objects.visible_to(self.actor), pk=pk)

    def page(self, form, status=200):
        title = _("Change the group bot") if form.instance.pk else _("Add a group bot")
        context = {"title": title, "form": form, "webhook": form.instance}
        return render(self.request, "notifications/webhook_form.html", context, status=status)

    def get(self, request, pk=None):
        return self.page(WebhookForm(instance=self.instance(pk)))

    def post(self, request, pk=None):
        form = WebhookForm(request.POST, instance=self.instance(pk))
        if not form.is_valid():
            return self.page(form, status=400)
        webhook_save(webhook=form.save(commit=False), url=form.cleaned_data["url"], secret=form.secret_value())
        messages.success(request, _("The bot is saved."))
        return redirect("notifications:webhooks")
