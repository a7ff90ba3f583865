"""The Celery entry point (``celery -A project worker``, ``celery -A project beat``): the project's
settings, and every installed app's ``tasks`` module discovered. The app itself, with the task base
and the workers' start-up, is the tenant core's (``agency.celery``)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from agency.celery import app  # noqa: E402

app.autodiscover_tasks()

__all__ = ["app"]
