"""The project package: settings, URLs, the Celery entry point, WSGI and ASGI. It sits beside the
tenant core (``agency``) and above every app, and may import all of them; nothing imports it."""

from project.celery import app as celery_app

__all__ = ["celery_app"]
