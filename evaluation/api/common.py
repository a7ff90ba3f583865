"""Small helpers shared by chapter 10's viewsets."""

from __future__ import annotations

from rest_framework import serializers

from agency.api.viewsets import ServiceViewSet


def refuse_fixed(values: dict, fixed: tuple[str, ...], message: str) -> None:
    """A change that names a field fixed once the row exists is refused (400, naming it)."""
    for name in fixed:
        if name in values:
            raise serializers.ValidationError({name: [message]})


class EvaluationViewSet(ServiceViewSet):
    # A chapter 10 endpoint: a change passes its services only what differs from the row, and
    # refuses the ``fixed_fields`` (with ``fixed_message``). (A comment: a viewset's docstring is
    # the OpenAPI description of its subclasses that have none.)

    changes_only = True
    fixed_fields: tuple[str, ...] = ()
    fixed_message = ""

    def update_row(self, row, values):
        refuse_fixed(values, self.fixed_fields, self.fixed_message)
        return super().update_row(row, values)


class NoBodySerializer(serializers.Serializer):
    """The body of a step that needs nothing but the row (send, close, retire)."""
