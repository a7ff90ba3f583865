"""The Celery app. Settings come from Django's (``CELERY_*``); the beat schedule lives there too."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

app = Celery("agency", task_cls="agency.tasks:BaseTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def limit_memory(limit_mb: int) -> None:
    """Cap this process's address space at ``limit_mb`` MiB (never above the hard limit it has):
    an allocation beyond it fails (``MemoryError``, or FFmpeg's own error) inside the task that
    asked for it, which records the failure; the process and its neighbours go on."""
    import resource

    if limit_mb <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = limit_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@worker_process_init.connect
def _limit_pool_process_memory(**_kwargs) -> None:
    from django.conf import settings

    limit_memory(settings.CELERY_WORKER_MEMORY_LIMIT_MB)
