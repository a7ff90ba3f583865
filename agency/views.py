"""Web UI of the tenant core (sign-in, agency switcher, home, chapter pages) and the base views
every app's pages build on."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from agency.conformance import CHECKS
from agency.roles import ADD, CHANGE, VIEW
from agency.selectors import SESSION_AGENCY_KEY, memberships_of
from agency.standard import CHAPTERS, CLAUSES


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
            query=query.urlencode(),
            create_url=reverse(self.create_url_name)
            if self.create_url_name and self.actor.can(ADD, self.resource)
            else "",
        )
        return context


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


def home(request):
    actor = getattr(request, "actor", None)
    if not request.user.is_authenticated:
        return redirect("login")
    if actor is None:
        return redirect("switch-agency")
    if actor.is_client_person:
        return redirect("client-area:dashboard")
    from clients.selectors import agency_overview

    return render(request, "agency/home.html", {"overview": agency_overview(actor)})


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
