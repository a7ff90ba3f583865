"""gunicorn's settings for the web process: ``gunicorn -c python:project.gunicorn project.wsgi``
(the Dockerfile, docker-compose.yml and bench/load.py start it so).

Each worker, once it has loaded the application, takes what it has loaded out of the garbage
collector's sight (``settle``). Python's full collection walks every object the process holds:
Django, DRF, the project's modules and models, the URL patterns and the translations, about
270,000 objects, 130-300 ms on a machine of two cores; it ran every few requests and added that
time to the request it fell in (a page of 45 ms took 180-380 ms, the 95th percentile of the pages).
Frozen (``gc.freeze``), those objects are never walked again: a full collection walks only what
requests made since, a few milliseconds. Nothing is lost: what is loaded at start lives as long
as the process anyway.
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Load what every request uses (the URL patterns, both languages' translations), collect what
    loading left behind, then freeze every object that remains; the number frozen."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imported, not only named)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Today")
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def post_worker_init(worker) -> None:
    """gunicorn's hook: the worker has loaded the application (``project.wsgi``)."""
    frozen = settle()
    worker.log.info("Objects loaded at start kept out of garbage collection: %s", f"{frozen:,}")
