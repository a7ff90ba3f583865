"""API of chapter 10 under ``/api/v1/``: questionnaires, campaigns and their answers (10.1),
customer protection (10.1), improvement cycles and actions (10.2). Each module registers its
viewsets on the shared router when imported (``project.urls`` imports this package)."""

from evaluation.api import campaigns, complaints, improvement, questionnaires  # noqa: F401
