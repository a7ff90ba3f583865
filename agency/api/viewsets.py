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

An endpoint whose writes have rules is a ``ServiceViewSet``: it names its services and the fields
they take, and its custom actions are declared with ``service_action``::

    class ProjectViewSet(ServiceViewSet):
        model = VideoProject
        serializer_class = VideoProjectSerializer
        create_service = project_create
        update_service = project_update
        service_row = "project"

        @service_action(project_advance, body=ProjectAdvanceSerializer, required_action=CHANGE)
        def advance(self, request, pk=None):
            "Enter the next stage; the decorator calls the service and answers the row."
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from rest_framework import filters, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.response import Response

from agency import twofactor
from agency.api.authentication import CachedTokenAuthentication
from agency.api.filters import FilterBackend
from agency.api.serializers import NOT_CHANGEABLE
from agency.selectors import agency_choice, cached_actor
from agency.services import service_parameters
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

    # Actions whose route opens no transaction: they open their own (``keeps_no_transaction``).
    outside_transaction: frozenset[str] = frozenset()
    # The actions the endpoint offers (None: every one it defines); any other, like a method not in
    # ``http_method_names``, answers 405 for everyone signed in, before the role is looked at.
    offered_actions: frozenset[str] | None = None

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        view = super().as_view(actions, **initkwargs)
        if cls._outside_only(actions):
            view = transaction.non_atomic_requests(view)
        return view

    @classmethod
    def keeps_no_transaction(cls, action: str) -> bool:
        """The route of ``action`` opens no transaction."""
        return action in cls.outside_transaction

    @classmethod
    def _outside_only(cls, actions) -> bool:
        return bool(actions) and all(cls.keeps_no_transaction(name) for name in actions.values())

    @property
    def opens_no_transaction(self) -> bool:
        """This request's route opened no transaction (``as_view``)."""
        return self._outside_only(getattr(self, "action_map", None))

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
        if getattr(self, "detail", False) and self.action not in MODEL_ACTIONS and self.finds_row_first():
            self.checked_row = self.get_object()  # an action that only reads may use it as is

    def finds_row_first(self) -> bool:
        """``initial`` finds the row of a custom action on one row (an action may find it later)."""
        return True

    def check_permissions(self, request):
        if not (request.user and request.user.is_authenticated):
            return super().check_permissions(request)  # anonymous: 401 before anything else
        offered = self.offered_actions
        if request.method.lower() not in self.http_method_names or (offered is not None and self.action not in offered):
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)

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


def refuse_fields_not_taken(service: Callable, values: dict) -> None:
    """A typed service takes only its parameters: the first field of the body (by name) it does not
    take is refused on that field (a service taking ``**values`` checks them itself)."""
    taken = service_parameters(service)
    refused = sorted(set(values) - taken) if taken is not None else []
    if refused:
        raise DjangoValidationError({refused[0]: NOT_CHANGEABLE})


class ServiceViewSet(TenantViewSet):
    # A viewset whose writes go to services: it declares them, and the fields they take::
    #
    #     create_service = project_create   # called as create_service(actor=..., **values)
    #     update_service = project_update   # called as update_service(actor=..., <service_row>=row, **values)
    #     service_row = "project"           # the keyword the services take the row by
    #     changeable_fields = ("title",)    # the body's fields the services take (None: all it validated)
    #     changes_only = True               # a change passes only what differs from the row (a PUT repeats the rest)
    #     derived_fields = ("client",)      # validated (taken from a parent row), the services' own to set
    #
    # Services take typed keyword parameters (an update's default to ``agency.services.UNCHANGED``:
    # the fields left out stay as they are); ``agency.services.fields_taken`` gives the fields they
    # take, and a field of the body a service does not take is refused on that field.
    # The body is validated by the serializer, the service is called with the actor, and the row it
    # returns is read again through the scoped queryset and serialized. An endpoint whose call the
    # attributes cannot say overrides ``create_row`` / ``update_row``; one that declares neither a
    # service nor its own ``*_row`` for a write saves it as a plain ``TenantViewSet`` does.
    # (No docstring: the OpenAPI description of a viewset without one would be this.)

    create_service: Callable | None = None
    update_service: Callable | None = None
    service_row: str = ""
    changeable_fields: tuple[str, ...] | None = None
    changes_only: bool = False
    derived_fields: tuple[str, ...] = ()

    def service_values(self, serializer) -> dict:
        """The validated fields of the body that the services take."""
        row, allowed = serializer.instance, self.changeable_fields
        return {
            name: value
            for name, value in serializer.validated_data.items()
            if (allowed is None or name in allowed)
            and name not in self.derived_fields
            and not (row is not None and self.changes_only and getattr(row, name) == value)
        }

    def create_row(self, values: dict):
        service = type(self).create_service
        refuse_fields_not_taken(service, values)
        return service(actor=self.actor, **values)

    def update_row(self, row, values: dict):
        service = type(self).update_service
        refuse_fields_not_taken(service, values)
        return service(actor=self.actor, **{self.service_row: row}, **values)

    def perform_create(self, serializer):
        if not self._serves("create"):
            return super().perform_create(serializer)
        serializer.instance = self.fresh(self.create_row(self.service_values(serializer)))

    @transaction.atomic
    def perform_update(self, serializer):
        if not self._serves("update"):
            return super().perform_update(serializer)
        serializer.instance = self.fresh(self.update_row(serializer.instance, self.service_values(serializer)))

    @classmethod
    def _serves(cls, write: str) -> bool:
        """The viewset declares a service for ``write`` ("create" or "update"), or its own call."""
        own_call = getattr(cls, f"{write}_row") is not getattr(ServiceViewSet, f"{write}_row")
        return getattr(cls, f"{write}_service") is not None or own_call

    def fresh(self, row):
        """``row`` read again through the scoped queryset (with what ``scope_queryset`` adds)."""
        return self.get_queryset().get(pk=row.pk)

    def answer_row(self, row, status_code=status.HTTP_200_OK, serializer_class=None) -> Response:
        """The answer of a write: ``row`` read again through the scope, serialized; a row of another
        model (``serializer_class``'s) through that model's scope."""
        if serializer_class is None:
            return Response(self.get_serializer(self.fresh(row)).data, status=status_code)
        again = type(row).objects.visible_to(self.actor).get(pk=row.pk)
        return Response(serializer_class(again, context=self.get_serializer_context()).data, status=status_code)


def service_action(
    service,
    *,
    body=None,
    row: str = "",
    answer=None,
    status_code=status.HTTP_200_OK,
    detail=True,
    methods=("post",),
    **kwargs,
):
    """A custom action that calls ``service``: the body is validated with ``body`` (a serializer
    class; none: no body is read), the service is called with the actor, the action's row (on one
    row, under ``row``, else the viewset's ``service_row``) and the body's values, and the row it
    returns is read again through the scope and serialized (``ServiceViewSet.answer_row``; with
    ``answer``, a serializer of the row's model when it is another one). The decorated method keeps
    its name and docstring; what it returns (a dict or None) is passed to the service as well.
    Other keyword arguments go to ``@action`` (``required_action``, ``url_path``...)."""

    def decorate(method):
        @functools.wraps(method)
        def run(self, request, *args, **kw):
            values = {}
            if body is not None:
                payload = body(data=request.data, context=self.get_serializer_context())
                payload.is_valid(raise_exception=True)
                values = dict(payload.validated_data)
            if detail:
                values[row or self.service_row] = self.get_object()
            extra = method(self, request, *args, **kw) or {}
            return self.answer_row(service(actor=self.actor, **values, **extra), status_code, answer)

        return action(detail=detail, methods=list(methods), **kwargs)(run)

    return decorate
