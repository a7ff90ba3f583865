"""Web UI of the tenant core (agency switcher, language, settings, chapter pages) and the base views
every app's pages build on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from agency import services
from agency.conformance import CHECKS, Period
from agency.conformance_shown import clauses_shown_to_clients
from agency.roles import ADD, CHANGE, VIEW
from agency.selectors import SESSION_AGENCY_KEY, memberships_of
from agency.standard import CHAPTERS, CLAUSES

FAVICON = "agency/favicon.svg"  # the icon every layout links (rel="icon")


class TenantViewMixin(LoginRequiredMixin):
    """A page inside the current agency: it needs an actor, and the actor's role must allow
    ``action`` on ``resource``. ``client_area`` pages are for client people, others for staff."""

    resource: str = ""
    action: str = VIEW
    client_area = False
    allow_both = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            return redirect(f"{reverse('switch-agency')}?next={request.get_full_path()}")
        if not self.allow_both and self.actor.is_client_person != self.client_area:
            if self.actor.is_client_person:
                return redirect("client-area:dashboard")
            raise PermissionDenied(_("This page is for client people."))
        if self.resource and not self.actor.can(self.action, self.resource):
            raise PermissionDenied(_("Your role does not allow this."))
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        return self.model.objects.visible_to(self.actor)

    def posted_row(self, queryset, name: str):
        """The row of ``queryset`` whose id the form posted as ``name``; 404 for anything else
        (missing, not a number, not visible)."""
        value = self.request.POST.get(name, "")
        if not value.isdigit():
            raise Http404
        return get_object_or_404(queryset, pk=int(value))


class TenantListView(TenantViewMixin, ListView):
    """A list filtered by the same FilterSet the API uses, sorted by an allowed column."""

    template_name = "agency/list.html"
    paginate_by = 25
    filterset_class = None
    ordering_fields: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()  # (attribute, label)
    title = ""
    create_url_name = ""

    def get_queryset(self):
        queryset = self.scope(self.base_queryset())
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, actor=self.actor)
            queryset = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset
        ordering = self.request.GET.get("ordering", "")
        if ordering.lstrip("-") in self.ordering_fields:
            queryset = queryset.order_by(ordering, "pk")
        return queryset

    def scope(self, queryset):
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=self.filterset,
            columns=self.columns,
            title=self.title,
            ordering_fields=self.ordering_fields,
            ordering_choices=self.ordering_choices(),
            query=query.urlencode(),
            create_url=reverse(self.create_url_name)
            if self.create_url_name and self.actor.can(ADD, self.resource)
            else "",
        )
        return context

    def ordering_choices(self) -> list[tuple[str, str]]:
        """``(field, label)`` of the sort list: a field's verbose name, following relations
        (``client__name`` → the client's "name"); the field's own name where there is none."""
        choices = []
        for path in self.ordering_fields:
            model, label = self.model, path
            try:
                for part in path.split("__"):
                    field = model._meta.get_field(part)
                    label = capfirst(str(getattr(field, "verbose_name", part)))
                    model = field.related_model or model
            except (FieldDoesNotExist, AttributeError):
                label = path
            choices.append((path, label))
        return choices


class TenantDetailView(TenantViewMixin, DetailView):
    def get_queryset(self):
        return self.base_queryset()


class TenantFormMixin(TenantViewMixin):
    template_name = "agency/form.html"
    title = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.actor}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title}

    def form_valid(self, form):
        messages.success(self.request, _("Saved."))
        return super().form_valid(form)


class TenantCreateView(TenantFormMixin, CreateView):
    action = ADD


class TenantUpdateView(TenantFormMixin, UpdateView):
    action = CHANGE

    def get_queryset(self):
        return self.base_queryset()


def favicon(request):
    """``/favicon.ico``, which browsers ask for by themselves: our SVG icon (every layout links it
    too). A temporary redirect, since the icon's static name carries its hash in production."""
    response = HttpResponseRedirect(static(FAVICON))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def set_language(request):
    """The language switch: Django's (the cookie, and back to the page), and for a signed-in person
    the choice is remembered (their preferences and their session), so every device of theirs
    follows it."""
    from django.views.i18n import set_language as django_set_language

    from agency.middleware import LANGUAGE_SESSION_KEY
    from agency.services import person_language_set

    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        person_language_set(user=request.user, language=language)
        request.session[LANGUAGE_SESSION_KEY] = language
    return response


class SwitchAgencyView(LoginRequiredMixin, View):
    """Pick the agency to work in; a person may belong to several."""

    def get(self, request):
        return render(request, "agency/switch.html", {"next": request.GET.get("next", "")})

    def post(self, request):
        membership = memberships_of(request.user).filter(agency_id=request.POST.get("agency")).first()
        if membership is None:
            raise Http404(_("You are not a member of that agency."))
        request.session[SESSION_AGENCY_KEY] = membership.agency_id
        target = request.POST.get("next") or reverse("home")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("home")
        return HttpResponseRedirect(target)


class ChapterView(TenantViewMixin, View):
    """A chapter's page: its clauses, what each requires and whether the product checks it yet."""

    chapter = ""
    allow_both = True

    def get(self, request):
        clauses = [
            {"clause": clause, "implemented": clause.id in CHECKS}
            for clause in CLAUSES
            if clause.chapter == self.chapter
        ]
        return render(
            request,
            "agency/chapter.html",
            {
                "chapter": self.chapter,
                "chapter_title": CHAPTERS[self.chapter],
                "clauses": clauses,
            },
        )


def period_from_request(request, actor) -> Period:
    """``?period=`` (YYYY, YYYY-MM or a range), else the current month in the agency's time zone."""
    text = request.GET.get("period", "")
    if text:
        try:
            return Period.parse(text)
        except ValueError as exc:
            messages.error(request, str(exc))
    today = actor.agency.today()
    return Period.month(today.year, today.month)


class AgencySettingsView(TenantViewMixin, View):
    """The agency's own settings, changed by its admin: whether all its staff must sign in with
    two steps (its admins always must)."""

    template_name = "agency/agency_settings.html"

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is not None and not actor.is_client_person and not services.may_change_agency_settings(actor):
            raise PermissionDenied(_("Only an agency admin changes the agency's settings."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, errors=None, status=200):
        shown = set(clauses_shown_to_clients(self.actor.agency))
        context = {
            "title": _("Agency settings"),
            "agency": self.actor.agency,
            "clauses": [(clause, clause.id in shown) for clause in CLAUSES],
            "errors": errors or [],
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request):
        try:
            services.agency_settings_change(
                actor=self.actor,
                require_two_step_for_staff=request.POST.get("require_two_step_for_staff") == "on",
                # Only a form that showed the clauses changes them (none ticked: none shown).
                client_conformance_clauses=request.POST.getlist("client_conformance_clauses")
                if "client_conformance_form" in request.POST
                else None,
            )
        except ValidationError as refused:
            return self.get(request, errors=refused.messages, status=400)
        messages.success(request, _("The agency's settings are saved."))
        return redirect("agency-settings")
