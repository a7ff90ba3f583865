"""Each pytest-xdist worker on Redis of its own, set before Django reads its settings.

Loaded as a plugin (``-p tests.xdist_workers`` in pyproject.toml's ``addopts``): pytest imports it
before pytest-django reads the settings, so the settings, the cache, Celery and every process a
test starts (the real worker of ``tests.celery_worker``, ``manage.py`` subprocesses) read the same
``REDIS_URL``. Worker ``gwN`` of a run with ``REDIS_URL=redis://host/D`` uses database ``D + N``
(D for gw0, the one a run without xdist uses), emptied as the worker starts. Redis has 16 databases
(0-15) unless configured otherwise: with ``-n auto`` choose a ``D`` that leaves one per worker.

What the databases separate: the tasks' queues and results (the real worker of one xdist worker
never takes another's task), the answer cache (both test databases number their rows the same),
locks, throttles, and ``cache.clear()`` (``FLUSHDB``) of one worker's tests. The test database
is pytest-django's (``test_<name>_gwN``), the live server listens on a free port, and files go
under each test's own ``tmp_path`` (tests/conftest.py ``_media_root``).

The order the workers take the modules in: ``make test`` runs ``--dist loadfile
--no-loadscope-reorder``, so that each worker takes a test module whole, in the order collected
(xdist's own reordering puts the modules with the most tests first, and so the long modules of few
tests last, where one of them can keep one worker busy long after the other is done). The
modules that take longest (``LONGEST_FIRST``, measured from the suite's ``--junitxml`` report) are
collected first, longest first; the shorter ones then fill both workers' time around them. A
module missing from the list (a new long one) keeps its place: it costs balance, never a test.
"""

from __future__ import annotations

import os
from fnmatch import fnmatch
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS_DATABASES = 16  # Redis' default ``databases``


def worker_number() -> int | None:
    """N of the xdist worker ``gwN`` this process is, None outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def redis_url_of_worker(url: str, number: int) -> str:
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + number
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"xdist worker gw{number} would use Redis database {database} of REDIS_URL={url} (D + N), and Redis "
            f"has {REDIS_DATABASES}: set REDIS_URL to a lower database, or run fewer workers (-n)."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def _own_redis() -> None:
    number = worker_number()
    url = os.environ.get("REDIS_URL")
    if number is None or not url or os.environ.get("TESTS_REDIS_BASE_URL"):
        return  # not an xdist worker, no Redis, or done already (a pytest this worker started)
    own = redis_url_of_worker(url, number)
    os.environ["TESTS_REDIS_BASE_URL"] = url
    os.environ["REDIS_URL"] = own
    if number:  # D itself is emptied by whoever chose it (.ci/run); D + N belongs to this worker
        import redis

        redis.Redis.from_url(own).flushdb()


_own_redis()


# The test modules that take longest, longest first (glob patterns on their paths from the root).
LONGEST_FIRST: tuple[str, ...] = (
    "tests/agency/test_embedded_default.py",
    "tests/agency/test_worker_crash.py",
    "tests/agency/test_api_fuzz*.py",
    "tests/agency/test_isolation_matrix*.py",
    "tests/agency/test_language_crawl.py",
    "tests/browser/test_production.py",
    "tests/browser/test_inbox.py",
    "tests/agency/test_query_counts.py",
    "tests/portability/test_portability.py",
    "tests/agency/test_seed_demo.py",
    "tests/production/test_api.py",
)


def module_rank(path: str) -> int:
    """The place of the module at ``path`` in ``LONGEST_FIRST`` (after all of them when absent)."""
    return next((rank for rank, pattern in enumerate(LONGEST_FIRST) if fnmatch(path, pattern)), len(LONGEST_FIRST))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The modules of ``LONGEST_FIRST`` first, longest first; a module's tests keep their order,
    and so do the other modules (a stable sort: every worker collects the same order)."""
    root = config.rootpath
    items.sort(key=lambda item: module_rank(item.path.relative_to(root).as_posix()))
