"""Pieces shared by the staff pages of account operations: a form page that hands its input to a
service, and the service's errors shown on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View

from agency.roles import ADD
from agency.views import TenantViewMixin


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field if field in form.fields else None
            for error in errors:
                form.add_error(name, error if name else f"{field}: {error}" if field != "__all__" else error)
    else:
        form.add_error(None, exc.messages)


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
