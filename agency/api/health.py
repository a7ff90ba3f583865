"""``GET /api/v1/health/``: is this web node able to serve? For load balancers and uptime checks.

No login, no agency, no tenant data: it answers 200 ``{"status": "ok", "database": "ok"}`` when
the node reaches its database with one trivial query, else 503 with ``"database": "unavailable"``
so that the balancer takes the node out. It is also the reference the load benchmark measures the
dashboards against (the cost of the stack itself: gunicorn, Django, DRF, one round trip).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

log = logging.getLogger(__name__)

HealthSerializer = inline_serializer(
    name="Health",
    fields={
        "status": serializers.CharField(help_text="ok, or unavailable"),
        "database": serializers.CharField(help_text="ok, or unavailable"),
    },
)


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @classmethod
    def as_view(cls, **initkwargs):
        # Outside the request transaction: a database that is down answers 503, not a 500 raised
        # while opening the transaction.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    @extend_schema(auth=[], responses={200: HealthSerializer, 503: HealthSerializer}, tags=["health"])
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            log.exception("health check: the database is unavailable")
            return Response({"status": "unavailable", "database": "unavailable"}, status=503)
        return Response({"status": "ok", "database": "ok"})
