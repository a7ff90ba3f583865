"""The API base every app builds on: scoped viewsets, serializers and filtersets, pagination,
one error body, and the router that ``/api/v1/`` is made of."""

from agency.api import schema  # noqa: E402,F401  (the schema's field extensions register on import)
