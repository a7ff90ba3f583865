"""The API base every app builds on: scoped viewsets, serializers and filtersets, pagination,
one error body, and the router that ``/api/v1/`` is made of."""
