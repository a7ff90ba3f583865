"""The page kit every app's server-rendered pages build on: a service's refusal shown on a form
(``form_errors_from``) or as one error summary (``report_refusal``), and the service-action view (a
form whose cleaned data goes, with the actor, to one service; the refusal back on the form, or a
message and a redirect on success)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View

from agency.roles import ADD
from agency.views import TenantViewMixin


def form_errors_from(exc: ValidationError, form):
    """Put a service's refusal on ``form`` and return the form: each message on the field it names
    where the form shows that field, otherwise at the top of the form as the service wrote it (a
    message is a sentence for the person; the name of a field they cannot see would not help them)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
    return form


def refusal_summary(exc: ValidationError) -> str:
    """Every message of a service's refusal, as one sentence run."""
    return " ".join(exc.messages)


def report_refusal(request, exc: ValidationError) -> None:
    """A refused action without a form of its own: ONE error summary on the next page."""
    messages.error(request, refusal_summary(exc))


def base_template(actor) -> str:
    """The layout a page extends: the client area's for client people, the staff one otherwise."""
    return "client_area/base.html" if actor.is_client_person else "base.html"


class ServiceActionView(TenantViewMixin, View):
    """A form page backed by one service. GET shows the form (prefilled from the query string);
    POST calls ``service(actor=..., **data)`` with the form's cleaned data (``form.service_kwargs()``
    where the form shapes its data for the service) and redirects with a message, or shows the
    service's refusal on the form (``invalid_status``).

    A page declares ``form_class``, ``service`` (or overrides ``perform``), ``title`` and, when the
    result has no page of its own, ``success_url_name``; an edit page returns its row from
    ``get_object``."""

    template_name = "agency/form.html"
    form_class = None
    service = None
    action = ADD
    title = ""
    success_message = gettext_lazy("Saved.")
    success_url_name = ""
    invalid_status = 400

    def get_object(self):
        return None

    def get_initial(self) -> dict:
        return self.request.GET.dict()

    def make_form(self, data=None, files=None):
        kwargs = {"actor": self.actor, "initial": self.get_initial()}
        if self.object is not None:
            kwargs["instance"] = self.object
        return self.form_class(data, files, **kwargs)

    def service_data(self, form) -> dict:
        return form.service_kwargs() if hasattr(form, "service_kwargs") else dict(form.cleaned_data)

    def perform(self, data: dict):
        return type(self).service(actor=self.actor, **data)

    def success_url(self, result) -> str:
        return reverse(self.success_url_name) if self.success_url_name else result.get_absolute_url()

    def render_form(self, form, status: int = 200):
        context = {"form": form, "title": self.title, "object": self.object, "base_template": base_template(self.actor)}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.make_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = self.perform(self.service_data(form))
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url(result))
        return self.render_form(form, status=self.invalid_status)
