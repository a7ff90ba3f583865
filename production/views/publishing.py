"""Pages of publications: change, cancel or close a planned publication."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from agency.pages import report_refusal
from agency.roles import CHANGE
from production.forms import PublicationForm
from production.models.publishing import Publication
from production.services.publishing import publication_cancel, publication_update
from production.views.common import ProductionPage


class PublicationActionView(ProductionPage, View):
    """A planned publication: change its time, text or POI, or cancel it; close a failed or
    refused one."""

    http_method_names = ["post"]
    ACTIONS = ("update", "cancel")

    def post(self, request, pk, name):
        if name not in self.ACTIONS:
            raise Http404
        publication = get_object_or_404(Publication.objects.visible_to(self.actor), pk=pk)
        self.require(CHANGE)
        try:
            if name == "update":
                form = PublicationForm(request.POST, prefix=f"publication-{publication.pk}")
                if not form.is_valid():
                    raise ValidationError(dict(form.errors.items()))
                publication_update(actor=self.actor, publication=publication, **form.cleaned_data)
                messages.success(request, _("Publication changed."))
            else:
                publication_cancel(actor=self.actor, publication=publication)
                messages.success(request, _("Publication cancelled."))
        except ValidationError as exc:
            report_refusal(request, exc)
        return redirect("production:project-detail", pk=publication.project_id)
