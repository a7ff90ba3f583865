"""Small helpers shared by chapter 10's viewsets."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.response import Response


def changes(serializer) -> dict:
    """The fields a PATCH or PUT body actually changes (a PUT repeats the unchanged ones)."""
    instance = serializer.instance
    return {name: value for name, value in serializer.validated_data.items() if getattr(instance, name) != value}


class TransitionMixin:
    """Custom actions that validate a small body, call a service on the row, answer the row."""

    def transition(self, request, body_class, service, row_arg: str, **extra):
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        row = service(actor=self.actor, **{row_arg: self.get_object()}, **body.validated_data, **extra)
        return Response(self.get_serializer(self.scope_queryset(type(row).objects.filter(pk=row.pk)).get()).data)


class NoBodySerializer(serializers.Serializer):
    """The body of a step that needs nothing but the row (send, close, retire)."""
