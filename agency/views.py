"""Web UI of the tenant core (agency switcher, language, settings, chapter pages) and the base views
every app's pages build on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import SimpleTemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from agency import htmx, lists, services
from agency.conformance import CHECKS, Period
from agency.conformance_shown import clauses_shown_to_clients
from agency.people import name_choices
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
        response = super().dispatch(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            # Rendered here, inside the request's transaction (ATOMIC_REQUESTS wraps the view
            # only): a query the template makes would otherwise open a transaction of its own with
            # the tenant context (four round trips instead of one), and a choice list read through
            # a server-side cursor would be copied whole at that transaction's end.
            response.render()
        return response

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
    """A list filtered by the same FilterSet the API uses, sorted by a header among the keys the
    view declares (``ordering_fields``), with quick filters, page numbers and the count
    (``agency.lists``). ``sort_columns`` maps a column to its sort key where the kit cannot tell;
    ``quick_filter_names`` picks the quick filters (by default every filter with a few fixed values).

    The sorting, filter and page links swap the list's part of the page (``agency.htmx``): the page
    wraps it in ``#list`` (``lists.REGION_ID``) and, asked for that part, the view answers the
    template the page includes for it: the page's own name with ``_`` before it (``agency/list.html``
    includes ``agency/_list.html``). A page of its own layout without such a part answers whole, and
    the swap takes ``#list`` out of it."""

    template_name = "agency/list.html"
    paginate_by = 25
    filterset_class = None
    ordering_fields: tuple[str, ...] = ()
    sort_columns: dict[str, str] = {}
    quick_filter_names: tuple[str, ...] | None = None
    columns: tuple[tuple[str, str], ...] = ()  # (attribute, label)
    title = ""
    create_url_name = ""

    def get_queryset(self):
        queryset = self.scope(self.base_queryset())
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, actor=self.actor)
            for field in self.filterset.form.fields.values():
                name_choices(field)
            queryset = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset
        self.sort = lists.sort_requested(self.request.GET, self.ordering_fields)
        if self.sort:
            queryset = queryset.order_by(self.sort, "pk")
        return queryset

    def scope(self, queryset):
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        page_obj = context.get("page_obj")
        headers = lists.headers(self.columns, self.ordering_fields, params, self.sort, self.sort_columns)
        context.update(
            filterset=self.filterset,
            columns=self.columns,
            title=self.title,
            sort=self.sort,
            headers=headers,
            other_sorts=[
                lists.header(lists.sort_label(self.model, key), key, params, self.sort)
                for key in self.ordering_fields
                if key not in {h.key for h in headers}
            ],
            quick_filters=lists.quick_filters(self.filterset, params, self.quick_filter_names),
            page_links=lists.page_links(page_obj, params),
            previous_url=lists.page_url(params, page_obj.previous_page_number())
            if page_obj and page_obj.has_previous()
            else "",
            next_url=lists.page_url(params, page_obj.next_page_number()) if page_obj and page_obj.has_next() else "",
            query=lists.query_with(params),
            result_count=page_obj.paginator.count if page_obj else len(context["object_list"]),
            create_url=reverse(self.create_url_name)
            if self.create_url_name and self.actor.can(ADD, self.resource)
            else "",
        )
        return context

    def get_template_names(self):
        pages = super().get_template_names()
        if htmx.wants_part(self.request, lists.REGION_ID):
            return [lists.part_template(pages[0]), *pages]
        return pages

    def render_to_response(self, context, **response_kwargs):
        return htmx.vary(super().render_to_response(context, **response_kwargs))

    def sort_header(self, key: str, label) -> lists.Header:
        """The header cell of a sort key, for a template that writes its own columns."""
        return lists.header(label, key if key in self.ordering_fields else "", self.request.GET, self.sort)


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
