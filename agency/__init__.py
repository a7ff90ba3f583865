"""Project package and tenant core."""

from agency.celery import app as celery_app

__all__ = ["celery_app"]
