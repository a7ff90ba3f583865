"""What the chapter 8 pages share: a form page that calls a service and shows its refusal on the
form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from extensions.forms.common import add_service_errors


def service_form_page(view, request, form, service, success, title, status_on_error=200, **service_kwargs):
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
