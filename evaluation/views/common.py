"""What chapter 10's pages share: a form that calls one service, and a row's page whose workflow
steps each post to ``<pk>/<step>/``. Thin: the services decide, their refusals show on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from agency.forms import TenantModelForm
from agency.roles import ADD
from agency.views import TenantViewMixin


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def base_template(actor) -> str:
    return "client_area/base.html" if actor.is_client_person else "base.html"


class ServiceFormView(TenantViewMixin, View):
    """A form whose cleaned data goes to one service; the service's refusals show on the form."""

    form_class = None
    title = ""
    action = ADD
    template_name = "agency/form.html"

    def get_initial(self) -> dict:
        return {}

    def make_form(self, data=None):
        return self.form_class(data, actor=self.actor, initial=self.get_initial())

    def get(self, request, **kwargs):
        return self.render_form(self.make_form())

    def post(self, request, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                row = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.success_url(row))
        return self.render_form(form)

    def perform(self, data: dict):
        raise NotImplementedError

    def success_url(self, row) -> str:
        return row.get_absolute_url()

    def render_form(self, form):
        context = {"form": form, "title": self.title, "base_template": base_template(self.actor)}
        return render(self.request, self.template_name, context)


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
                    messages.error(request, " ".join(exc.messages))
                else:
                    add_errors(form, exc)
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
