"""What chapter 10's pages share: a row's page whose workflow steps each post to ``<pk>/<step>/``.
Thin: the services decide, their refusals show on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from agency.forms import TenantModelForm
from agency.pages import base_template, form_errors_from, report_refusal
from agency.views import TenantViewMixin


class DetailWithSteps(TenantViewMixin, View):
    """A row's page, and the steps of its workflow posted to ``<pk>/<step>/``. ``steps`` maps a
    step to (resource, action, form class or None, service, the service's name for the row)."""

    model = None
    template_name = ""
    steps: dict = {}

    def scope(self, queryset):
        return queryset

    def get_object(self, pk):
        return get_object_or_404(self.scope(self.model.objects.visible_to(self.actor)), pk=pk)

    def get(self, request, pk, name=None):
        if name:
            return HttpResponseNotAllowed(["POST"])
        return self.render_page(self.get_object(pk))

    def post(self, request, pk, name=None):
        if name not in self.steps:
            raise Http404
        resource, action, form_class, service, row_arg = self.steps[name]
        row = self.get_object(pk)
        if not self.actor.can(action, resource):
            raise PermissionDenied(_("Your role does not allow this."))
        form = self.make_step_form(form_class, name, request.POST) if form_class else None
        if form is None or form.is_valid():
            data = {k: v for k, v in (form.cleaned_data if form else {}).items() if v is not None}
            try:
                result = service(actor=self.actor, **{row_arg: row}, **data)
            except ValidationError as exc:
                if form is None:
                    report_refusal(request, exc)
                else:
                    form_errors_from(exc, form)
            else:
                messages.success(request, _("Done."))
                target = result if isinstance(result, self.model) else row
                return redirect(self.after_step(target))
        return self.render_page(self.get_object(pk), failed={name: form} if form else {}, status=400)

    def after_step(self, row) -> str:
        return row.get_absolute_url()

    def make_step_form(self, form_class, name, data=None):
        if issubclass(form_class, TenantModelForm):
            return form_class(data, prefix=name, actor=self.actor)
        return form_class(data, prefix=name)

    def step_forms(self, failed: dict) -> dict:
        out = {}
        for name, (resource, action, form_class, _service, _arg) in self.steps.items():
            if self.actor.can(action, resource):
                out[name] = failed.get(name) or (self.make_step_form(form_class, name) if form_class else True)
        return out

    def extra_context(self, row) -> dict:
        return {}

    def render_page(self, row, failed: dict | None = None, status: int = 200):
        context = {
            "object": row,
            "steps": self.step_forms(failed or {}),
            "base_template": base_template(self.actor),
        }
        context.update(self.extra_context(row))
        return render(self.request, self.template_name, context, status=status)
