"""Health, without login, agency or tenant data.

- ``GET /api/v1/health/``: is background work running? The database, the broker, the workers (a
  heartbeat per worker, with its queues), the scheduler (its last tick) and the outbox (its
  backlog and the age of its oldest task), each ``ok`` or ``unavailable`` with the reason
  (``agency.background.health_report``); 200 when every one is ok, else 503. For uptime checks
  and monitoring.
- ``GET /api/v1/health/node/``: can this web node serve? One trivial query to its database; 200,
  or 503 when the database is down, so that a load balancer takes the node out (a stalled worker
  is no reason to stop serving pages). It is also the reference the load benchmark measures the
  dashboards against (the cost of the stack itself: gunicorn, Django, DRF, one round trip).
"""

from __future__ import annotations

import logging

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.background import check_database, health_report

log = logging.getLogger(__name__)


def _component(component: str, help_text: str, **extra):
    return inline_serializer(
        name=f"Health{component.title()}",
        fields={
            "status": serializers.CharField(help_text="ok, or unavailable"),
            "reason": serializers.CharField(help_text="why it is unavailable (or a remark); empty when ok"),
            **extra,
        },
        help_text=help_text,
    )


HealthSerializer = inline_serializer(
    name="Health",
    fields={
        "status": serializers.CharField(help_text="ok when every component is ok, else unavailable"),
        "database": _component("database", "One trivial query."),
        "broker": _component(
            "broker",
            "A connection to the broker; on Redis, the messages waiting per queue.",
            transport=serializers.CharField(),
            queued=serializers.DictField(child=serializers.IntegerField(), required=False),
        ),
        "workers": _component(
            "workers",
            "A heartbeat per worker (every 30 s), with the queues it consumes; unavailable when no worker "
            "has shown one for 2 minutes, or no live worker consumes a queue tasks are sent to.",
            workers=serializers.ListField(child=serializers.DictField(), required=False),
        ),
        "scheduler": _component(
            "scheduler",
            "The scheduler's (beat's) last tick and each entry's last run; unavailable when the tick is older "
            "than 3 minutes.",
            name=serializers.CharField(required=False),
            last_tick=serializers.DateTimeField(required=False),
            entries=serializers.DictField(
                child=serializers.DictField(),
                required=False,
                help_text="each scheduled entry: its task, its last run (null before the first) and its runs",
            ),
        ),
        "outbox": _component(
            "outbox",
            "Tasks recorded with their writes and not yet handed to the broker; unavailable when the oldest "
            "is older than 5 minutes.",
            backlog=serializers.IntegerField(),
            oldest_age_seconds=serializers.IntegerField(),
        ),
    },
)

NodeHealthSerializer = inline_serializer(
    name="NodeHealth",
    fields={
        "status": serializers.CharField(help_text="ok, or unavailable"),
        "database": serializers.CharField(help_text="ok, or unavailable"),
    },
)


class _HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @classmethod
    def as_view(cls, **initkwargs):
        # Outside the request transaction: a database that is down answers 503, not a 500 raised
        # while opening the transaction.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))


class HealthView(_HealthView):
    @extend_schema(auth=[], responses={200: HealthSerializer, 503: HealthSerializer}, tags=["health"])
    def get(self, request):
        report = health_report()
        if report["status"] != "ok":
            log.warning(
                "health: %s",
                "; ".join(
                    f"{name}: {part['reason']}"
                    for name, part in report.items()
                    if name != "status" and part["status"] != "ok"
                ),
            )
        return Response(report, status=200 if report["status"] == "ok" else 503)


class NodeHealthView(_HealthView):
    @extend_schema(auth=[], responses={200: NodeHealthSerializer, 503: NodeHealthSerializer}, tags=["health"])
    def get(self, request):
        if not check_database().ok:
            log.error("health check: the database is unavailable")
            return Response({"status": "unavailable", "database": "unavailable"}, status=503)
        return Response({"status": "ok", "database": "ok"})
