"""Pages for connecting a platform account: connect (to the platform's authorisation page and
back through the callback), send the client a link to authorise, sync now, disconnect.

The callback and disconnect call the platform, so they run outside the request's transaction
(``non_atomic_requests``); what the platform answered is stored in a transaction of its own."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from agency.pages import base_template, form_errors_from, refusal_summary, report_refusal
from agency.roles import ADD, CHANGE, DELETE
from agency.views import TenantViewMixin
from clients.models import PlatformAccount
from platforms.forms import SendLinkForm
from platforms.models import Connection
from platforms.services import connections as services
from platforms.services.syncs import sync_request

RESOURCE = "platform_connection"


def callback_uri(request, platform: str) -> str:
    """The address the platform sends the person back to (registered in its developer console)."""
    return request.build_absolute_uri(reverse("platforms:callback", args=[platform]))


def account_url(account_id: int) -> str:
    return reverse("accounts_ops:account", args=[account_id])


def qr_svg(data: str) -> str:
    """A QR code of ``data`` as inline SVG, for a phone's camera."""
    return mark_safe(segno.make(data, error="m").svg_inline(scale=4, dark="#111", light="#fff"))  # noqa: S308


class ConnectView(TenantViewMixin, View):
    """Start connecting an account: off to the platform's authorisation page."""

    resource = RESOURCE
    action = ADD

    def post(self, request, pk):
        account = get_object_or_404(PlatformAccount.objects.visible_to(self.actor), pk=pk)
        try:
            url = services.authorisation_start(
                actor=self.actor, account=account, redirect_uri=callback_uri(request, account.platform)
            )
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect(account_url(account.pk))
        return HttpResponseRedirect(url)


class SendLinkView(TenantViewMixin, View):
    """Pick a client person of the account's client; the page then shows the link and its QR code."""

    resource = RESOURCE
    action = ADD

    def _account(self, pk):
        return get_object_or_404(PlatformAccount.objects.visible_to(self.actor).select_related("client"), pk=pk)

    def get(self, request, pk):
        account = self._account(pk)
        form = SendLinkForm(people=services.client_people(account))
        return self.render(account, form)

    def post(self, request, pk):
        account = self._account(pk)
        form = SendLinkForm(request.POST, people=services.client_people(account))
        if not form.is_valid():
            return self.render(account, form, status=400)
        person = form.cleaned_data["person"]
        try:
            token = services.authorisation_link(actor=self.actor, account=account, person=person)
        except ValidationError as exc:
            form_errors_from(exc, form)
            return self.render(account, form, status=400)
        link = request.build_absolute_uri(reverse("platforms:link", args=[token]))
        return self.render(account, form, link=link, person=person)

    def render(self, account, form, *, link: str = "", person=None, status: int = 200):
        context = {
            "account": account,
            "form": form,
            "link": link,
            "person": person,
            "qr": qr_svg(link) if link else "",
            "title": _("Send to the client to authorise"),
        }
        return render(self.request, "platforms/send_link.html", context, status=status)


class LinkView(TenantViewMixin, View):
    """The page a client person opens from the link staff sent: the account, a button that starts
    the platform's authorisation as them, and the link's QR code to continue on a phone."""

    allow_both = True

    def get(self, request, token):
        try:
            link = services.link_request(user=request.user, token=token)
        except ValidationError as exc:
            return self.render({"problem": refusal_summary(exc)}, status=400)
        return self.render({"link": link, "account": link.account, "qr": qr_svg(request.build_absolute_uri())})

    def post(self, request, token):
        try:
            link = services.link_request(user=request.user, token=token)
            url = services.authorisation_start_from_link(
                user=request.user, token=token, redirect_uri=callback_uri(request, link.account.platform)
            )
        except ValidationError as exc:
            return self.render({"problem": refusal_summary(exc)}, status=400)
        return HttpResponseRedirect(url)

    def render(self, context, status: int = 200):
        base = base_template(self.actor)
        context = {**context, "base_template": base, "title": _("Authorise your account")}
        return render(self.request, "platforms/link.html", context, status=status)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class CallbackView(TenantViewMixin, View):
    """Where the platform sends the person back: finish connecting, then to the account page (staff)
    or the client's dashboard (client people), with what happened."""

    allow_both = True

    def get(self, request, platform):
        try:
            connection = services.authorisation_complete(
                user=request.user,
                state=request.GET.get("state", ""),
                code=request.GET.get("code") or None,
                error=request.GET.get("error_description") or request.GET.get("error") or None,
                redirect_uri=callback_uri(request, platform),
            )
        except ValidationError as exc:
            messages.error(request, _("The account was not connected: %(reason)s") % {"reason": refusal_summary(exc)})
            return redirect(self.next_page())
        messages.success(request, _("%(account)s is connected.") % {"account": connection.account})
        if connection.missing_scopes:
            messages.warning(
                request,
                _("The platform did not grant: %(scopes)s. What needs them will not work until it is authorised again.")
                % {"scopes": ", ".join(connection.missing_scopes)},
            )
        if self.actor.is_client_person:
            return redirect("client-area:dashboard")
        return redirect(account_url(connection.account_id))

    def next_page(self) -> str:
        return reverse("client-area:dashboard") if self.actor.is_client_person else reverse("home")


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class DisconnectView(TenantViewMixin, View):
    """Confirm, then revoke at the platform and forget the tokens."""

    resource = RESOURCE
    action = DELETE

    def get(self, request, pk):
        connection = get_object_or_404(Connection.objects.visible_to(self.actor).select_related("account"), pk=pk)
        return render(
            request,
            "platforms/disconnect.html",
            {"connection": connection, "title": _("Disconnect %(account)s") % {"account": connection.account}},
        )

    def post(self, request, pk):
        connection = get_object_or_404(Connection.objects.visible_to(self.actor).select_related("account"), pk=pk)
        try:
            row = services.connection_disconnect(actor=self.actor, connection=connection)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("%(account)s is disconnected.") % {"account": connection.account})
            if row.problem:
                messages.warning(request, row.problem)
        return redirect(account_url(connection.account_id))


class SyncNowView(TenantViewMixin, View):
    """Ask for a sync of the connection now."""

    resource = RESOURCE
    action = CHANGE

    def post(self, request, pk):
        connection = get_object_or_404(Connection.objects.visible_to(self.actor), pk=pk)
        try:
            connection = services.connection_for_change(actor=self.actor, connection=connection)
            sync_request(actor=self.actor, connection=connection)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("A sync was asked for; its result shows below when it is done."))
        return redirect(account_url(connection.account_id))
