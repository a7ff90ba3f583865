"""The Celery app every app's tasks register on, and what each worker process does as it starts.
Settings come from Django's (``CELERY_*``); the beat schedule lives there too. Workers and beat
start from the project's entry point (``celery -A project``, ``project.celery``), which names the
settings and discovers every app's tasks."""

import functools

from celery import Celery
from celery.signals import worker_init, worker_process_init

import agency.broker  # noqa: F401  (the transport of the embedded default's broker)

app = Celery("agency", task_cls="agency.tasks:BaseTask")
app.config_from_object("django.conf:settings", namespace="CELERY")


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


# Signs of life of the workers and the scheduler, and the outbox's notes of which worker runs what.
import agency.background  # noqa: E402, F401


# --- Workaround: a worker must outlive a broker outage that happens during a task --------------
# Celery 5.7.0 (celery/celery#10242, for GH-9705) made the consumer call ``connection.close()``
# right after ``connection.collect()`` when it loses the broker (celery/worker/consumer/
# consumer.py:476-487, on_connection_error_after_connected). kombu 5.7.0's ``collect()``
# (kombu/connection.py:432-452) detaches the transport (``transport.client = None``) but keeps
# ``_default_channel``; and with Redis gone, closing that channel inside ``collect()`` stops at its
# first step (draining the pending BRPOP raises ConnectionError, kombu/transport/redis.py:1890-1895),
# so it is never marked closed. The later ``close()`` closes it again: with a late-acknowledged task
# in flight its QoS "restores 1 unacknowledged message(s)", builds a Redis pool from
# ``transport.client``, None (kombu/transport/redis.py:1959), and raises AttributeError("'NoneType'
# object has no attribute 'hostname'"), which ``ignore_errors`` does not swallow: "Unrecoverable
# error", the worker exits and the queue grows. An idle worker has nothing to restore and
# reconnects. (The same family of errors: celery/kombu#582, #970.) Celery 5.7.0 and kombu 5.7.0
# are the newest releases; 5.6.3 did not close after collecting, but lacks 5.7.0's bound on that
# cleanup (GH-9705: a worker hung for good on a broker that went silent), so no pin is better.
#
# The workaround: ``collect()`` also forgets the default channel it has just collected, as it
# forgets the connection and the transport, so that ``close()`` has nothing left to do (as with
# 5.6.3). The old channel keeps its Redis pool: the task in flight runs on and acknowledges its
# message once Redis is back, so it runs once and Redis keeps nothing of it. (A task that ends
# while Redis is still away cannot acknowledge: Redis delivers it again after the visibility
# timeout, at least once as documented.) Workers only. Remove it once
# tests/agency/test_broker_outage.py passes without it.
@worker_init.connect
def _collect_forgets_default_channel(**_kwargs) -> None:
    from kombu import Connection

    collect = Connection.collect
    if getattr(collect, "forgets_default_channel", False):
        return

    @functools.wraps(collect)
    def collect_and_forget_default_channel(self, *args, **kwargs):
        try:
            return collect(self, *args, **kwargs)
        finally:
            self._default_channel = None

    collect_and_forget_default_channel.forgets_default_channel = True
    Connection.collect = collect_and_forget_default_channel
