"""Answers kept in the answer cache (``agency.answer_cache``), for the viewsets that opt in: a
viewset declares ``AnswerCacheMixin`` and marks its read-only actions ``@answer_cached``::

    class ClientViewSet(AnswerCacheMixin, TenantViewSet):
        @action(detail=True, methods=["get"])
        @answer_cached
        def dashboard(self, request, pk=None): ...

A route whose actions are all kept opens no transaction (a kept answer is sent without a database
round trip); ``answer_cached`` opens one when it computes."""

from __future__ import annotations

import functools
from contextlib import nullcontext

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from agency import answer_cache
from agency.api.viewsets import MODEL_ACTIONS


class AnswerCacheMixin:
    # Opts a tenant viewset in to ``@answer_cached`` actions: their route opens no transaction, and
    # the row of a custom action on one row is found when the answer is computed. (A comment, not a
    # docstring: the OpenAPI description of a viewset without one would be this.)

    @classmethod
    def keeps_no_transaction(cls, action: str) -> bool:
        return _is_cached(getattr(cls, action, None)) or super().keeps_no_transaction(action)

    def finds_row_first(self) -> bool:
        return not _is_cached(getattr(self, self.action or "", None)) and super().finds_row_first()


def _is_cached(method) -> bool:
    return getattr(method, "answer_cached", False)


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
            # The route may open no transaction (see AnswerCacheMixin): one for the computation.
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
