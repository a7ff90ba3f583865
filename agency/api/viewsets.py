"""The base viewset: every request is scoped to its actor's agency (and client), the agency is
injected on create, and subclasses cannot widen the queryset.

A viewset is a handful of attributes::

    class ClientViewSet(TenantViewSet):
        model = Client
        resource = "client"
        serializer_class = ClientSerializer
        filterset_class = ClientFilterSet

Subclasses may narrow or prefetch in ``scope_queryset(qs)``; overriding ``get_queryset`` is
refused at class creation (the PostHog rule), so no endpoint can skip ``visible_to``.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext

from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework import filters, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from agency import answer_cache, twofactor
from agency.api.authentication import CachedTokenAuthentication
from agency.api.filters import FilterBackend
from agency.selectors import agency_choice, cached_actor
from agency.tenancy import activate, tenant_boundary
from agency.tokens import WRITE_METHODS, IntegrationActor, record_write

# The actions of ModelViewSet; any other action is a custom ``@action``.
MODEL_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy", "metadata"})


class TenantViewSet(viewsets.ModelViewSet):
    model = None
    resource: str = ""
    ordering = ("-id",)
    actor = None
    checked_row = None  # the row of a custom action on one row, as ``initial`` found it
    required_action: str | None = None  # set per custom @action(required_action=...)
    # django-filter's backend, refusing empty filter values (400) as it refuses invalid ones.
    filter_backends = [FilterBackend, filters.SearchFilter, filters.OrderingFilter]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} overrides get_queryset; implement scope_queryset(qs) instead.")

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        view = super().as_view(actions, **initkwargs)
        if cls._answers_only(actions):
            # Only answers kept in the answer cache on this route: a kept answer is sent without a
            # database round trip, so the request opens no transaction; ``answer_cached`` opens
            # one when it computes.
            view = transaction.non_atomic_requests(view)
        return view

    @classmethod
    def _answers_only(cls, actions) -> bool:
        cached = (getattr(getattr(cls, name, None), "answer_cached", False) for name in (actions or {}).values())
        return bool(actions) and all(cached)

    @property
    def opens_no_transaction(self) -> bool:
        """This request's route opened no transaction (``as_view``)."""
        return self._answers_only(getattr(self, "action_map", None))

    def dispatch(self, request, *args, **kwargs):
        with tenant_boundary():
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if request.user.is_authenticated:
            two_step_check(request)
        if not request.user.is_authenticated:
            self.actor = None
        elif isinstance(request.successful_authenticator, CachedTokenAuthentication):
            self.actor = request.successful_authenticator.actor  # found with the token
        else:
            self.actor = cached_actor(request.user, *agency_choice(request))
        request.actor = self.actor
        activate(self.actor, channel="api", user_id=request.user.pk)
        if self.actor is None and request.user.is_authenticated:
            raise PermissionDenied("Choose an agency: send the X-Agency header with the slug of one of your agencies.")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(self.actor, IntegrationActor) and request.method in WRITE_METHODS and response.status_code < 400:
            record_write(self.actor, request, response.status_code)  # the line the trail keeps of each write
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A custom action on one row finds the row before it reads the body, so that a row outside
        # the actor's scope answers 404 whatever the body holds (the role's refusal, 403 for any
        # row, comes first).
        if getattr(self, "detail", False) and self.action not in MODEL_ACTIONS and not self._answer_cached():
            self.checked_row = self.get_object()  # an action that only reads may use it as is

    def _answer_cached(self) -> bool:
        return getattr(getattr(self, self.action or "", None), "answer_cached", False)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.actor is None:
            return self.model.objects.none()
        return self.scope_queryset(self.model.objects.visible_to(self.actor))

    def scope_queryset(self, queryset):
        """Narrow or prefetch; never widen."""
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": self.actor}

    def perform_create(self, serializer):
        serializer.save(agency=self.actor.agency)

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.save()


def two_step_check(request) -> None:
    """A person who must sign in with two steps (``agency.twofactor``) is refused (403) until they
    have set it up; with a session, until it passed the code step (a token was given only after it)."""
    session = isinstance(request.successful_authenticator, SessionAuthentication)
    verified = getattr(request._request.user, "is_verified", lambda: False)() if session else None
    missing = twofactor.missing_step(request.user, session_verified=verified)
    if missing == twofactor.SET_UP:
        raise PermissionDenied(
            "Two-step sign-in is required for your account and is not set up: sign in on the web and set it up "
            f"at {reverse('two-factor')} first.",
            code="two_step_setup_required",
        )
    if missing == twofactor.CODE:
        raise PermissionDenied(
            "Two-step sign-in is required for your account: this session has not passed the code step; "
            "sign in again with the code of your authenticator app.",
            code="two_step_code_required",
        )


class _NotKept(Exception):
    def __init__(self, response):
        self.response = response


def answer_cached(method):
    """A read-only action whose answer is kept in the answer cache (``agency.answer_cache``) until a
    table it read is written: per person and membership (so per scope and role), language, full
    URL (path, query and host, which links in the answer carry), format and the agency's date (a
    dashboard's period ends yesterday). Only 200 answers are kept; the row of a custom action on
    one row is checked (``checked_row``) when the answer is computed. JSON is kept rendered: a
    kept answer is sent as it is, not rendered again."""

    @functools.wraps(method)
    def action(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        rendered = isinstance(renderer, JSONRenderer)  # (the browsable API renders the data)

        def compute():
            # The route may open no transaction (see TenantViewSet.as_view): one for the computation.
            opened = nullcontext() if transaction.get_connection().in_atomic_block else transaction.atomic()
            with opened:
                if self.detail and self.action not in MODEL_ACTIONS:
                    self.checked_row = self.get_object()
                response = method(self, request, *args, **kwargs)
            if response.status_code != 200:
                raise _NotKept(response)
            if rendered:
                return renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            return response.data

        actor = self.actor
        parts = (
            actor.user.pk if actor else "",
            actor.membership.pk if actor else "",
            actor.role if actor else "",
            actor.client_id if actor else "",
            translation.get_language(),
            timezone.localdate(timezone=actor.agency.tz) if actor else timezone.localdate(),
            request.build_absolute_uri(),
            renderer.format,
            request.accepted_media_type,
        )
        name = f"{type(self).__module__}.{type(self).__qualname__}.{method.__name__}"
        try:
            answer = answer_cache.cached(name, parts, compute)
        except _NotKept as refused:
            return refused.response
        return HttpResponse(answer, content_type=renderer.media_type) if rendered else Response(answer)

    action.answer_cached = True
    return action
